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
            Megatron-LM, NeMo and GPT-NeoX read them as they are; --seq-len is recorded for the loader.
            """
    )

    @Option(help: "Tokenizer: a .model file or a directory with tokenizer.model (e.g. tokenizer merge output).")
    var tokenizer: String

    @Option(help: "Corpus directory (reads <corpus>/clean/train and clean/valid).")
    var corpus: String

    @Option(help: "Output prefix, e.g. corpora/demo/tokens/ko.")
    var out: String

    @Option(help: "Block length the training loader will cut (recorded; the datasets keep whole documents).")
    var seqLen = 2048

    @Flag(help: "Put BOS before every document.")
    var bos = false

    @Option(help: "Encoding threads.")
    var threads = 2

    @OptionGroup var output: OutputOptions

    func run() throws {
        var packer = try CorpusPacker(tokenizerPath: tokenizer)
        packer.addBOS = bos
        packer.threads = threads
        try FileSystem.createDirectory(FileSystem.directoryName(of: out))
        let progress = ProgressReporter(label: "pack", quiet: output.quiet)
        let m = try packer.pack(corpus: corpus, outputPrefix: out, progress: progress)
        let train = m.splits["train"], valid = m.splits["valid"]
        progress.finish(summary: "pack: train \(train?.documents ?? 0) documents / \(train?.tokens ?? 0) tokens, "
            + "valid \(valid?.documents ?? 0) / \(valid?.tokens ?? 0), dtype \(m.dtype), seq-len \(seqLen) -> \(out)_{train,valid}.{bin,idx}")
    }
}
