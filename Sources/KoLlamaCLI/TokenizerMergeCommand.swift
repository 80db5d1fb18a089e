import ArgumentParser
import Corpus
import Tokenization

/// `ko-llama tokenizer merge`: extend a base vocabulary with a second model's pieces.
struct TokenizerMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Append an added model's new pieces to a base model; write tokenizer.model, HF files and a report.",
        discussion: """
        Score policies: below-base (default) appends only pieces containing Hangul, scored below every \
        base piece in their original order, so text without Hangul tokenizes exactly as with the base; \
        chinese-llama appends every new piece with score 0, as the Chinese-LLaMA merge script does. \
        Measured effect of each: docs/TOKENIZER.md.
        """
    )

    @Option(help: "The base SentencePiece model (e.g. LLaMA's tokenizer.model).")
    var base: String

    @Option(help: "The model whose new pieces are appended (e.g. a Korean BPE model).")
    var add: String

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Score policy for appended pieces: below-base or chinese-llama.")
    var scorePolicy: MergeScorePolicy = .belowBase

    @Option(help: "Held-out Korean text (one text per line) for the report's before/after numbers.")
    var heldoutKorean: String?

    @Option(help: "Held-out non-Korean text files for the report's identical-to-base share.")
    var heldoutOther: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = ProgressReporter(label: "tokenizer merge", quiet: output.quiet)
        let baseModel = try SentencePieceModel.load(path: base)
        let addModel = try SentencePieceModel.load(path: add)
        let result = try VocabularyMerger.merge(base: baseModel, basePath: base, add: addModel, addPath: add, policy: scorePolicy)
        func lines(_ path: String) throws -> [[UInt8]] {
            let reader = try ByteReader(path: path)
            var all: [[UInt8]] = []
            while let l = try reader.readLine() { all.append(Array(l)) }
            return all
        }
        let report = try MergeReport.measure(
            base: baseModel, addedModel: addModel, result: result, policy: scorePolicy,
            korean: try heldoutKorean.map(lines), others: try heldoutOther.map { ($0, try lines($0)) })
        try MergedTokenizerWriter.write(result: result, report: report, to: out)
        progress.finish(summary: "tokenizer merge: \(baseModel.pieces.count) + \(result.added.count) new pieces = \(result.model.pieces.count) (overlap \(result.overlap), skipped by policy \(result.skippedByPolicy)) -> \(out)")
    }
}

extension MergeScorePolicy: ExpressibleByArgument {}
