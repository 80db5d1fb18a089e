import ArgumentParser
import Corpus
import Foundation
import Tokenization

/// `ko-llama tokenizer train`: a SentencePiece BPE model trained natively (spm_train's
/// algorithm and flags, spelled with dashes), written as `<out>` plus `<out-prefix>.vocab`; or,
/// with `--type byte-bpe --base tokenizer.json`, a byte-level BPE tokenizer.json with the base's
/// pipeline (tokenizers' BpeTrainer's vocabulary).
struct TokenizerTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a BPE SentencePiece model (as spm_train --model_type=bpe) or a byte-level BPE tokenizer.json (as tokenizers' BpeTrainer)."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case sentencepiece
        case byteBPE = "byte-bpe"
    }

    @Option(help: "sentencepiece (a .model) or byte-bpe (a tokenizer.json with --base's pipeline).")
    var type: Kind = .sentencepiece

    @Option(help: "byte-bpe: the tokenizer.json whose normalizer, pre-tokenizer, decoder, post-processor and special tokens the new one takes.")
    var base: String?

    @Option(help: "byte-bpe: order of equally frequent pairs, tokenizers (BpeTrainer's) or sentencepiece (spm_train's).")
    var tieBreak: ByteLevelBPETrainer.TieBreak = .tokenizers

    @Option(name: .long, parsing: .upToNextOption, help: "Text files (.txt, .txt.gz; one sentence per line) and/or corpus directories.")
    var input: [String]

    @Option(help: "Vocabulary size, meta pieces included.")
    var vocabSize: Int

    @Option(help: "Output model file (.model, the .vocab is written beside it; byte-bpe: a .json).")
    var out: String

    @Option(help: "Share of characters the alphabet must cover (0.98...1).")
    var characterCoverage = 0.9995

    @Option(help: "identity or nmt_nfkc (SentencePiece's NFKC rule, written into the model; see docs/TOKENIZER.md).")
    var normalization = "identity"

    @Option(help: "Threads for reading and counting.")
    var threads = 2

    @Option(help: "Sample this many sentences (0: all).")
    var inputSentenceSize = 0

    @Option(help: "Skip input lines longer than this many bytes (default 4192, as spm_train; byte-bpe: no limit, as tokenizers).")
    var maxSentenceLength: Int?

    @Option(help: "Longest piece, in characters.")
    var maxSentencepieceLength = 16

    @Option(help: "Forbid pieces that mix Unicode scripts (true/false).")
    var splitByUnicodeScript = true

    @Option(help: "Forbid pieces that mix digits with other characters (true/false).")
    var splitByNumber = true

    @Flag(help: "Every digit is its own piece.")
    var splitDigits = false

    @Flag(help: "Add <0x00>...<0xFF> byte pieces.")
    var byteFallback = false

    @Option(help: "Comma-separated user-defined symbols.")
    var userDefinedSymbols = ""

    @Option(help: "Comma-separated control symbols.")
    var controlSymbols = ""

    @Option(help: "Seed of the sentence sampler.")
    var seed: UInt64 = 12_345_678

    @Flag(help: "Fail on a non-UTF-8 line instead of skipping it.")
    var strict = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let rule = BPETrainerOptions.Normalization(rawValue: normalization) else {
            throw ValidationError("--normalization must be identity or nmt_nfkc")
        }
        var options = BPETrainerOptions(inputs: input, vocabSize: vocabSize)
        options.characterCoverage = characterCoverage
        options.normalization = rule
        options.threads = threads
        options.inputSentenceSize = inputSentenceSize
        options.maxSentenceLength = maxSentenceLength ?? (type == .byteBPE ? 1 << 30 : 4192)
        options.maxSentencepieceLength = maxSentencepieceLength
        options.splitByUnicodeScript = splitByUnicodeScript
        options.splitByNumber = splitByNumber
        options.splitDigits = splitDigits
        options.byteFallback = byteFallback
        options.userDefinedSymbols = Self.list(userDefinedSymbols)
        options.controlSymbols = Self.list(controlSymbols)
        options.seed = seed
        options.strict = strict
        if type == .byteBPE {
            guard let base else { throw ValidationError("--type byte-bpe needs --base <tokenizer.json>") }
            let trainer = ByteLevelBPETrainer(base: try HuggingFaceTokenizerFile.load(path: TokenizerLoader.file(for: base)), options: options, tieBreak: tieBreak)
            let result = try trainer.train(writingTo: out, quiet: output.quiet)
            let t = result.timings
            FileHandle.standardError.write(Data(String(format: "wrote %@ (%d tokens, %d merges, %d distinct words); read+count %.2fs, pair stats %.2fs, merges %.2fs, save %.2fs\n",
                                                       out, result.file.vocabulary.count, result.file.merges.count, result.distinctWords,
                                                       t.readAndCount, t.pairStatistics, t.merges, t.save).utf8))
            return
        }
        if base != nil { throw ValidationError("--base applies to --type byte-bpe only") }
        let result = try BPETrainer(options: options).train(writingTo: out, quiet: output.quiet)
        let t = result.timings
        FileHandle.standardError.write(Data(String(format: "wrote %@ (%d pieces, %d required characters, %d distinct words); read+count %.2fs, alphabet %.2fs, pair stats %.2fs, merges %.2fs, save %.2fs\n",
                                                   out, result.model.pieces.count, result.requiredCharacters, result.distinctWords,
                                                   t.readAndCount, t.alphabet, t.pairStatistics, t.merges, t.save).utf8))
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}

extension ByteLevelBPETrainer.TieBreak: ExpressibleByArgument {}
