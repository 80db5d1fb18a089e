import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Modeling
import Packing
import Tokenization

/// `ko-llama eval ppl`: perplexity on held-out documents with a given tokenizer, the paper's
/// before/after comparison (41.29 -> 11.68 on 230 held-out news articles).
struct EvalPerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppl",
        abstract: "Perplexity on held-out documents (each on its own, non-overlapping --seq-len windows).",
        discussion: """
            Documents are tokenized as pack does (EOS after each, BOS before each only with --bos yes) and cut \
            into non-overlapping windows; every token of a window but its first is predicted from the ones \
            before it in the same window. --json prints {"tokens": N, "nll": mean, "ppl": exp(mean)} where \
            tokens counts predicted tokens; --out writes the result (with the document count) as a JSON file.
            """
    )

    @OptionGroup var model: ModelArguments
    @Option(help: "Corpus directory: scores the documents of clean/<--split>.")
    var corpus: String?
    @Option(help: "Split of --corpus.")
    var split = "test"
    @Option(help: "Text file: one document per line.")
    var input: String?
    @Option(help: "Window length in tokens.")
    var seqLen = 2048
    @Option(help: "Windows per forward pass.")
    var batch = 4
    @Option(help: "Score only the first N documents (0: all).")
    var maxDocuments = 0
    @Flag(help: "Print the result as one JSON object.")
    var json = false
    @Option(help: "Also write the result to this JSON file (documents, tokens, nll, ppl).")
    var out: String?

    func validate() throws {
        guard (corpus == nil) != (input == nil) else { throw ValidationError("give exactly one of --corpus and --input") }
        guard seqLen > 1, batch > 0 else { throw ValidationError("--seq-len must be > 1 and --batch positive") }
        guard maxDocuments >= 0 else { throw ValidationError("--max-documents must be 0 (all) or positive") }
    }

    func run() throws {
        let weights = try model.loadWeights()
        let tokenizer = try model.loadTokenizer(fitting: weights.config)
        let llama = try model.inferenceModel(weights)
        let bos = model.bos == .yes
        guard let eos = tokenizer.eosId else { throw ValidationError("\(model.tokenizer) has no EOS token to end documents with") }
        var texts: [[UInt8]] = []
        if let input {
            let reader = try ByteReader(path: input)
            while let line = try reader.readLine() {
                if !line.isEmpty { texts.append(Array(line)) }
            }
        } else if let corpus {
            for shard in try CorpusSplit(corpus: corpus, name: split).shards() {
                let reader = try DocumentShardReader(path: shard)
                while let doc = try reader.next(skippingInvalid: false) { texts.append(Array(doc.text.utf8)) }
            }
        }
        if maxDocuments > 0 { texts = Array(texts.prefix(maxDocuments)) }
        guard !texts.isEmpty else { throw ValidationError("no documents in \(input ?? corpus! + "/clean/" + split)") }
        let documents = try tokenizer.encode(lines: texts, threads: model.threads).map { ids in
            (bos ? tokenizer.bosId.map { [$0] } ?? [] : []) + ids + [eos]
        }
        let result = try Perplexity.evaluate(model: llama, documents: documents, seqLen: seqLen, batch: batch)
        if let out {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFileWriter.write(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n", to: out)
        }
        if json {
            print(String(format: "{\"tokens\": %d, \"nll\": %.6f, \"ppl\": %.4f}", result.tokens, result.nll, result.ppl))
        } else {
            print(String(format: "%d documents, %d predicted tokens: nll %.4f, perplexity %.3f", result.documents, result.tokens, result.nll, result.ppl))
        }
    }
}
