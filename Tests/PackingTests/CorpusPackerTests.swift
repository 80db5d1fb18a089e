import Corpus
import TestSupport
import Tokenization
import XCTest
@testable import Packing

final class CorpusPackerTests: XCTestCase {
    /// Packs with a real SentencePiece model and checks the output against the peers: ids from the
    /// `sentencepiece` package, files through an independent numpy reader, hashes from hashlib.
    func testPackMatchesTheReferenceEncoderAndNumpyReader() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        var packer = try CorpusPacker(tokenizerPath: corpus.model)
        packer.batchSize = 7
        packer.seqLen = 512
        let manifest = try packer.pack(corpus: corpus.path, outputPrefix: corpus.dir.file("tokens/ko"))
        XCTAssertEqual(manifest.dtype, .uint16)
        XCTAssertEqual(manifest.seqLen, 512)
        XCTAssertFalse(manifest.addBOS)
        XCTAssertEqual(manifest.tokenizerSHA256, try PackingFixtures.sha256(corpus.model))
        XCTAssertEqual(manifest.corpusManifestSHA256, try PackingFixtures.sha256(corpus.dir.file("corpus/clean/manifest.json")))

        let processor = try SentencePieceProcessor(path: corpus.model)
        let eos = try XCTUnwrap(processor.eosId)
        for split in ["train", "valid"] {
            let texts = corpus.documents[split]!.map(\.text)
            let expected = try PackingFixtures.referenceEncoding(model: corpus.model, texts).map { $0 + [eos] }
            let prefix = corpus.dir.file("tokens/ko_\(split)")
            XCTAssertEqual(try PackingFixtures.readWithNumpy(prefix: prefix),
                           .init(dtype: "uint16", sequences: expected, documentIndex: Array(0...expected.count)), split)
            XCTAssertEqual(manifest.splits[split]?.documents, texts.count)
            XCTAssertEqual(manifest.splits[split]?.tokens, expected.joined().count, "\(split) token count")
            XCTAssertEqual(manifest.splits[split]?.skippedLines, 0)
            let ds = try IndexedDataset(prefix: prefix)
            for (i, text) in texts.enumerated() {
                XCTAssertEqual(try processor.decode(Array(ds.tokens(ofSequence: i).dropLast())), text, "\(split) document \(i) round-trips")
            }
        }

        // The manifest on disk is what was returned.
        let written = try JSONDecoder().decode(PackManifest.self, from: Data(try FileSystem.readAll(corpus.dir.file("tokens/ko_manifest.json"))))
        XCTAssertEqual(written, manifest)
        let train = manifest.splits["train"]!, valid = manifest.splits["valid"]!
        XCTAssertEqual(manifest.summary, "pack: train \(train.documents) documents / \(train.tokens) tokens (0 invalid lines skipped), "
            + "valid \(valid.documents) documents / \(valid.tokens) tokens (0 invalid lines skipped), dtype uint16, seq-len 512 -> "
            + "\(corpus.dir.path)/tokens/ko_train.{bin,idx} \(corpus.dir.path)/tokens/ko_valid.{bin,idx}")
    }

    func testBOSBeforeEveryDocument() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        var packer = try CorpusPacker(tokenizerPath: corpus.model)
        packer.addBOS = true
        let manifest = try packer.pack(corpus: corpus.path, outputPrefix: corpus.dir.file("tokens/ko"))
        let processor = try SentencePieceProcessor(path: corpus.model)
        let bos = try XCTUnwrap(processor.bosId), eos = try XCTUnwrap(processor.eosId)
        XCTAssertTrue(manifest.addBOS)
        XCTAssertEqual(manifest.bosID, bos)
        let texts = corpus.documents["train"]!.map(\.text)
        let expected = try PackingFixtures.referenceEncoding(model: corpus.model, texts).map { [bos] + $0 + [eos] }
        XCTAssertEqual(try PackingFixtures.readWithNumpy(prefix: corpus.dir.file("tokens/ko_train")).sequences, expected)
        XCTAssertEqual(manifest.splits["train"]?.tokens, expected.joined().count)
    }

    func testMissingCorpusOrTrainingSplitIsAnErrorAndWritesNothing() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        let packer = try CorpusPacker(tokenizerPath: corpus.model)
        let out = corpus.dir.file("tokens/ko")
        XCTAssertThrowsError(try packer.pack(corpus: corpus.dir.file("nonexistent"), outputPrefix: out)) { e in
            XCTAssertEqual("\(e)", "\(corpus.dir.path)/nonexistent: no such corpus directory")
        }
        // The clean/ directory itself is not a corpus (it would have mixed the splits).
        XCTAssertThrowsError(try packer.pack(corpus: corpus.dir.file("corpus/clean"), outputPrefix: out)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(corpus.dir.path)/corpus/clean/clean/train: no such directory (run `ko-llama clean` first"), "\(e)")
        }
        try FileManager.default.removeItem(atPath: corpus.dir.file("corpus/clean/train"))
        XCTAssertThrowsError(try packer.pack(corpus: corpus.path, outputPrefix: out)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(corpus.dir.path)/corpus/clean/train: no such directory"), "\(e)")
        }
        XCTAssertFalse(FileSystem.exists(corpus.dir.file("tokens")), "nothing written")
    }

    /// Lines without `metadata` are invalid documents: skipped and counted, and a split of nothing
    /// but such lines is an error naming the first one, not an empty dataset.
    func testInvalidDocumentsAreCountedAndASplitOfNothingButThemFails() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        let packer = try CorpusPacker(tokenizerPath: corpus.model)
        let out = corpus.dir.file("tokens/ko")
        let noMetadata = (0..<3).map { #"{"id": "x\#($0)", "text": "메타데이터 없는 문서", "source": "t", "added": "x"}"# }.joined(separator: "\n") + "\n"

        // Two invalid lines beside the valid shard: packed, skipped lines counted and reported.
        try AtomicFileWriter.write(String(noMetadata.split(separator: "\n").prefix(2).joined(separator: "\n")) + "\n",
                                   to: corpus.dir.file("corpus/clean/valid/run-0002-00000.jsonl"))
        let manifest = try packer.pack(corpus: corpus.path, outputPrefix: out)
        XCTAssertEqual(manifest.splits["valid"]?.skippedLines, 2)
        XCTAssertEqual(manifest.splits["valid"]?.documents, corpus.documents["valid"]!.count)
        XCTAssertTrue(manifest.summary.contains("valid \(corpus.documents["valid"]!.count) documents / "), manifest.summary)
        XCTAssertTrue(manifest.summary.contains("tokens (2 invalid lines skipped)"), manifest.summary)

        // A training split of nothing but invalid lines.
        try FileManager.default.removeItem(atPath: corpus.dir.file("corpus/clean/train"))
        try AtomicFileWriter.write(noMetadata, to: corpus.dir.file("corpus/clean/train/run-0001-00000.jsonl"))
        let other = corpus.dir.file("other/ko")
        XCTAssertThrowsError(try packer.pack(corpus: corpus.path, outputPrefix: other)) { e in
            XCTAssertEqual("\(e)", "\(corpus.dir.path)/corpus/clean/train: no documents to pack (3 invalid lines skipped; first: "
                + "\(corpus.dir.path)/corpus/clean/train/run-0001-00000.jsonl:1: invalid JSON: missing field \"metadata\")")
        }
        XCTAssertFalse(FileSystem.exists(other + "_train.bin") || FileSystem.exists(other + "_train.idx") || FileSystem.exists(other + "_manifest.json"),
                       "no empty datasets written")
    }

    func testValidMayBeAbsentAndIsThenEmpty() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        try FileManager.default.removeItem(atPath: corpus.dir.file("corpus/clean/valid"))
        let manifest = try CorpusPacker(tokenizerPath: corpus.model).pack(corpus: corpus.path, outputPrefix: corpus.dir.file("tokens/ko"))
        XCTAssertEqual(manifest.splits["valid"]?.documents, 0)
        XCTAssertEqual(try PackingFixtures.readWithNumpy(prefix: corpus.dir.file("tokens/ko_valid")), .init(dtype: "uint16", sequences: [], documentIndex: [0]))
        XCTAssertEqual(manifest.splits["train"]?.documents, corpus.documents["train"]!.count)
    }

    func testMissingTokenizerIsAClearError() {
        XCTAssertThrowsError(try CorpusPacker(tokenizerPath: "/nonexistent/ko.model")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/ko.model"), "\(e)")
        }
    }

    /// A byte-level BPE folder (tokenizer.json + tokenizer_config.json naming the EOS) packs with
    /// the ids of the `tokenizers` package.
    func testPackWithAByteLevelTokenizerFolder() throws {
        try PythonPeer.require("tokenizers")
        let corpus = try PackingFixtures.cleanCorpus()
        let folder = corpus.dir.file("bbpe")
        try AtomicFileWriter.write(try FileSystem.readAll(repositoryRoot + "/Tests/Fixtures/tokenizer/llama3-style-tokenizer.json"), to: folder + "/tokenizer.json")
        try AtomicFileWriter.write(#"{"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|end_of_text|>"}}"#, to: folder + "/tokenizer_config.json")
        var packer = try CorpusPacker(tokenizerPath: folder)
        packer.addBOS = true
        let manifest = try packer.pack(corpus: corpus.path, outputPrefix: corpus.dir.file("tokens/bb"))
        XCTAssertEqual(manifest.tokenizer, folder + "/tokenizer.json")
        XCTAssertEqual(manifest.bosID, 0)
        XCTAssertEqual(manifest.eosID, 1)
        let texts = corpus.documents["train"]!.map(\.text)
        let out = try PythonPeer.run("""
            import sys, json
            from tokenizers import Tokenizer
            t = Tokenizer.from_file(sys.argv[1])
            print(json.dumps([e.ids for e in t.encode_batch(json.load(sys.stdin), add_special_tokens=False)]))
            """, [folder + "/tokenizer.json"], stdin: String(decoding: try JSONEncoder().encode(texts), as: UTF8.self))
        let expected = try JSONDecoder().decode([[Int32]].self, from: Data(out.utf8)).map { [0] + $0 + [1] }
        XCTAssertEqual(try PackingFixtures.readWithNumpy(prefix: corpus.dir.file("tokens/bb_train")).sequences, expected)
    }
}
