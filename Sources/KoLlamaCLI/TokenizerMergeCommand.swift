import ArgumentParser
import Corpus
import Tokenization

/// `ko-llama tokenizer merge`: extend a base vocabulary with a second model's pieces.
struct TokenizerMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Append an added model's new pieces to a base model; write tokenizer.model (or tokenizer.json), HF files and a report.",
        discussion: """
        SentencePiece score policies: below-base (default) appends only pieces containing Hangul, scored below every \
        base piece in their original order, so text without Hangul tokenizes exactly as with the base; \
        chinese-llama appends every new piece with score 0, as the Chinese-LLaMA merge script does. \
        Byte-level BPE (--base and --add are tokenizer.json files): only tokens whose bytes imply Hangul are \
        added, their merges ranked after every base merge, new ids after every base id. \
        Measured effect of each: docs/TOKENIZER.md.
        """
    )

    @Option(help: "The base: a SentencePiece model (e.g. LLaMA's tokenizer.model) or a byte-level tokenizer.json (e.g. SmolLM2's), or a folder holding one.")
    var base: String

    @Option(help: "The model whose new pieces are appended (e.g. a Korean BPE model), of the base's family.")
    var add: String

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "SentencePiece only: score policy for appended pieces, below-base (default) or chinese-llama.")
    var scorePolicy: MergeScorePolicy?

    @Option(help: "Held-out Korean text (one text per line) for the report's before/after numbers.")
    var heldoutKorean: String?

    @Option(help: "Held-out non-Korean text files for the report's identical-to-base share.")
    var heldoutOther: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = ProgressReporter(label: "tokenizer merge", quiet: output.quiet)
        func lines(_ path: String) throws -> [[UInt8]] {
            let reader = try ByteReader(path: path)
            var all: [[UInt8]] = []
            while let l = try reader.readLine() { all.append(Array(l)) }
            return all
        }
        let baseFile = try TokenizerLoader.file(for: base), addFile = try TokenizerLoader.file(for: add)
        if baseFile.hasSuffix(".json") != addFile.hasSuffix(".json") {
            throw ValidationError("--base \(baseFile) and --add \(addFile) are of different tokenizer families (one byte-level tokenizer.json, one SentencePiece model)")
        }
        if baseFile.hasSuffix(".json") {
            if scorePolicy != nil { throw ValidationError("--score-policy applies to SentencePiece models; a byte-level merge always ranks new merges after the base's") }
            let baseJSON = try HuggingFaceTokenizerFile.load(path: baseFile), addJSON = try HuggingFaceTokenizerFile.load(path: addFile)
            let result = try ByteLevelVocabularyMerger.merge(base: baseJSON, basePath: baseFile, add: addJSON, addPath: addFile)
            let report = try MergeReport.measure(byteLevel: result, base: baseJSON, addedModel: addJSON,
                                                 korean: try heldoutKorean.map(lines), others: try heldoutOther.map { ($0, try lines($0)) })
            try MergedTokenizerWriter.write(byteLevel: result, report: report, to: out)
            progress.finish(summary: "tokenizer merge: \(baseJSON.vocabulary.count) + \(result.added.count) new tokens = \(result.file.vocabulary.count), \(result.file.merges.count - baseJSON.merges.count) new merges (overlap \(result.overlap), skipped by policy \(result.skippedByPolicy), unreachable \(result.skippedUnreachable)) -> \(out)")
            return
        }
        let policy = scorePolicy ?? .belowBase
        let baseModel = try SentencePieceModel.load(path: baseFile)
        let addModel = try SentencePieceModel.load(path: addFile)
        let result = try VocabularyMerger.merge(base: baseModel, basePath: baseFile, add: addModel, addPath: addFile, policy: policy)
        let report = try MergeReport.measure(
            base: baseModel, addedModel: addModel, result: result, policy: policy,
            korean: try heldoutKorean.map(lines), others: try heldoutOther.map { ($0, try lines($0)) })
        try MergedTokenizerWriter.write(result: result, report: report, to: out)
        progress.finish(summary: "tokenizer merge: \(baseModel.pieces.count) + \(result.added.count) new pieces = \(result.model.pieces.count) (overlap \(result.overlap), skipped by policy \(result.skippedByPolicy)) -> \(out)")
    }
}

extension MergeScorePolicy: ExpressibleByArgument {}
