import ArgumentParser
import Corpus
import Modeling

/// `ko-llama model <action>`: create and convert Hugging Face LLaMA folders.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Create and convert Hugging Face LLaMA folders.",
        subcommands: [ModelInit.self, ModelImport.self, ModelResize.self]
    )
}

/// `ko-llama model init`: a randomly initialised LLaMA folder that transformers loads.
struct ModelInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a random LLaMA folder (config.json, generation_config.json, model.safetensors).",
        discussion: """
            Weights follow transformers' _init_weights for LlamaForCausalLM (linear and embedding \
            normal(0, initializer_range), pad row zero, norms one), drawn from a SplitMix64 stream: \
            the same --seed gives the same bytes. An existing --out folder is replaced only when it \
            holds a config.json (or is empty), and only once the new folder is complete.
            """
    )

    @Option(help: "Shape preset: tiny (256 x 4 layers) or small (the SmolLM2-135M shape).")
    var config: String

    @Option(help: "Vocabulary size (e.g. the merged tokenizer's).")
    var vocabSize: Int

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Weight storage: f32 or bf16.")
    var dtype = "f32"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        // The presets put BOS at 1 and EOS at 2.
        guard vocabSize >= 3 else { throw ValidationError("--vocab-size must be at least 3") }
        guard LlamaConfig.preset(config, vocabSize: 1) != nil else { throw ValidationError("--config must be tiny or small") }
        guard dtype == "f32" || dtype == "bf16" else { throw ValidationError("--dtype must be f32 or bf16") }
    }

    func run() throws {
        let shape = LlamaConfig.preset(config, vocabSize: vocabSize)!
        let progress = ProgressReporter(label: "model init", quiet: output.quiet)
        let tensors = ModelInitializer.initialize(config: shape, seed: seed)
        try HFModelFolder.write(config: shape, tensors: tensors, to: out, dtype: dtype == "bf16" ? .bf16 : .f32)
        let parameters = tensors.reduce(0) { $0 + $1.values.count }
        progress.finish(summary: "model init: \(config) with vocabulary \(vocabSize), \(parameters) parameters (\(dtype)), seed \(seed) -> \(out)")
    }
}
