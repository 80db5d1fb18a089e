import Corpus
import Foundation
import TestSupport
import Tokenization
import XCTest

/// The trainer's inputs and failures: text, gzip and corpus-directory inputs, skipped lines,
/// typed errors that say what is wrong, determinism across thread counts.
final class BPETrainerInputTests: XCTestCase {
    static let corpus = repositoryRoot + "/Tests/Fixtures/tokenizer-train/train.txt"

    func fixtureLines(_ count: Int) throws -> [String] {
        Array(try String(contentsOfFile: Self.corpus, encoding: .utf8).split(separator: "\n").prefix(count).map(String.init))
    }

    func pieces(_ options: BPETrainerOptions) throws -> [String] {
        try BPETrainer(options: options).train().model.pieces.map { "\($0.piece) \($0.score)" }
    }

    func testGzipTextAndCorpusDirectoryTrainLikePlainText() throws {
        let dir = try TemporaryDirectory()
        let lines = try fixtureLines(1500)
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(toFile: dir.file("a.txt"), atomically: true, encoding: .utf8)
        try AtomicFileWriter.write(GzipCompressor.member(Array(text.utf8)), to: dir.file("a.txt.gz"))
        let shards = dir.file("corpus/clean/train")
        try FileSystem.createDirectory(shards)
        // Documents of 50 paragraphs each, split over two shards.
        for shard in 0..<2 {
            let writer = try DocumentShardWriter(path: shards + "/part-\(shard).jsonl.gz")
            let half = lines.count / 2
            let part = Array(lines[(shard * half)..<(shard == 1 ? lines.count : half)])
            for (d, start) in stride(from: 0, to: part.count, by: 50).enumerated() {
                let body = part[start..<min(start + 50, part.count)].joined(separator: "\n")
                try writer.write(Document(id: "doc-\(shard)-\(d)", text: body, source: "kowiki", added: "2026-01-01T00:00:00Z"))
            }
            _ = try writer.finish()
        }

        func options(_ input: String) -> BPETrainerOptions {
            var o = BPETrainerOptions(inputs: [input], vocabSize: 1200)
            o.characterCoverage = 0.98
            return o
        }
        let plain = try pieces(options(dir.file("a.txt")))
        XCTAssertEqual(plain.count, 1200)
        XCTAssertEqual(try pieces(options(dir.file("a.txt.gz"))), plain)
        XCTAssertEqual(try pieces(options(dir.file("corpus"))), plain)
    }

    func testThreadCountDoesNotChangeTheModel() throws {
        var one = BPETrainerOptions(inputs: [Self.corpus], vocabSize: 2500)
        one.threads = 1
        var three = one
        three.threads = 3
        XCTAssertEqual(try pieces(one), try pieces(three))
    }

    func testNonUTF8LinesAreSkippedAndCountedOrRejectedWhenStrict() throws {
        let dir = try TemporaryDirectory()
        var bytes = Array((try fixtureLines(800).joined(separator: "\n") + "\n").utf8)
        bytes += [0x61, 0xFF, 0x62, 0x0A]           // line 801: invalid byte
        bytes += Array("마지막 줄\n".utf8)
        try AtomicFileWriter.write(bytes, to: dir.file("bad.txt"))
        var options = BPETrainerOptions(inputs: [dir.file("bad.txt")], vocabSize: 1000)
        options.characterCoverage = 0.98
        let result = try BPETrainer(options: options).train()
        XCTAssertEqual(result.statistics.skippedInvalidUTF8, 1)
        XCTAssertEqual(result.statistics.invalidUTF8Examples, [dir.file("bad.txt") + ":801"])
        XCTAssertEqual(result.statistics.sentences, 801)

        options.strict = true
        XCTAssertThrowsError(try BPETrainer(options: options).train()) { error in
            XCTAssertEqual("\(error)".hasPrefix(dir.file("bad.txt") + ":801"), true, "\(error)")
        }
    }

    func testOverlongLinesAndLinesWithTheUnknownCharacterAreSkipped() throws {
        let dir = try TemporaryDirectory()
        var text = try fixtureLines(800).joined(separator: "\n") + "\n"
        text += String(repeating: "가나다 ", count: 2000) + "\n"   // 20,000 bytes > 4192
        text += "예약된 ▅ 문자\n"
        try text.write(toFile: dir.file("t.txt"), atomically: true, encoding: .utf8)
        var options = BPETrainerOptions(inputs: [dir.file("t.txt")], vocabSize: 1000)
        options.characterCoverage = 0.98
        let result = try BPETrainer(options: options).train()
        XCTAssertEqual(result.statistics.skippedTooLong, 1)
        XCTAssertEqual(result.statistics.skippedReservedCharacter, 1)
        XCTAssertEqual(result.statistics.sentences, 801)
    }

    func testEmptyCorpusIsAnError() throws {
        let dir = try TemporaryDirectory()
        try "\n   \n\n".write(toFile: dir.file("empty.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BPETrainer(options: BPETrainerOptions(inputs: [dir.file("empty.txt")], vocabSize: 100)).train()) { error in
            guard case BPETrainerError.emptyCorpus = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains(dir.file("empty.txt")))
        }
    }

    func testVocabularySmallerThanTheAlphabetSaysTheNumbers() throws {
        XCTAssertThrowsError(try BPETrainer(options: BPETrainerOptions(inputs: [Self.corpus], vocabSize: 1000)).train()) { error in
            guard case let BPETrainerError.vocabularyTooSmall(vocab, required, meta) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(vocab, 1000)
            XCTAssertEqual(meta, 3)
            XCTAssertEqual(required, 1436)  // spm_train: "1000 vs 1439" (required + meta)
            XCTAssertTrue("\(error)".contains("= 1439"), "\(error)")
        }
    }

    func testVocabularyLargerThanTheCorpusAllowsIsAnError() throws {
        let dir = try TemporaryDirectory()
        try "ab ab ba\n".write(toFile: dir.file("tiny.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BPETrainer(options: BPETrainerOptions(inputs: [dir.file("tiny.txt")], vocabSize: 50)).train()) { error in
            guard case let BPETrainerError.vocabularyTooLarge(vocab, reachable) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(vocab, 50)
            XCTAssertEqual(reachable, 12)  // spm_train: "Please set it to a value <= 12" (zero-frequency merges count)
        }
    }

    func testUnreadableInputNamesThePath() throws {
        XCTAssertThrowsError(try BPETrainer(options: BPETrainerOptions(inputs: ["/nonexistent/corpus.txt"], vocabSize: 100)).train()) { error in
            guard case BPETrainerError.unreadableInput(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/corpus.txt")
        }
    }

    func testNmtNFKCNormalizesCompatibilityCharactersAndWhitespace() throws {
        let dir = try TemporaryDirectory()
        var text = try fixtureLines(600).joined(separator: "\n") + "\n"
        text += String(repeating: "ＡＢＣ\t㈜ 회사\u{3000}이름\n", count: 50)
        try text.write(toFile: dir.file("t.txt"), atomically: true, encoding: .utf8)
        var options = BPETrainerOptions(inputs: [dir.file("t.txt")], vocabSize: 1000)
        options.characterCoverage = 0.98
        options.normalization = .nmtNFKC
        let model = try BPETrainer(options: options).train(writingTo: dir.file("nfkc.model")).model
        let pieces = Set(model.pieces.map(\.piece))
        XCTAssertTrue(pieces.contains("▁ABC"), "full-width Latin becomes ASCII and the tab a word boundary")
        XCTAssertTrue(pieces.contains("▁("), "㈜ becomes (주)")
        XCTAssertFalse(pieces.contains { $0.contains("Ａ") || $0.contains("㈜") || $0.contains("\t") || $0.contains("\u{3000}") })
        XCTAssertEqual(model.proto.normalizerSpec.name, "nmt_nfkc")

        // The model carries the rule: encoding applies the same NFKC, in sentencepiece and here.
        let texts = ["ＡＢＣ ㈜", "ＡＢＣ\t㈜ 회사\u{3000}이름", "ㅋㅋ ＡＢＣ회사"]
        try AtomicFileWriter.write(texts.joined(separator: "\n") + "\n", to: dir.file("texts.txt"))
        let processor = try SentencePieceProcessor(path: dir.file("nfkc.model"))
        let ours = texts.map { processor.encode($0) }
        XCTAssertEqual(ours, try TokenizerFixtures.sentencepieceIds(model: dir.file("nfkc.model"), files: [dir.file("texts.txt")]))
        XCTAssertEqual(ours[0].first, processor.id(of: "▁ABC"))
        XCTAssertFalse(ours[0].contains(processor.unknownId), "\(ours[0])")
    }

    func testInputSentenceSizeSamplesDeterministically() throws {
        var options = BPETrainerOptions(inputs: [Self.corpus], vocabSize: 1000)
        options.characterCoverage = 0.98
        options.inputSentenceSize = 500
        let first = try BPETrainer(options: options).train()
        XCTAssertEqual(first.statistics.sentences, 500)
        XCTAssertEqual(first.statistics.linesSeen, 1175)
        XCTAssertEqual(try pieces(options), first.model.pieces.map { "\($0.piece) \($0.score)" })
        options.seed = 7
        XCTAssertNotEqual(try pieces(options), first.model.pieces.map { "\($0.piece) \($0.score)" })
    }
}
