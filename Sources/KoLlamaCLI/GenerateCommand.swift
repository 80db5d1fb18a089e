import ArgumentParser
import Corpus
import Foundation
import Modeling
import Tokenization
import Training

/// `ko-llama generate`: continue a prompt with a model (and adapter), KV-cached.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with a LLaMA folder (and a LoRA adapter); print the continuation.",
        discussion: """
            Greedy (transformers' generate(do_sample=False)) at --temperature 0, the default; \
            otherwise sampling from softmax(logits / T) within the --top-p nucleus, seeded by --seed \
            (a SplitMix64 stream: a seed repeats ko-llama's continuation, not PyTorch's). Stops at \
            EOS or after --max-tokens; a model with more rows than the tokenizer has tokens only \
            picks tokens the tokenizer can spell. --template alpaca wraps the prompt as the instruction of the \
            Korean Alpaca template that sft trains with. The prompt is encoded without BOS unless \
            --bos is given, as pack encodes documents.
            """
    )

    @Option(help: "Hugging Face LLaMA folder.")
    var model: String

    @Option(help: "PEFT LoRA adapter folder (merged in before generating).")
    var adapter: String?

    @Option(help: "Tokenizer: a .model, a tokenizer.json, or a folder holding either.")
    var tokenizer: String

    @Option(help: "The prompt text.")
    var prompt: String

    @Option(help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(help: "Nucleus (top-p) mass when sampling, in (0, 1].")
    var topP: Float = 1

    @Option(help: "Random seed for sampling.")
    var seed: UInt64 = 0

    @Option(help: "Prompt template: alpaca (the Korean Alpaca instruction format), or none.")
    var template = "none"

    @Flag(help: "Put BOS before the prompt.")
    var bos = false

    @Option(help: "Cores to use.")
    var threads = 2

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be positive") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be >= 0") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard template == "none" || template == "alpaca" else { throw ValidationError("--template must be alpaca or none") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        let text = try TokenizerLoader.load(path: tokenizer)
        let inference = try LlamaInference(modelFolder: model, adapter: adapter, threads: threads)
        guard text.vocabularySize <= inference.config.vocabSize else {
            throw CommandFailure(description: "\(tokenizer): \(text.vocabularySize) tokens, more than the \(inference.config.vocabSize) rows of \(model)")
        }
        let rendered = template == "alpaca" ? PromptTemplate.koreanAlpaca.prompt(instruction: prompt) : prompt
        var ids = text.encode(rendered)
        if bos {
            guard let b = text.bosId else { throw CommandFailure(description: "\(tokenizer): no BOS token for --bos") }
            ids.insert(b, at: 0)
        }
        guard !ids.isEmpty else { throw CommandFailure(description: "the prompt encodes to no tokens (give a prompt or --bos)") }
        let stops = Set([text.eosId, inference.config.eosTokenId.map { Int32($0) }].compactMap { $0 })
        let progress = ProgressReporter(label: "generate", total: maxTokens, quiet: output.quiet)
        let start = Date()
        let tokens = try inference.generate(prompt: ids, maxNewTokens: maxTokens,
                                            sampling: SamplingSettings(temperature: temperature, topP: topP, seed: seed),
                                            stopTokens: stops, vocabularyLimit: text.vocabularySize) { _ in
            progress.advance()
            return true
        }
        let seconds = Date().timeIntervalSince(start)
        print(try text.decode(tokens))
        let rate = Double(tokens.count) / max(seconds, 1e-9)
        progress.finish(summary: "generate: \(ids.count) prompt + \(tokens.count) new tokens in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", rate)) tokens/s)")
    }
}
