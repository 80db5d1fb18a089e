import Foundation

/// Settings of the native BPE trainer: the subset of SentencePiece's `TrainerSpec` that
/// `spm_train --model_type=bpe` uses, with the same defaults (src/sentencepiece_model.proto).
public struct BPETrainerOptions: Sendable, Equatable {
    /// How sentences are normalized before counting (SentencePiece's `normalization_rule_name`).
    public enum Normalization: String, Sendable, CaseIterable {
        /// No character mapping; only SentencePiece's whitespace handling.
        case identity
        /// SentencePiece's built-in rule: NFKC plus NMT whitespace/control-character mappings,
        /// applied through spm's own precompiled charsmap (`NmtNFKCCharsmap`).
        case nmtNFKC = "nmt_nfkc"

        /// The `normalizer_spec` spm_train writes for this rule (whitespace settings at spm's
        /// defaults); the trainer normalizes its input with it, so training and encoding agree.
        var normalizerSpec: Sentencepiece_NormalizerSpec {
            var spec = Sentencepiece_NormalizerSpec()
            spec.name = rawValue
            spec.precompiledCharsmap = self == .nmtNFKC ? NmtNFKCCharsmap.bytes : Data()
            return spec
        }
    }

    /// Plain text files (`.txt`, `.txt.gz`, one sentence per line) and/or corpus directories.
    public var inputs: [String]
    public var vocabSize: Int
    public var characterCoverage: Double = 0.9995
    public var normalization: Normalization = .identity
    /// Worker threads for reading, counting and the initial pair statistics.
    public var threads = 2
    /// Sentences sampled (reservoir, `seed`) from the input; 0 keeps every sentence.
    public var inputSentenceSize = 0
    /// Longer input lines (in bytes) are skipped and counted, like spm's `max_sentence_length`.
    public var maxSentenceLength = 4192
    public var maxSentencepieceLength = 16
    public var splitByUnicodeScript = true
    public var splitByNumber = true
    public var splitDigits = false
    public var byteFallback = false
    public var userDefinedSymbols: [String] = []
    public var controlSymbols: [String] = []
    /// Seed of the sentence sampler used when `inputSentenceSize` > 0 (spm's fixed seed).
    public var seed: UInt64 = 12_345_678
    /// Treat a non-UTF-8 line as an error instead of a counted skip.
    public var strict = false

    public init(inputs: [String], vocabSize: Int) {
        self.inputs = inputs
        self.vocabSize = vocabSize
    }

    /// Range checks from spm's `VerifySpec`.
    public func validate() throws {
        func check(_ ok: Bool, _ detail: String) throws {
            if !ok { throw BPETrainerError.invalidOption(detail) }
        }
        try check(!inputs.isEmpty, "at least one --input is required")
        try check(vocabSize > 0, "--vocab-size must be positive")
        try check(characterCoverage >= 0.98 && characterCoverage <= 1.0, "--character-coverage must be in 0.98...1.0")
        try check(inputSentenceSize == 0 || (100...100_000_000).contains(inputSentenceSize), "--input-sentence-size must be 0 or in 100...100000000")
        try check((1...512).contains(maxSentencepieceLength), "--max-sentencepiece-length must be in 1...512")
        try check((10...1_073_741_824).contains(maxSentenceLength), "--max-sentence-length must be in 10...1073741824")
        try check((1...128).contains(threads), "--threads must be in 1...128")
    }
}
