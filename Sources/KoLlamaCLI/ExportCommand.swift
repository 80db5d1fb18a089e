import ArgumentParser
import Corpus
import Modeling

/// `ko-llama export`: a LoRA adapter merged into a plain Hugging Face folder.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Merge a LoRA adapter (and its trained embedding/head rows) into a plain Hugging Face LLaMA folder.",
        discussion: """
            Each adapted projection becomes W + scaling * B A (PEFT's merge_and_unload); trained \
            embed_tokens / lm_head copies or rows replace the base's. The result loads with \
            LlamaForCausalLM.from_pretrained alone, no PEFT. An existing --out folder is replaced \
            only when it holds a config.json (or is empty), and only once the new folder is complete.
            """
    )

    @Option(help: "The base Hugging Face LLaMA folder the adapter was trained on.")
    var model: String

    @Option(help: "PEFT LoRA adapter folder.")
    var adapter: String

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Weight storage: f32 or bf16.")
    var dtype = "f32"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard dtype == "f32" || dtype == "bf16" else { throw ValidationError("--dtype must be f32 or bf16") }
    }

    func run() throws {
        let progress = ProgressReporter(label: "export", quiet: output.quiet)
        let merged = try LlamaInference(modelFolder: model, adapter: adapter)
        try HFModelFolder.write(config: merged.config, tensors: merged.tensors(), to: out, dtype: dtype == "bf16" ? .bf16 : .f32)
        progress.finish(summary: "export: \(model) + \(adapter) merged (\(dtype)) -> \(out)")
    }
}
