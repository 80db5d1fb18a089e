import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Packing

/// `ko-llama pack` as a script sees it: exit status, the summary line, and the files it writes
/// read back by the numpy reader.
final class PackCommandTests: XCTestCase {
    /// Runs `ko-llama pack ARGS --quiet`; returns the exit status and stderr.
    private func pack(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        try KoLlamaExecutable.run(["pack"] + arguments + ["--quiet"])
    }

    func testPackWritesWhatTheNumpyReaderReadsAndReportsSkippedLines() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        try AtomicFileWriter.write(#"{"id": "x", "text": "메타데이터 없는 문서", "source": "t", "added": "x"}"# + "\n",
                                   to: corpus.dir.file("corpus/clean/train/run-0002-00000.jsonl"))
        let out = corpus.dir.file("tokens/ko")
        let run = try pack(["--tokenizer", corpus.model, "--corpus", corpus.path, "--out", out, "--seq-len", "256", "--bos"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let train = corpus.documents["train"]!, valid = corpus.documents["valid"]!
        XCTAssertTrue(run.stderr.hasPrefix("pack: train \(train.count) documents / "), run.stderr)
        XCTAssertTrue(run.stderr.contains(" tokens (1 invalid lines skipped), valid \(valid.count) documents / "), run.stderr)
        XCTAssertTrue(run.stderr.contains(" tokens (0 invalid lines skipped), dtype uint16, seq-len 256 -> "), run.stderr)

        let manifest = try JSONDecoder().decode(PackManifest.self, from: Data(try FileSystem.readAll(out + "_manifest.json")))
        XCTAssertEqual(manifest.seqLen, 256)
        XCTAssertTrue(manifest.addBOS)
        XCTAssertEqual(manifest.splits["train"]?.skippedLines, 1)
        XCTAssertEqual(manifest.tokenizerSHA256, try PackingFixtures.sha256(corpus.model))
        XCTAssertEqual(manifest.corpusManifestSHA256, try PackingFixtures.sha256(corpus.dir.file("corpus/clean/manifest.json")))
        let bos = try XCTUnwrap(manifest.bosID), eos = try XCTUnwrap(manifest.eosID)
        for (split, docs) in [("train", train), ("valid", valid)] {
            let expected = try PackingFixtures.referenceEncoding(model: corpus.model, docs.map(\.text)).map { [bos] + $0 + [eos] }
            XCTAssertEqual(try PackingFixtures.readWithNumpy(prefix: out + "_" + split),
                           .init(dtype: "uint16", sequences: expected, documentIndex: Array(0...expected.count)), split)
            XCTAssertEqual(manifest.splits[split]?.tokens, expected.joined().count)
        }
    }

    func testNoDataIsAFailure() throws {
        let corpus = try PackingFixtures.cleanCorpus()
        let missing = try pack(["--tokenizer", corpus.model, "--corpus", corpus.dir.file("nonexistent"), "--out", corpus.dir.file("a/ko")])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("\(corpus.dir.path)/nonexistent: no such corpus directory"), missing.stderr)

        // Every training line lacks `metadata`: nothing to pack.
        try FileManager.default.removeItem(atPath: corpus.dir.file("corpus/clean/train"))
        try AtomicFileWriter.write(#"{"id": "x", "text": "메타데이터 없는 문서", "source": "t", "added": "x"}"# + "\n",
                                   to: corpus.dir.file("corpus/clean/train/run-0001-00000.jsonl"))
        let invalid = try pack(["--tokenizer", corpus.model, "--corpus", corpus.path, "--out", corpus.dir.file("b/ko")])
        XCTAssertNotEqual(invalid.status, 0)
        XCTAssertTrue(invalid.stderr.contains("clean/train: no documents to pack (1 invalid lines skipped; first: "), invalid.stderr)
        XCTAssertFalse(FileSystem.exists(corpus.dir.file("b/ko_train.bin")) || FileSystem.exists(corpus.dir.file("b/ko_manifest.json")))

        let badSeqLen = try pack(["--tokenizer", corpus.model, "--corpus", corpus.path, "--out", corpus.dir.file("c/ko"), "--seq-len", "0"])
        XCTAssertNotEqual(badSeqLen.status, 0)
        XCTAssertTrue(badSeqLen.stderr.contains("--seq-len must be positive"), badSeqLen.stderr)
    }
}
