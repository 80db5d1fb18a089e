import Corpus
import TestSupport
import Tokenization
import XCTest
@testable import Packing

final class DocumentStreamTests: XCTestCase {
    var modelDirectory: TemporaryDirectory!

    /// A small real BPE model, trained by the sentencepiece package on the committed fixture.
    func processor() throws -> SentencePieceProcessor {
        modelDirectory = try TemporaryDirectory()
        return try SentencePieceProcessor(path: try PackingFixtures.trainTokenizer(in: modelDirectory))
    }

    func makeCorpus(_ dir: TemporaryDirectory, documentsPerShard: Int = 20) throws -> [String] {
        let lines = try PackingFixtures.heldoutLines()
        var texts: [String] = []
        for shard in 0..<3 {
            let w = try DocumentShardWriter(path: dir.file("clean/train/run-0001-\(shard).jsonl.gz"))
            for i in 0..<documentsPerShard {
                let text = "[\(shard)-\(i)] " + lines[(shard * documentsPerShard + i) % lines.count]
                texts.append(text)
                try w.write(Document(id: "\(shard)-\(i)", text: text, source: "t", added: "x"))
            }
            try w.finish()
        }
        let v = try DocumentShardWriter(path: dir.file("clean/valid/run-0001-0.jsonl.gz"))
        try v.write(Document(id: "v", text: "VALIDATION ONLY 검증용 문서", source: "t", added: "x"))
        try v.finish()
        return texts
    }

    func testDeterministicResumableAndShardedByRank() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        _ = try makeCorpus(dir)
        for mode in [PackingMode.concatenate, .documentAligned] {
            let options = DocumentStreamOptions(seqLen: 64, batchSize: 4, seed: 9, shuffleBufferBlocks: 16, mode: mode)
            let a = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
            let run = try (0..<100).map { _ in try a.nextBatch() }
            let b = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
            XCTAssertEqual(try (0..<100).map { _ in try b.nextBatch() }, run, "\(mode): same seed, same batches (crossing epochs)")
            XCTAssertGreaterThan(a.state.epoch, 1, "crossed epochs")

            let c = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
            for _ in 0..<37 { _ = try c.nextBatch() }
            let saved = try JSONEncoder().encode(c.state)
            let d = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
            try d.restore(try JSONDecoder().decode(DocumentStreamState.self, from: saved))
            XCTAssertEqual(try (37..<100).map { _ in try d.nextBatch() }, Array(run[37...]), "\(mode): resume gives the uninterrupted batches")
        }

        // Ranks take disjoint documents: decode one epoch's worth of blocks per rank and look at the tags.
        func tags(rank: Int) throws -> Set<String> {
            let s = try DocumentStream(corpus: dir.path, split: "train", processor: p,
                                       options: DocumentStreamOptions(seqLen: 16, batchSize: 1, seed: 1, rank: rank, worldSize: 2, shuffleBufferBlocks: 0))
            var text = ""
            while s.state.epoch == 0 { text += try p.decode(try s.nextBatch().tokens) }
            let regex = try NSRegularExpression(pattern: "\\[[0-9]-[0-9]+\\]")
            return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
        }
        let r0 = try tags(rank: 0), r1 = try tags(rank: 1)
        XCTAssertTrue(r0.isDisjoint(with: r1), "\(r0.intersection(r1))")
        XCTAssertGreaterThan(r0.count, 20)
        XCTAssertGreaterThan(r1.count, 20)
    }

    /// 3 shards of 7 documents for 2 ranks: each rank takes 10 documents every epoch (the 21st
    /// is left out), disjoint from the other rank's.
    func testRanksTakeEqualDisjointDocumentsEveryEpoch() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        _ = try makeCorpus(dir, documentsPerShard: 7)
        let eos = try XCTUnwrap(p.eosId)
        let tag = try NSRegularExpression(pattern: "\\[[0-9]-[0-9]+\\]")
        // Documents per epoch of one rank: one token per block, so the stream's epoch after each
        // step is the epoch of the document that token came from.
        func documents(rank: Int) throws -> [[String]] {
            let s = try DocumentStream(corpus: dir.path, split: "train", processor: p,
                                       options: DocumentStreamOptions(seqLen: 1, batchSize: 1, seed: 4, rank: rank, worldSize: 2, shuffleBufferBlocks: 0))
            var epochs: [[String]] = [[], [], []]
            var current: [Int32] = []
            while true {
                let token = try s.nextBatch().tokens[0]
                guard s.state.epoch < 3 else { break }
                current.append(token)
                if token == eos {
                    let text = try p.decode(current)
                    let match = try XCTUnwrap(tag.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), text)
                    epochs[s.state.epoch].append(String(text[Range(match.range, in: text)!]))
                    current = []
                }
            }
            return epochs
        }
        let r0 = try documents(rank: 0), r1 = try documents(rank: 1)
        for epoch in 0..<3 {
            XCTAssertEqual(r0[epoch].count, 10, "epoch \(epoch): rank 0 \(r0[epoch])")
            XCTAssertEqual(r1[epoch].count, 10, "epoch \(epoch): rank 1 \(r1[epoch])")
            XCTAssertEqual(Set(r0[epoch]).count, 10, "no document twice in an epoch")
            XCTAssertTrue(Set(r0[epoch]).isDisjoint(with: r1[epoch]), "epoch \(epoch): \(Set(r0[epoch]).intersection(r1[epoch]))")
        }

        // Resuming rank 1 (its position lies inside a group of two documents) is exact too.
        let options = DocumentStreamOptions(seqLen: 16, batchSize: 2, seed: 4, rank: 1, worldSize: 2, shuffleBufferBlocks: 8)
        let a = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
        let run = try (0..<80).map { _ in try a.nextBatch() }
        XCTAssertGreaterThan(a.state.epoch, 0, "crossed an epoch")
        let b = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
        for _ in 0..<13 { _ = try b.nextBatch() }
        let c = try DocumentStream(corpus: dir.path, split: "train", processor: p, options: options)
        try c.restore(try JSONDecoder().decode(DocumentStreamState.self, from: try JSONEncoder().encode(b.state)))
        XCTAssertEqual(try (13..<80).map { _ in try c.nextBatch() }, Array(run[13...]))
    }

    func testStreamReadsOneNamedSplitOnly() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        _ = try makeCorpus(dir)
        func text(of split: String, batches: Int) throws -> String {
            let s = try DocumentStream(corpus: dir.path, split: split, processor: p,
                                       options: DocumentStreamOptions(seqLen: 8, batchSize: 4, shuffleBufferBlocks: 0))
            return try p.decode(try (0..<batches).flatMap { _ in try s.nextBatch().tokens })
        }
        let train = try text(of: "train", batches: 400)
        XCTAssertFalse(train.contains("VALIDATION"))
        XCTAssertTrue(train.contains("[0-0]") && train.contains("[1-0]") && train.contains("[2-0]"), "all training shards")
        let valid = try text(of: "valid", batches: 2)
        XCTAssertTrue(valid.contains("VALIDATION"))
        XCTAssertFalse(valid.contains("[0-"), "no training document in valid")

        // Whatever is passed, one split's directory is the most that is read.
        func error(corpus: String, split: String) -> String {
            do {
                _ = try DocumentStream(corpus: corpus, split: split, processor: p, options: DocumentStreamOptions(seqLen: 8, batchSize: 1))
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(error(corpus: dir.file("clean"), split: "train"),
                       "\(dir.path)/clean/clean/train: no such directory (run `ko-llama clean` first; --corpus is the directory that holds clean/)",
                       "the clean/ directory itself (all splits) is not a corpus")
        XCTAssertTrue(error(corpus: dir.path, split: "test").hasPrefix("\(dir.path)/clean/test: no such directory"))
        for bad in ["", ".", "..", "clean", "train/..", "../clean/valid"] {
            XCTAssertEqual(error(corpus: dir.path, split: bad), "unknown split \"\(bad)\" (one of train, valid, test)")
        }
        XCTAssertEqual(error(corpus: dir.file("nope"), split: "train"), "\(dir.path)/nope: no such corpus directory")
        try FileSystem.createDirectory(dir.file("clean/test"))
        XCTAssertEqual(error(corpus: dir.path, split: "test"), "\(dir.path)/clean/test: no .jsonl.gz shards")
    }

    /// With `addBOS`, every document is BOS + the reference ids + EOS, in shard order.
    func testBOSBeforeEveryDocument() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        let texts = Array(try PackingFixtures.heldoutLines().prefix(12))
        let w = try DocumentShardWriter(path: dir.file("clean/train/run-0001-00000.jsonl.gz"))
        for (i, t) in texts.enumerated() { try w.write(Document(id: "\(i)", text: t, source: "t", added: "x")) }
        try w.finish()
        let bos = try XCTUnwrap(p.bosId), eos = try XCTUnwrap(p.eosId)
        let expected = try PackingFixtures.referenceEncoding(model: modelDirectory.file("ko.model"), texts).flatMap { [bos] + $0 + [eos] }

        func stream(addBOS: Bool, count: Int) throws -> [Int32] {
            let s = try DocumentStream(corpus: dir.path, split: "train", processor: p,
                                       options: DocumentStreamOptions(seqLen: 32, batchSize: 2, shuffleBufferBlocks: 0, addBOS: addBOS))
            var tokens: [Int32] = []
            while tokens.count < count { tokens += try s.nextBatch().tokens }
            return Array(tokens.prefix(count))
        }
        XCTAssertEqual(try stream(addBOS: true, count: expected.count), expected)
        let withoutBOS = expected.filter { $0 != bos }
        XCTAssertEqual(withoutBOS.count, expected.count - texts.count)
        XCTAssertEqual(try stream(addBOS: false, count: withoutBOS.count), withoutBOS, "no BOS unless asked")
    }

    /// Document-aligned blocks from JSONL are exactly `BlockStream`'s blocks of the same documents:
    /// whole documents per block, longer ones cut into `seqLen` pieces, padding masked out.
    func testDocumentAlignedMatchesBlockStreamAndSplitsLongDocuments() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        let lines = try PackingFixtures.heldoutLines()
        var texts: [String] = []
        for i in 0..<30 { texts += [lines[i], "짧은 문서 \(i)", "둘째 짧은 문서"] }
        let w = try DocumentShardWriter(path: dir.file("clean/train/run-0001-00000.jsonl.gz"))
        for (i, t) in texts.enumerated() { try w.write(Document(id: "\(i)", text: t, source: "t", added: "x")) }
        try w.finish()

        let seqLen = 48, pad: Int32 = 0
        let documents = texts.map { p.encode($0) + [p.eosId!] }
        XCTAssertGreaterThan(documents.filter { $0.count > 2 * seqLen }.count, 3, "some documents span several blocks")
        XCTAssertGreaterThan(documents.filter { $0.count < seqLen / 4 }.count, 10, "some blocks hold several documents")
        let packed = try IndexedDatasetWriter(prefix: dir.file("ko_train"), dtype: .uint16)
        for d in documents { try packed.append(d) }
        try packed.finish()
        let reference = try BlockStream(dataset: try IndexedDataset(prefix: dir.file("ko_train")),
                                        options: StreamOptions(seqLen: seqLen, batchSize: 1, mode: .documentAligned, shuffle: false, padID: pad))

        let stream = try DocumentStream(corpus: dir.path, split: "train", processor: p,
                                        options: DocumentStreamOptions(seqLen: seqLen, batchSize: 1, shuffleBufferBlocks: 0,
                                                                       mode: .documentAligned, padID: pad))
        var blocks: [[Int32]] = []
        for _ in 0..<reference.totalBlocks {
            let b = try stream.nextBatch()
            XCTAssertEqual(b, reference.nextBatch(), "block \(blocks.count)")
            let real = b.lossMask.firstIndex(of: 0) ?? seqLen
            XCTAssertTrue(b.lossMask[real...].allSatisfy { $0 == 0 } && b.tokens[real...].allSatisfy { $0 == pad }, "padding only at the end, masked")
            blocks.append(Array(b.tokens[..<real]))
        }
        XCTAssertEqual(try stream.nextBatch(), reference.nextBatch(), "the next epoch starts a fresh block, like the reference's")
        XCTAssertEqual(Array(blocks.joined()), Array(documents.joined()), "every token once, in order")

        // Where each document landed: short ones whole inside one block, long ones in full pieces.
        var blockOfToken: [Int] = []
        for (b, block) in blocks.enumerated() { blockOfToken += [Int](repeating: b, count: block.count) }
        var offset = 0
        for d in documents {
            let spans = Set(blockOfToken[offset..<(offset + d.count)])
            if d.count <= seqLen {
                XCTAssertEqual(spans.count, 1, "a document of \(d.count) tokens is never cut")
            } else {
                XCTAssertEqual(spans.count, (d.count + seqLen - 1) / seqLen, "a document of \(d.count) tokens is cut into seqLen pieces")
                XCTAssertEqual(blocks[blockOfToken[offset]].count, seqLen, "its first piece fills a block")
                XCTAssertEqual(Array(blocks[blockOfToken[offset]]), Array(d[0..<seqLen]), "and starts the block")
            }
            offset += d.count
        }
        XCTAssertGreaterThan(blocks.filter { $0.count < seqLen }.count, 0, "some blocks are padded")
    }
}
