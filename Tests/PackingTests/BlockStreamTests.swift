import Corpus
import TestSupport
import XCTest
@testable import Packing

final class BlockStreamTests: XCTestCase {
    var dir: TemporaryDirectory!
    var dataset: IndexedDataset!
    var documents: [[Int32]] = []

    override func setUpWithError() throws {
        dir = try TemporaryDirectory()
        var rng = SplitMix64(seed: 7)
        let w = try IndexedDatasetWriter(prefix: dir.file("d"), dtype: .uint16)
        documents = []
        for d in 0..<300 {
            let n = Int(rng.next() % 40) + 1
            let doc = (0..<n).map { Int32(3 + (d * 7 + $0) % 1000) } + [2]
            documents.append(doc)
            try w.append(doc)
        }
        try w.finish()
        dataset = try IndexedDataset(prefix: dir.file("d"))
    }

    func testConcatenateCoversTheStreamInOrderWithoutShuffle() throws {
        let s = try BlockStream(dataset: dataset, options: StreamOptions(seqLen: 16, batchSize: 4, shuffle: false))
        let all = documents.flatMap { $0 }
        let b = s.nextBatch()
        XCTAssertEqual(b.tokens, Array(all[0..<64]))
        XCTAssertEqual(b.lossMask, [UInt8](repeating: 1, count: 64))
        XCTAssertEqual(s.totalBlocks, all.count / 16)
    }

    func testDocumentAlignedNeverCrossesBoundariesAndMasksPadding() throws {
        let s = try BlockStream(dataset: dataset, options: StreamOptions(seqLen: 48, batchSize: 1, mode: .documentAligned, shuffle: false, padID: 0))
        var seen: [[Int32]] = []
        for _ in 0..<s.totalBlocks {
            let b = s.nextBatch()
            let real = zip(b.tokens, b.lossMask).filter { $0.1 == 1 }.map(\.0)
            XCTAssertTrue(b.tokens[real.count...].allSatisfy { $0 == 0 }, "padding after the documents")
            // A block is whole documents (each ends in EOS = 2) or one piece of a long document.
            var docs: [[Int32]] = [[]]
            for t in real { docs[docs.count - 1].append(t); if t == 2 { docs.append([]) } }
            seen += docs.filter { !$0.isEmpty }
        }
        XCTAssertEqual(seen, documents, "every document once, in order, none split (all shorter than 48)")
    }

    func testDeterministicResumableAndDisjointAcrossRanks() throws {
        let options = StreamOptions(seqLen: 32, batchSize: 3, seed: 42, worldSize: 1)
        let a = try BlockStream(dataset: dataset, options: options)
        let b = try BlockStream(dataset: dataset, options: options)
        let run = (0..<100).map { _ in a.nextBatch() }
        XCTAssertEqual(run, (0..<100).map { _ in b.nextBatch() }, "same seed, same batches")
        XCTAssertGreaterThan(a.epoch, 0, "crossed an epoch")

        // Stop after 37 batches, persist the state as JSON, resume in a fresh stream.
        let c = try BlockStream(dataset: dataset, options: options)
        for _ in 0..<37 { _ = c.nextBatch() }
        let saved = try JSONEncoder().encode(c.state)
        let d = try BlockStream(dataset: dataset, options: options)
        try d.restore(try JSONDecoder().decode(StreamState.self, from: saved))
        XCTAssertEqual((37..<100).map { _ in d.nextBatch() }, Array(run[37...]))

        let other = try BlockStream(dataset: dataset, options: StreamOptions(seqLen: 32, batchSize: 3, seed: 43))
        XCTAssertNotEqual(other.nextBatch(), run[0], "another seed, another order")
        XCTAssertThrowsError(try other.restore(c.state))

        // Two ranks see disjoint shares of the blocks that together are the whole epoch.
        func blocks(rank: Int, worldSize: Int) throws -> [[Int32]] {
            let s = try BlockStream(dataset: dataset, options: StreamOptions(seqLen: 8, batchSize: 1, seed: 5, rank: rank, worldSize: worldSize))
            return (0..<s.blocksPerEpoch).map { _ in s.nextBatch().tokens }
        }
        let r0 = try blocks(rank: 0, worldSize: 2), r1 = try blocks(rank: 1, worldSize: 2)
        let all = try blocks(rank: 0, worldSize: 1)
        XCTAssertEqual(r0.count, all.count / 2)
        XCTAssertEqual(r1.count, all.count / 2)
        var interleaved: [[Int32]] = []
        for i in 0..<(r0.count + r1.count) { interleaved.append(i % 2 == 0 ? r0[i / 2] : r1[i / 2]) }
        XCTAssertEqual(interleaved, Array(all.prefix(interleaved.count)),
                       "rank r takes every second block of the shared order: disjoint, and complete up to the remainder")
    }

    func testRanksStayInStepAcrossEpochsWhenBlocksDoNotDivide() throws {
        // 25 documents of 10 distinct ids + EOS = 275 tokens = 27 blocks of 10: odd for two ranks.
        let w = try IndexedDatasetWriter(prefix: dir.file("odd"), dtype: .uint16)
        for d in 0..<25 { try w.append((0..<10).map { Int32(3 + d * 10 + $0) } + [2]) }
        try w.finish()
        let odd = try IndexedDataset(prefix: dir.file("odd"))
        let streams = try (0..<2).map { rank in
            try BlockStream(dataset: odd, options: StreamOptions(seqLen: 10, batchSize: 1, seed: 11, rank: rank, worldSize: 2))
        }
        XCTAssertEqual(streams[0].totalBlocks, 27)
        XCTAssertEqual(streams.map(\.blocksPerEpoch), [13, 13])

        // Three epochs, step by step: both ranks cross into the next epoch at the same step.
        var epochs: [[Int]] = [[], []]
        var seen: [[Int: [[Int32]]]] = [[:], [:]]
        for _ in 0..<(3 * 13) {
            for r in 0..<2 {
                let block = streams[r].nextBatch().tokens
                epochs[r].append(streams[r].epoch)
                seen[r][streams[r].epoch, default: []].append(block)
            }
        }
        XCTAssertEqual(epochs[0], epochs[1], "ranks in step")
        XCTAssertEqual(epochs[0], [Int](repeating: 0, count: 13) + [Int](repeating: 1, count: 13) + [Int](repeating: 2, count: 13))
        for epoch in 0..<3 {
            let a = Set(seen[0][epoch] ?? []), b = Set(seen[1][epoch] ?? [])
            XCTAssertEqual(a.count, 13, "epoch \(epoch): rank 0 sees 13 distinct blocks")
            XCTAssertEqual(b.count, 13, "epoch \(epoch): rank 1 sees 13 distinct blocks")
            XCTAssertTrue(a.isDisjoint(with: b), "epoch \(epoch): ranks disjoint")
        }
        XCTAssertNotEqual(Set(seen[0][0]!).union(seen[1][0]!), Set(seen[0][1]!).union(seen[1][1]!),
                          "a different block is left out in another epoch's order")
    }

    func testTooLittleDataIsAClearError() throws {
        XCTAssertThrowsError(try BlockStream(dataset: dataset, options: StreamOptions(seqLen: 100_000, batchSize: 2))) { e in
            XCTAssertTrue("\(e)".contains("not enough data"), "\(e)")
        }
    }
}
