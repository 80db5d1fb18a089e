import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// Byte-level BPE training against `tokenizers`' own BpeTrainer, run in the same test on the
/// same committed text under the same base pipeline (`train_from_iterator` over the lines,
/// the base's added tokens as special tokens, `initial_alphabet=ByteLevel.alphabet()`).
final class ByteLevelBPETrainerTests: XCTestCase {
    static let kowiki = TokenizerFixtures.directory + "/kowiki-train.txt"
    static let english = TokenizerFixtures.directory + "/english.txt"
    static let llama3Style = TokenizerFixtures.directory + "/llama3-style-tokenizer.json"

    /// Trains with tokenizers' BpeTrainer on the lines of `inputs` (no newline characters, as
    /// our trainer reads lines) under `base`'s normalizer and pre-tokenizer; writes `out`.
    static func trainWithTokenizers(base: String, inputs: [String], vocabSize: Int, out: String) throws {
        try PythonPeer.require("tokenizers")
        try PythonPeer.run("""
        import sys
        from tokenizers import Tokenizer, models, trainers, pre_tokenizers
        base, vocab, out = Tokenizer.from_file(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        t = Tokenizer(models.BPE())
        t.normalizer, t.pre_tokenizer, t.decoder = base.normalizer, base.pre_tokenizer, base.decoder
        specials = [a.content for _, a in sorted(base.get_added_tokens_decoder().items())]
        lines = []
        for path in sys.argv[4:]:
            lines += [l for l in open(path, encoding='utf-8').read().split('\\n') if l]
        t.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials,
                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
        t.save(out)
        """, [base, String(vocabSize), out] + inputs)
    }

    /// Tokens (by id) and merges of a tokenizer.json, as our parser reads them.
    static func vocabularyAndMerges(_ path: String) throws -> (tokens: [String], merges: [String]) {
        let f = try HuggingFaceTokenizerFile.load(path: path)
        return (f.vocabulary, f.merges.map { $0.left + " " + $0.right })
    }

    func train(base: String, inputs: [String], vocabSize: Int, tieBreak: ByteLevelBPETrainer.TieBreak, out: String) throws -> ByteLevelBPETrainer.Result {
        var options = BPETrainerOptions(inputs: inputs, vocabSize: vocabSize)
        options.maxSentenceLength = 1 << 30
        return try ByteLevelBPETrainer(base: HuggingFaceTokenizerFile.load(path: base), options: options, tieBreak: tieBreak).train(writingTo: out)
    }

    /// Same tokens at the same ids and the same merges in the same order as BpeTrainer; the
    /// output loads in tokenizers and encodes like ours; spm's tie-breaking learns a vocabulary
    /// that overlaps but differs.
    private func assertMatchesBpeTrainer(base: String, inputs: [String], vocabSize: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try TemporaryDirectory("byte-bpe-train")
        try Self.trainWithTokenizers(base: base, inputs: inputs, vocabSize: vocabSize, out: dir.file("hf.json"))
        let result = try train(base: base, inputs: inputs, vocabSize: vocabSize, tieBreak: .tokenizers, out: dir.file("ko.json"))
        let ours = try Self.vocabularyAndMerges(dir.file("ko.json")), theirs = try Self.vocabularyAndMerges(dir.file("hf.json"))
        XCTAssertEqual(result.file.vocabulary.count, vocabSize, file: file, line: line)
        XCTAssertEqual(ours.tokens.count, theirs.tokens.count, file: file, line: line)
        let shared = Set(ours.tokens).intersection(theirs.tokens).count
        XCTAssertEqual(Double(shared) / Double(theirs.tokens.count), 1.0, "vocabulary overlap with BpeTrainer", file: file, line: line)
        if let k = zip(ours.tokens, theirs.tokens).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first id that differs: \(k): ours \(ours.tokens[k]) vs BpeTrainer \(theirs.tokens[k])", file: file, line: line)
        }
        if let k = zip(ours.merges, theirs.merges).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first merge that differs: \(k): ours \(ours.merges[k]) vs BpeTrainer \(theirs.merges[k])", file: file, line: line)
        }
        XCTAssertEqual(ours.merges.count, theirs.merges.count, file: file, line: line)

        // The file is a tokenizer tokenizers loads, with the base's pipeline and special tokens.
        let texts = try ByteLevelBPETokenizerTests.texts()
        let tokenizer = try ByteLevelBPETokenizer(path: dir.file("ko.json"))
        let peer = try ByteLevelBPETokenizerTests.peerEncode(dir.file("ko.json"), texts)
        XCTAssertEqual(try tokenizer.encode(lines: texts.map { Array($0.utf8) }, threads: 2), peer.ids, "ko.json encodes differently in tokenizers", file: file, line: line)
        let baseFile = try HuggingFaceTokenizerFile.load(path: base)
        XCTAssertEqual(result.file.addedTokens.map(\.content), baseFile.addedTokens.sorted { $0.id < $1.id }.map(\.content), file: file, line: line)
        XCTAssertEqual(result.file.verbatim.map(\.json), baseFile.verbatim.map(\.json), "normalizer, pre-tokenizer, post-processor, decoder are the base's", file: file, line: line)

        // spm's order (fewer bytes, then bytewise) on ties: the same corpus, another vocabulary.
        _ = try train(base: base, inputs: inputs, vocabSize: vocabSize, tieBreak: .sentencepiece, out: dir.file("spm-order.json"))
        let spmOrder = try Self.vocabularyAndMerges(dir.file("spm-order.json"))
        let overlap = Double(Set(spmOrder.tokens).intersection(theirs.tokens).count) / Double(theirs.tokens.count)
        XCTAssertGreaterThan(overlap, 0.85, file: file, line: line)
        XCTAssertLessThan(overlap, 1.0, "ties are common in a small corpus: spm's order must learn some other tokens", file: file, line: line)
    }

    func testLLaMA3StyleBaseMatchesBpeTrainer() throws {
        try assertMatchesBpeTrainer(base: Self.llama3Style, inputs: [Self.kowiki, Self.english], vocabSize: 3000)
    }

    func testSmolLM2BaseMatchesBpeTrainer() throws {
        let dir = try ByteLevelBPETokenizerTests.smolLM2()
        try assertMatchesBpeTrainer(base: dir.file("tokenizer.json"), inputs: [Self.kowiki], vocabSize: 2000)
    }

    func testSettingsAndSizesAreChecked() throws {
        var options = BPETrainerOptions(inputs: [Self.kowiki], vocabSize: 100)
        let base = try HuggingFaceTokenizerFile.load(path: Self.llama3Style)
        XCTAssertThrowsError(try ByteLevelBPETrainer(base: base, options: options).train()) {
            XCTAssertTrue("\($0)".contains("vocabulary size 100 is smaller than the 256"), "\($0)")
        }
        options.vocabSize = 1_000_000
        XCTAssertThrowsError(try ByteLevelBPETrainer(base: base, options: options).train()) {
            XCTAssertTrue("\($0)".contains("too high for this corpus"), "\($0)")
        }
        options.vocabSize = 1000
        options.normalization = .nmtNFKC
        XCTAssertThrowsError(try ByteLevelBPETrainer(base: base, options: options).train()) {
            XCTAssertTrue("\($0)".contains("--normalization applies to SentencePiece training only"), "\($0)")
        }
    }
}
