import Corpus
import Foundation

/// Trains a byte-level BPE `tokenizer.json` with the pipeline of a base tokenizer.json: what
/// `tokenizers`' `BpeTrainer(vocab_size=N, special_tokens=<base's added tokens>,
/// initial_alphabet=ByteLevel.alphabet())` learns when `Tokenizer.train_from_iterator` runs it
/// under the base's normalizer and pre-tokenizer. Words come from that pipeline
/// (`WordSplitter.preTokenizer`), the alphabet is all 256 bytes, and the merge loop is the
/// shared `BPEMerger` with BpeTrainer's tie-breaking (or spm's, on request). The output keeps the
/// base's normalizer, pre-tokenizer, post-processor, decoder, model flags and added tokens (at
/// ids 0..., as BpeTrainer puts special tokens first), then the 256 bytes, then the merges.
public struct ByteLevelBPETrainer {
    /// Which trainer's order to follow when pairs are equally frequent.
    public enum TieBreak: String, Sendable, CaseIterable {
        /// BpeTrainer: the smaller (left id, right id) pair first; a token reached by a second
        /// pair is merged again under the same id (another merge rule, no new token).
        case tokenizers
        /// spm_train: fewer bytes first, then the bytewise smaller token; a token reached a
        /// second way is dropped.
        case sentencepiece
    }

    /// What a training run produced.
    public struct Result: Sendable {
        public var file: HuggingFaceTokenizerFile
        public var statistics: CorpusLoadStatistics
        public var distinctWords: Int
        public var timings: BPETrainer.Timings
    }

    public let base: HuggingFaceTokenizerFile
    /// Read settings: inputs, threads, sampling, `maxSentenceLength`, `strict`, `vocabSize`
    /// (special tokens and the 256 bytes included). SentencePiece-only settings must be left at
    /// their defaults.
    public let options: BPETrainerOptions
    public let tieBreak: TieBreak

    public init(base: HuggingFaceTokenizerFile, options: BPETrainerOptions, tieBreak: TieBreak = .tokenizers) {
        self.base = base
        self.options = options
        self.tieBreak = tieBreak
    }

    /// The 256 bytes in the order of their byte-level characters' code points: BpeTrainer's
    /// alphabet ids (it sorts the alphabet by character).
    static let byteOrder: [UInt8] = (0..<256).map { UInt8($0) }.sorted { ByteLevelAlphabet.scalarOfByte[Int($0)] < ByteLevelAlphabet.scalarOfByte[Int($1)] }

    public func train(quiet: Bool = true) throws -> Result {
        try options.validate()
        let defaults = BPETrainerOptions(inputs: options.inputs, vocabSize: options.vocabSize)
        let spmOnly: [(String, Bool)] = [
            ("--character-coverage", options.characterCoverage != defaults.characterCoverage),
            ("--normalization", options.normalization != defaults.normalization),
            ("--max-sentencepiece-length", options.maxSentencepieceLength != defaults.maxSentencepieceLength),
            ("--split-by-unicode-script", options.splitByUnicodeScript != defaults.splitByUnicodeScript),
            ("--split-by-number", options.splitByNumber != defaults.splitByNumber),
            ("--split-digits", options.splitDigits), ("--byte-fallback", options.byteFallback),
            ("--user-defined-symbols", !options.userDefinedSymbols.isEmpty), ("--control-symbols", !options.controlSymbols.isEmpty),
        ]
        if let set = spmOnly.first(where: \.1) {
            throw BPETrainerError.invalidOption("\(set.0) applies to SentencePiece training only; a byte-level BPE takes its pipeline from --base")
        }
        let specials = base.addedTokens.sorted { $0.id < $1.id }
        let newPieces = options.vocabSize - specials.count - 256
        if newPieces < 0 {
            throw BPETrainerError.vocabularyTooSmall(vocabSize: options.vocabSize, requiredCharacters: 256, metaPieces: specials.count)
        }
        var timings = BPETrainer.Timings()
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }

        var (words, statistics) = try BPETrainer.countWords(options: options, splitter: .preTokenizer(base), quiet: quiet)
        timings.readAndCount = lap()
        if words.count == 0 { throw BPETrainerError.emptyCorpus(inputs: options.inputs) }
        let distinctWords = words.count
        let alphabet = TrainingAlphabet(byteWords: words, byteOrder: Self.byteOrder)
        words = WordTable(capacity: 1)
        timings.alphabet = lap()

        var merger = BPEMerger(alphabet: consume alphabet, validity: nil, rules: tieBreak == .tokenizers ? .tokenizers : .sentencePiece)
        merger.initializePairs(threads: options.threads)
        timings.pairStatistics = lap()
        let merging = ProgressReporter(label: "tokenizer train: merges", total: newPieces, quiet: quiet)
        let steps = merger.run(newPieces: newPieces) { _ in merging.advance() }
        timings.merges = lap()
        let reached = steps.filter(\.isNewPiece).count
        if !quiet { merging.finish(summary: "\(steps.count) merges, \(reached) new tokens in \(String(format: "%.1f", timings.merges)) s") }
        if reached < newPieces {
            throw BPETrainerError.vocabularyTooLarge(vocabSize: options.vocabSize, reachable: specials.count + 256 + reached)
        }

        // Special tokens first (BpeTrainer's order), then the alphabet, then each new token.
        var file = base
        file.vocabulary = specials.map(\.content) + Self.byteOrder.map { ByteLevelAlphabet.token(of: [$0]) }
        file.addedTokens = specials.enumerated().map { i, t in
            var t = t
            t.id = Int32(i)
            return t
        }
        var known = Set(file.vocabulary)
        file.merges = []
        for step in steps {
            let left = ByteLevelAlphabet.token(of: step.left), right = ByteLevelAlphabet.token(of: step.right)
            file.merges.append((left, right))
            // A token whose spelling is already a special token's shares its id, as in BpeTrainer.
            if known.insert(left + right).inserted { file.vocabulary.append(left + right) }
        }
        file.inModel = [Bool](repeating: true, count: file.vocabulary.count)
        return Result(file: file, statistics: statistics, distinctWords: distinctWords, timings: timings)
    }

    /// Trains and writes the tokenizer.json to `out`.
    public func train(writingTo out: String, quiet: Bool = true) throws -> Result {
        var result = try train(quiet: quiet)
        let start = Date()
        try AtomicFileWriter.write(Array(result.file.json().utf8), to: out)
        result.timings.save = Date().timeIntervalSince(start)
        return result
    }
}
