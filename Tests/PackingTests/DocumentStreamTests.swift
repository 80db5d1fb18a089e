import Corpus
import TestSupport
import Tokenization
import XCTest
@testable import Packing

final class DocumentStreamTests: XCTestCase {
    var modelDirectory: TemporaryDirectory!

    /// A small real BPE model, trained by the sentencepiece package on the committed fixture.
    func processor() throws -> SentencePieceProcessor {
        try PythonPeer.require("sentencepiece")
        modelDirectory = try TemporaryDirectory()
        try PythonPeer.run("""
            import sys, sentencepiece as spm
            spm.SentencePieceTrainer.train(input=sys.argv[1], model_prefix=sys.argv[2], vocab_size=2000, model_type='bpe',
                normalization_rule_name='identity', byte_fallback=True, minloglevel=2)
            """, [repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-train.txt", modelDirectory.file("ko")])
        return try SentencePieceProcessor(path: modelDirectory.file("ko.model"))
    }

    func makeCorpus(_ dir: TemporaryDirectory) throws -> [String] {
        let lines = String(decoding: try FileSystem.readAll(repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-heldout.txt"), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        var texts: [String] = []
        for shard in 0..<3 {
            let w = try DocumentShardWriter(path: dir.file("clean/train/run-0001-\(shard).jsonl.gz"))
            for i in 0..<20 {
                let text = "[\(shard)-\(i)] " + lines[(shard * 20 + i) % lines.count]
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
        let options = DocumentStreamOptions(seqLen: 64, batchSize: 2, seed: 9, shuffleBufferBlocks: 16)
        let a = try DocumentStream(split: dir.file("clean/train"), processor: p, options: options)
        let run = try (0..<60).map { _ in try a.nextBatch() }
        let b = try DocumentStream(split: dir.file("clean/train"), processor: p, options: options)
        XCTAssertEqual(try (0..<60).map { _ in try b.nextBatch() }, run, "same seed, same batches (crossing epochs)")

        let c = try DocumentStream(split: dir.file("clean/train"), processor: p, options: options)
        for _ in 0..<23 { _ = try c.nextBatch() }
        let saved = try JSONEncoder().encode(c.state)
        let d = try DocumentStream(split: dir.file("clean/train"), processor: p, options: options)
        try d.restore(try JSONDecoder().decode(DocumentStreamState.self, from: saved))
        XCTAssertEqual(try (23..<60).map { _ in try d.nextBatch() }, Array(run[23...]), "resume gives the uninterrupted batches")

        // Ranks take disjoint documents: decode one epoch's worth of blocks per rank and look at the tags.
        func tags(rank: Int) throws -> Set<String> {
            let s = try DocumentStream(split: dir.file("clean/train"), processor: p,
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

    func testTrainStreamNeverSeesValidation() throws {
        let p = try processor()
        let dir = try TemporaryDirectory()
        _ = try makeCorpus(dir)
        let s = try DocumentStream(split: dir.file("clean/train"), processor: p,
                                   options: DocumentStreamOptions(seqLen: 32, batchSize: 4, shuffleBufferBlocks: 0))
        var text = ""
        for _ in 0..<40 { text += try p.decode(try s.nextBatch().tokens) }
        XCTAssertFalse(text.contains("VALIDATION"))
        XCTAssertTrue(text.contains("[0-0]") || text.contains("[1-0]") || text.contains("[2-0]"))
        XCTAssertThrowsError(try DocumentStream(split: dir.file("clean/test"), processor: p, options: DocumentStreamOptions(seqLen: 8, batchSize: 1)))
    }
}
