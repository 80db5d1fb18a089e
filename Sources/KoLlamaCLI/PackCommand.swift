import ArgumentParser
import Corpus
import Foundation
import Packing

/// `ko-llama pack`: encode the cleaned corpus and write Megatron indexed datasets per split.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Encode clean/{train,valid} with a tokenizer into Megatron .bin/.idx datasets.",
        discussion: """
            Writes PREFIX_train.bin/.idx, PREFIX_valid.bin/.idx (MMIDIDX v1, uint16 when the vocabulary \
            fits, else int32; one document per sequence, EOS after each) and PREFIX_manifest.json. \
            Megatron-LM, NeMo and GPT-NeoX read them as they are; --seq-len is recorded in the manifest \
            for the loader. Fails (exit 1, nothing written) when <corpus>/clean/train is missing or a split's \
            shards yield no document; the summary counts invalid lines skipped per split.
            """
    )

    @Option(help: "Tokenizer: a .model, a byte-level tokenizer.json, or a folder holding either (e.g. tokenizer merge output).")
    var tokenizer: String

    @Option(help: "Corpus directory (reads <corpus>/clean/train and clean/valid).")
    var corpus: String

    @Option(help: "Output prefix, e.g. corpora/demo/tokens/ko.")
    var out: String

    @Option(help: "Block length the training loader will cut (recorded in the manifest; the datasets keep whole documents).")
    var seqLen = 2048

    @Flag(help: "Put BOS before every document.")
    var bos = false

    @Option(help: "Encoding threads.")
    var threads = 2

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard seqLen > 0 else { throw ValidationError("--seq-len must be positive") }
    }

    func run() throws {
        var packer = try CorpusPacker(tokenizerPath: tokenizer)
        packer.addBOS = bos
        packer.threads = max(1, threads)
        packer.seqLen = seqLen
        let progress = ProgressReporter(label: "pack", quiet: output.quiet)
        progress.finish(summary: try packer.pack(corpus: corpus, outputPrefix: out, progress: progress).summary)
    }
}
