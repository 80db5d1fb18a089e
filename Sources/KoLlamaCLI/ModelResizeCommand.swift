import ArgumentParser
import Corpus
import Modeling
import Tokenization

/// `ko-llama model resize`: grow embed_tokens and lm_head to a merged tokenizer's vocabulary.
struct ModelResize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize",
        abstract: "Grow embed_tokens and lm_head to the merged tokenizer's vocabulary; write a plain HF folder and resize.json.",
        discussion: """
            Old rows stay bit-identical (weights keep the embedding's stored dtype). New rows: \
            subword-mean (default) takes the mean of the base rows each new piece used to split into, \
            from new_token_init.jsonl beside the tokenizer (what tokenizer merge writes); mean takes \
            the mean of all old rows (transformers' mean resizing without its 1e-9-covariance noise); \
            random draws normal(0, initializer_range) from --seed. resize.json records base_vocab_size, \
            where pretrain --train-embeddings new-rows starts.
            """
    )

    enum Init: String, ExpressibleByArgument, CaseIterable {
        case subwordMean = "subword-mean", mean, random
    }

    @Option(help: "Hugging Face LLaMA folder to resize.")
    var model: String

    @Option(help: "The merged tokenizer: a folder (tokenizer merge output) or its tokenizer file.")
    var tokenizer: String

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "New-row initialization: subword-mean, mean or random.")
    var `init`: Init = .subwordMean

    @Option(help: "Random seed (--init random).")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = ProgressReporter(label: "model resize", quiet: output.quiet)
        let folder = try HFModelFolder(path: model)
        let old = folder.config.vocabSize
        let size = try TokenizerLoader.load(path: tokenizer).vocabularySize
        guard size >= old else {
            throw ModelResizeError.vocabularyShrinks(tokenizer: tokenizer, tokenizerSize: size, model: model, modelSize: old)
        }
        let initialization: EmbeddingResizer.Initialization
        switch self.`init` {
        case .subwordMean:
            let directory = FileSystem.isDirectory(tokenizer) ? tokenizer : FileSystem.directoryName(of: tokenizer)
            initialization = .subwordMean(try NewTokenInitFile.read(path: directory + "/" + NewTokenInitFile.fileName,
                                                                    baseVocabularySize: old, vocabularySize: size))
        case .mean: initialization = .mean
        case .random: initialization = .random(seed: seed)
        }
        let resized = EmbeddingResizer.resize(config: folder.config, tensors: try folder.weights(), vocabularySize: size,
                                              initialization: initialization)
        var seedUsed: UInt64?
        if case .random = initialization { seedUsed = seed }
        let record = ResizeRecord(baseVocabSize: old, vocabSize: size, initialization: initialization.name, tokenizer: tokenizer, seed: seedUsed)
        let dtype = folder.dtype(of: "model.embed_tokens.weight").flatMap { $0.isWritableFloat ? $0 : nil } ?? .f32
        try HFModelFolder.write(config: resized.config, tensors: resized.tensors, to: out, dtype: dtype,
                                extraFiles: [(ResizeRecord.fileName, record.jsonText)])
        progress.finish(summary: "model resize: \(old) -> \(size) rows (\(size - old) new, \(initialization.name), \(dtype.rawValue)) -> \(out)")
    }
}
