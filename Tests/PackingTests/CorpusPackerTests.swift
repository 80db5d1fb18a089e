import Corpus
import TestSupport
import Tokenization
import XCTest
@testable import Packing

final class CorpusPackerTests: XCTestCase {
    /// Packs a small cleaned corpus with a real SentencePiece model (trained by the
    /// `sentencepiece` package on the committed Korean fixture) and reads it back.
    func testPackRoundTripsThroughDecodeAndKeepsSplitsApart() throws {
        try PythonPeer.require("sentencepiece")
        let dir = try TemporaryDirectory()
        let fixture = repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-train.txt"
        try PythonPeer.run("""
            import sys, sentencepiece as spm
            spm.SentencePieceTrainer.train(input=sys.argv[1], model_prefix=sys.argv[2], vocab_size=2000, model_type='bpe',
                normalization_rule_name='identity', byte_fallback=True, remove_extra_whitespaces=False, minloglevel=2)
            """, [fixture, dir.file("ko")])

        let lines = String(decoding: try FileSystem.readAll(repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-heldout.txt"), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        var documents: [String: [Document]] = ["train": [], "valid": []]
        for (i, chunk) in stride(from: 0, to: min(lines.count, 120), by: 3).enumerated() {
            let text = lines[chunk..<min(chunk + 3, lines.count)].joined(separator: "\n\n")
            documents[i % 5 == 0 ? "valid" : "train"]!.append(Document(id: "d\(i)", text: text, source: "test", added: "2026-11-25"))
        }
        for (split, docs) in documents {
            let w = try DocumentShardWriter(path: dir.file("corpus/clean/\(split)/run-0001-00000.jsonl.gz"))
            for d in docs { try w.write(d) }
            try w.finish()
        }

        var packer = try CorpusPacker(tokenizerPath: dir.file("ko.model"))
        packer.batchSize = 7
        let manifest = try packer.pack(corpus: dir.file("corpus"), outputPrefix: dir.file("tokens/ko"))
        XCTAssertEqual(manifest.dtype, .uint16)
        XCTAssertEqual(manifest.splits["train"]?.documents, documents["train"]!.count)
        XCTAssertEqual(manifest.splits["valid"]?.documents, documents["valid"]!.count)
        XCTAssertTrue(FileSystem.exists(dir.file("tokens/ko_manifest.json")))

        let processor = try SentencePieceProcessor(path: dir.file("ko.model"))
        for split in ["train", "valid"] {
            let ds = try IndexedDataset(prefix: dir.file("tokens/ko_\(split)"))
            XCTAssertEqual(ds.sequenceCount, documents[split]!.count)
            for (i, doc) in documents[split]!.enumerated() {
                var ids = ds.tokens(ofSequence: i)
                XCTAssertEqual(ids.last, processor.eosId)
                ids.removeLast()
                XCTAssertEqual(try processor.decode(ids), doc.text, "\(split) document \(i) round-trips")
            }
        }
        // Same ids as the reference encoder for every training document.
        let reference = try PythonPeer.run("""
            import sys, json, sentencepiece as spm
            sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
            texts = json.load(sys.stdin)
            print(json.dumps([sp.encode(t) for t in texts]))
            """, [dir.file("ko.model")], stdin: String(decoding: try JSONEncoder().encode(documents["train"]!.map(\.text)), as: UTF8.self))
        let expected = try JSONDecoder().decode([[Int32]].self, from: Data(reference.utf8))
        let train = try IndexedDataset(prefix: dir.file("tokens/ko_train"))
        XCTAssertEqual((0..<train.sequenceCount).map { Array(train.tokens(ofSequence: $0).dropLast()) }, expected)
    }

    func testMissingTokenizerIsAClearError() {
        XCTAssertThrowsError(try CorpusPacker(tokenizerPath: "/nonexistent/ko.model")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/ko.model"), "\(e)")
        }
    }
}
