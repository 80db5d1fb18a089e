import Corpus
import Foundation
import TestSupport
import Tokenization
import XCTest

/// Parity with the real spm_train (pip `sentencepiece`): the trainer is run on the committed
/// kowiki fixture in the same test as `SentencePieceTrainer.train`, and the models must agree
/// piece for piece, and encode text to the same ids.
final class BPETrainerFidelityTests: XCTestCase {
    static let fixtures = repositoryRoot + "/Tests/Fixtures/tokenizer-train"
    static let corpus = fixtures + "/train.txt"
    static let heldOut = fixtures + "/heldout.txt"

    /// Trains with spm in Python; `settings` is a Python keyword-argument list.
    func trainWithSpm(_ settings: String, rule: String = "identity", inputs: [String] = [BPETrainerFidelityTests.corpus], prefix: String) throws {
        try PythonPeer.run("""
        import sys, sentencepiece as spm
        spm.SentencePieceTrainer.train(input=sys.argv[2:], model_prefix=sys.argv[1], model_type='bpe',
            normalization_rule_name='\(rule)', num_threads=2, minloglevel=2, \(settings))
        """, [prefix] + inputs)
    }

    /// (piece, score, type) triples of a model file.
    func entries(_ path: String) throws -> [String] {
        try SentencePieceModel.load(path: path).pieces.map { "\($0.piece)\t\($0.score)\t\($0.type.rawValue)" }
    }

    /// Encodes every line of `text` with both models in the real sentencepiece; returns
    /// whether all ids agree and the token counts of each model.
    func encodeWithBoth(_ a: String, _ b: String, text: String) throws -> (same: Bool, tokensA: Int, tokensB: Int) {
        let out = try PythonPeer.run("""
        import sys, sentencepiece as spm
        a = spm.SentencePieceProcessor(model_file=sys.argv[1]); b = spm.SentencePieceProcessor(model_file=sys.argv[2])
        lines = open(sys.argv[3], encoding='utf-8').read().splitlines()
        ea = a.encode(lines); eb = b.encode(lines)
        print(int(ea == eb), sum(map(len, ea)), sum(map(len, eb)))
        """, [a, b, text])
        let f = out.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        return (f[0] == 1, f[1], f[2])
    }

    func assertSameModel(spmSettings: String, inputs: [String] = [BPETrainerFidelityTests.corpus], configure: (inout BPETrainerOptions) -> Void,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        try PythonPeer.require("sentencepiece")
        let dir = try TemporaryDirectory()
        var options = BPETrainerOptions(inputs: inputs, vocabSize: 0)
        configure(&options)
        try trainWithSpm(spmSettings, rule: options.normalization.rawValue, inputs: inputs, prefix: dir.file("spm"))
        _ = try BPETrainer(options: options).train(writingTo: dir.file("ko.model"))

        XCTAssertEqual(try SentencePieceModel.load(path: dir.file("ko.model")).proto.normalizerSpec,
                       try SentencePieceModel.load(path: dir.file("spm.model")).proto.normalizerSpec,
                       "normalizer_spec (rule name, precompiled charsmap) differs from spm_train's", file: file, line: line)
        let expected = try entries(dir.file("spm.model"))
        let actual = try entries(dir.file("ko.model"))
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        if let i = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first difference at id \(i): ko-llama \(actual[i]) vs spm \(expected[i])", file: file, line: line)
        }
        XCTAssertEqual(try String(contentsOfFile: dir.file("ko.vocab"), encoding: .utf8),
                       try String(contentsOfFile: dir.file("spm.vocab"), encoding: .utf8), ".vocab files differ", file: file, line: line)
        for text in inputs {
            let encoded = try encodeWithBoth(dir.file("ko.model"), dir.file("spm.model"), text: text)
            XCTAssertTrue(encoded.same, "sentencepiece encodes \(text) differently with the two models", file: file, line: line)
        }
    }

    func testVocab1000MatchesSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=1000, character_coverage=0.98") {
            $0.vocabSize = 1000
            $0.characterCoverage = 0.98
        }
    }

    func testVocab4000MatchesSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=4000, character_coverage=0.9995") { $0.vocabSize = 4000 }
    }

    func testByteFallbackMatchesSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=4000, byte_fallback=True") {
            $0.vocabSize = 4000
            $0.byteFallback = true
        }
    }

    func testSplitDigitsMatchesSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=3000, split_digits=True") {
            $0.vocabSize = 3000
            $0.splitDigits = true
        }
    }

    func testUserDefinedAndControlSymbolsMatchSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=3000, user_defined_symbols=['대한민국', '<mask>'], control_symbols=['<sep>']") {
            $0.vocabSize = 3000
            $0.userDefinedSymbols = ["대한민국", "<mask>"]
            $0.controlSymbols = ["<sep>"]
        }
    }

    func testShortPiecesWithoutNumberSplittingMatchSpmTrain() throws {
        try assertSameModel(spmSettings: "vocab_size=5000, character_coverage=1.0, max_sentencepiece_length=4, split_by_number=False, split_by_unicode_script=False") {
            $0.vocabSize = 5000
            $0.characterCoverage = 1.0
            $0.maxSentencepieceLength = 4
            $0.splitByNumber = false
            $0.splitByUnicodeScript = false
        }
    }

    /// nmt_nfkc: the trainer normalizes with spm's own precompiled charsmap and writes it into
    /// the model, so the vocabulary and the charsmap equal spm_train's. The hostile fixture adds
    /// full-width Latin, `㈜`, ligatures, compatibility jamo (which NFKC turns into conjoining
    /// jamo), odd spaces and control characters to the Korean corpus.
    func testNmtNFKCMatchesSpmTrain() throws {
        let hostile = repositoryRoot + "/Tests/Fixtures/tokenizer/hostile.txt"
        try assertSameModel(spmSettings: "vocab_size=3000", inputs: [Self.corpus, hostile]) {
            $0.vocabSize = 3000
            $0.normalization = .nmtNFKC
        }
    }

    /// On text neither model saw, the native model compresses like spm's (within 0.5%).
    func testHeldOutTokensPerCharacterMatchSpm() throws {
        try PythonPeer.require("sentencepiece")
        let dir = try TemporaryDirectory()
        try trainWithSpm("vocab_size=4000", prefix: dir.file("spm"))
        _ = try BPETrainer(options: BPETrainerOptions(inputs: [Self.corpus], vocabSize: 4000)).train(writingTo: dir.file("ko.model"))
        let encoded = try encodeWithBoth(dir.file("ko.model"), dir.file("spm.model"), text: Self.heldOut)
        let ratio = Double(encoded.tokensA) / Double(encoded.tokensB)
        XCTAssertEqual(ratio, 1.0, accuracy: 0.005, "ko-llama \(encoded.tokensA) tokens vs spm \(encoded.tokensB)")
    }

    /// The model spec says what made it, as spm_train's does.
    func testModelCarriesTrainerAndNormalizerSpecs() throws {
        let dir = try TemporaryDirectory()
        var options = BPETrainerOptions(inputs: [Self.corpus], vocabSize: 3000)
        options.byteFallback = true
        options.splitDigits = true
        _ = try BPETrainer(options: options).train(writingTo: dir.file("ko.model"))
        let model = try SentencePieceModel.load(path: dir.file("ko.model"))
        XCTAssertEqual(model.proto.trainerSpec.modelType, .bpe)
        XCTAssertEqual(model.proto.trainerSpec.vocabSize, 3000)
        XCTAssertEqual(model.proto.trainerSpec.input, [Self.corpus])
        XCTAssertEqual(model.proto.trainerSpec.modelPrefix, dir.file("ko"))
        XCTAssertEqual(model.proto.trainerSpec.characterCoverage, 0.9995)
        XCTAssertTrue(model.proto.trainerSpec.byteFallback)
        XCTAssertTrue(model.proto.trainerSpec.splitDigits)
        XCTAssertEqual(model.proto.normalizerSpec.name, "identity")
        XCTAssertTrue(model.proto.normalizerSpec.hasPrecompiledCharsmap)
        XCTAssertTrue(model.proto.normalizerSpec.addDummyPrefix)
        XCTAssertEqual(model.pieces.prefix(4).map(\.piece), ["<unk>", "<s>", "</s>", "<0x00>"])
        XCTAssertEqual(model.pieces.count, 3000)
    }
}
