import Corpus
import Foundation

/// Trains a SentencePiece BPE model natively: the same pieces, order and scores as
/// `spm_train --model_type=bpe` (google/sentencepiece v0.2.3, src/trainer_interface.cc and
/// src/bpe_model_trainer.cc) for the same corpus and settings, in bounded memory (distinct
/// words, never the corpus). See `BPEMerger` for the merge loop and its one tie difference.
public struct BPETrainer {
    /// Wall time of each phase, in seconds.
    public struct Timings: Sendable {
        public var readAndCount = 0.0
        public var alphabet = 0.0
        public var pairStatistics = 0.0
        public var merges = 0.0
        public var save = 0.0
    }

    /// What a training run produced.
    public struct Result: Sendable {
        public var model: SentencePieceModel
        public var statistics: CorpusLoadStatistics
        public var distinctWords: Int
        public var requiredCharacters: Int
        public var timings: Timings
    }

    public let options: BPETrainerOptions

    public init(options: BPETrainerOptions) {
        self.options = options
    }

    /// spm's meta pieces in id order: `<unk>`, `<s>`, `</s>` at 0, 1, 2 (no `<pad>`), then
    /// control symbols, user-defined symbols and, with byte fallback, `<0x00>`...`<0xFF>`.
    func metaPieces() throws -> [(piece: String, type: Sentencepiece_ModelProto.SentencePiece.TypeEnum)] {
        var result: [(String, Sentencepiece_ModelProto.SentencePiece.TypeEnum)] = [("<unk>", .unknown), ("<s>", .control), ("</s>", .control)]
        var seen = Set<String>()
        func add(_ piece: String, _ type: Sentencepiece_ModelProto.SentencePiece.TypeEnum) throws {
            if !seen.insert(piece).inserted { throw BPETrainerError.invalidOption("\(piece) is already defined; duplicated symbols are not allowed") }
            if piece == "<unk>" { throw BPETrainerError.invalidOption("<unk> must not be defined with --control-symbols or --user-defined-symbols") }
            if piece.isEmpty { throw BPETrainerError.invalidOption("empty symbol in --control-symbols or --user-defined-symbols") }
            if let i = result.firstIndex(where: { $0.0 == piece }) {
                result[i].1 = type  // <s> or </s> redefined: spm changes its type in place
            } else {
                result.append((piece, type))
            }
        }
        for s in options.controlSymbols { try add(s, .control) }
        for s in options.userDefinedSymbols { try add(s, .userDefined) }
        if options.byteFallback {
            for b in 0..<256 { try add(String(format: "<0x%02X>", b), .byte) }
        }
        return result
    }

    /// Reads the inputs, trains, and returns the model (not yet written).
    public func train(quiet: Bool = true) throws -> Result {
        try options.validate()
        var timings = Timings()
        let meta = try metaPieces()
        let normalizer = try TrainingTextNormalizer(normalization: options.normalization, metaPieces: meta.map(\.piece))

        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }

        var (words, statistics) = try Self.countWords(options: options, splitter: .sentencePiece(normalizer), quiet: quiet)
        timings.readAndCount = lap()

        let distinctWords = words.count
        let alphabet = try TrainingAlphabet(words: words, options: options, metaPieceCount: meta.count)
        words = WordTable(capacity: 1)  // the word table is not needed past this point: free it before the merges
        timings.alphabet = lap()

        let validity = PieceValidity(maxLength: options.maxSentencepieceLength, splitByUnicodeScript: options.splitByUnicodeScript,
                                     splitByNumber: options.splitByNumber, splitDigits: options.splitDigits)
        let requiredCount = alphabet.requiredCount, characterCodes = alphabet.characterCodes
        var merger = BPEMerger(alphabet: consume alphabet, validity: validity)
        merger.initializePairs(threads: options.threads)
        timings.pairStatistics = lap()

        let mergeCount = options.vocabSize - meta.count - requiredCount
        let merging = ProgressReporter(label: "tokenizer train: merges", total: mergeCount, quiet: quiet)
        let merged = merger.run(newPieces: mergeCount) { _ in merging.advance() }
        timings.merges = lap()
        if !quiet { merging.finish(summary: "\(merged.count) merges in \(String(format: "%.1f", timings.merges)) s") }
        if merged.count < mergeCount {
            throw BPETrainerError.vocabularyTooLarge(vocabSize: options.vocabSize, reachable: meta.count + requiredCount + merged.count)
        }

        var final: [String] = merged.map { String(decoding: $0.piece, as: UTF8.self) }
        for c in characterCodes.dropLast() { final.append(String(Unicode.Scalar(c).map(Character.init) ?? "\u{FFFD}")) }
        let model = SentencePieceModel(proto: makeProto(meta: meta, pieces: final))
        return Result(model: model, statistics: statistics, distinctWords: distinctWords, requiredCharacters: requiredCount, timings: timings)
    }

    /// Reads and counts the words of `options.inputs`, reporting what was read and skipped.
    static func countWords(options: BPETrainerOptions, splitter: WordSplitter, quiet: Bool) throws -> (WordTable, CorpusLoadStatistics) {
        let reading = ProgressReporter(label: "tokenizer train: reading sentences", quiet: quiet)
        let (words, statistics) = try WordCounter(options: options, splitter: splitter).count(progress: reading)
        if !quiet {
            reading.finish(summary: "read \(statistics.sentences) sentences (\(statistics.bytes) bytes), \(words.count) distinct words; skipped \(statistics.skippedTooLong) too long, \(statistics.skippedInvalidUTF8) non-UTF-8\(statistics.invalidUTF8Examples.isEmpty ? "" : " (" + statistics.invalidUTF8Examples.joined(separator: ", ") + ")"), \(statistics.skippedReservedCharacter) with U+2585")
        }
        return (words, statistics)
    }

    /// Trains and writes `out` and `out`'s `.vocab` beside it (spm writes `<prefix>.vocab`).
    public func train(writingTo out: String, quiet: Bool = true) throws -> Result {
        var result = try train(quiet: quiet)
        let start = Date()
        result.model.proto.trainerSpec.modelPrefix = Self.modelPrefix(of: out)
        try result.model.save(path: out)
        try AtomicFileWriter.write(result.model.vocabText(), to: Self.modelPrefix(of: out) + ".vocab")
        result.timings.save = Date().timeIntervalSince(start)
        return result
    }

    static func modelPrefix(of path: String) -> String {
        path.hasSuffix(".model") ? String(path.dropLast(6)) : path
    }

    /// spm's `Serialize`: meta pieces at their ids with score 0, the other pieces after them in
    /// order with score -index; the specs carry the settings that were given.
    private func makeProto(meta: [(piece: String, type: Sentencepiece_ModelProto.SentencePiece.TypeEnum)], pieces: [String]) -> Sentencepiece_ModelProto {
        var proto = Sentencepiece_ModelProto()
        for m in meta {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = m.piece
            p.score = 0
            p.type = m.type
            proto.pieces.append(p)
        }
        for (i, piece) in pieces.enumerated() {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = piece
            p.score = -Float(i)
            proto.pieces.append(p)
        }
        var spec = Sentencepiece_TrainerSpec()
        spec.input = options.inputs
        spec.modelType = .bpe
        spec.vocabSize = Int32(options.vocabSize)
        spec.characterCoverage = Float(options.characterCoverage)
        spec.numThreads = Int32(options.threads)
        if options.inputSentenceSize > 0 {
            spec.inputSentenceSize = UInt64(options.inputSentenceSize)
        }
        if options.maxSentenceLength != 4192 { spec.maxSentenceLength = Int32(options.maxSentenceLength) }
        if options.maxSentencepieceLength != 16 { spec.maxSentencepieceLength = Int32(options.maxSentencepieceLength) }
        if !options.splitByUnicodeScript { spec.splitByUnicodeScript = false }
        if !options.splitByNumber { spec.splitByNumber = false }
        if options.splitDigits { spec.splitDigits = true }
        if options.byteFallback { spec.byteFallback = true }
        spec.userDefinedSymbols = options.userDefinedSymbols
        spec.controlSymbols = options.controlSymbols
        proto.trainerSpec = spec
        proto.normalizerSpec = options.normalization.normalizerSpec
        return proto
    }
}
