/// Maps a `general.architecture = llama` GGUF to a Hugging Face LLaMA checkpoint: the
/// `LlamaConfig` and the fp32 tensors under transformers' names and shapes. Mirrors transformers'
/// GGUF loader (`modeling_gguf_pytorch_utils.load_gguf_checkpoint` with `GGUF_CONFIG_MAPPING`
/// and `LlamaTensorProcessor`): `llama.*` keys become config fields, `vocab_size` falls back to the
/// token list's length, embeddings are tied when there is no `output.weight`, shapes are GGUF's
/// reversed, and the rows of `attn_q` / `attn_k` are put back from llama.cpp's rotary order
/// (`reverse_permute` with n_head, and n_head_kv for K).
public struct GGUFLlamaImporter: Sendable {
    public let file: GGUFFile
    public let config: LlamaConfig
    /// Transformers' names in checkpoint order, each with the GGUF tensor it comes from.
    public let plan: [(name: String, source: GGUFTensorInfo)]

    public init(file: GGUFFile) throws {
        self.file = file
        let path = file.path
        let architecture = try file.string("general.architecture")
        guard architecture == "llama" else {
            throw GGUFError.unsupported(path: path, detail: "general.architecture is \(architecture.map { "'\($0)'" } ?? "missing"); only llama is imported")
        }
        /// A size from the metadata, within 1 ..< 2^26 so that products of two cannot overflow.
        func size(_ key: String, default fallback: Int? = nil) throws -> Int {
            guard let v = try file.integer(key) ?? fallback else {
                throw GGUFError.metadata(path: path, key: key, detail: "missing")
            }
            guard (1..<(1 << 26)).contains(v) else { throw GGUFError.metadata(path: path, key: key, detail: "\(v) is out of range") }
            return v
        }
        func required(_ key: String) throws -> Int { try size("llama." + key) }
        if let scaling = try file.string("llama.rope.scaling.type"), scaling != "none" {
            throw GGUFError.unsupported(path: path, detail: "rope scaling '\(scaling)' (llama.rope.scaling.type) is not supported")
        }
        if file.tensor(named: "rope_freqs.weight") != nil {
            throw GGUFError.unsupported(path: path, detail: "rope_freqs.weight (LLaMA-3.1 rope scaling) is not supported")
        }
        let hidden = try required("embedding_length")
        let heads = try required("attention.head_count")
        let kvHeads = try size("llama.attention.head_count_kv", default: heads)
        let headDim = try size("llama.rope.dimension_count", default: max(1, hidden / heads))
        guard heads % kvHeads == 0, headDim % 2 == 0 else {
            throw GGUFError.metadata(path: path, key: "llama.attention.head_count_kv", detail: "\(heads) heads, \(kvHeads) KV heads and head dim \(headDim) do not fit together")
        }
        let tokenCount: Int?
        if case let .array(tokens)? = file.value("tokenizer.ggml.tokens") { tokenCount = tokens.count } else { tokenCount = nil }
        let vocab = try size("llama.vocab_size", default: tokenCount)
        let config = LlamaConfig(
            vocabSize: vocab, hiddenSize: hidden, intermediateSize: try required("feed_forward_length"),
            numHiddenLayers: try required("block_count"), numAttentionHeads: heads, numKeyValueHeads: kvHeads,
            headDim: headDim,
            rmsNormEps: Float(try file.float("llama.attention.layer_norm_rms_epsilon") ?? 1e-6),
            ropeTheta: Float(try file.float("llama.rope.freq_base") ?? 10000),
            maxPositionEmbeddings: try required("context_length"),
            tieWordEmbeddings: file.tensor(named: "output.weight") == nil,
            // transformers' LlamaConfig defaults when the file names none.
            bosTokenId: try file.integer("tokenizer.ggml.bos_token_id") ?? 1,
            eosTokenId: try file.integer("tokenizer.ggml.eos_token_id") ?? 2,
            padTokenId: try file.integer("tokenizer.ggml.padding_token_id"))
        self.config = config

        var plan: [(name: String, source: GGUFTensorInfo)] = []
        var used = Set<String>()
        func take(_ ggufName: String, _ hfName: String, _ shape: [Int]) throws {
            guard let t = file.tensor(named: ggufName) else {
                throw GGUFError.tensor(path: path, name: ggufName, detail: "missing (needed for \(hfName))")
            }
            guard t.shape == shape else {
                throw GGUFError.tensor(path: path, name: ggufName, detail: "shape \(t.shape) (GGUF order \(t.dimensions)), expected \(shape) from the metadata")
            }
            try GGUFDequantizer.check(t, path: path)
            plan.append((hfName, t))
            used.insert(ggufName)
        }
        let h = hidden, q = config.queryWidth, kv = config.keyValueWidth, ffn = config.intermediateSize
        try take("token_embd.weight", "model.embed_tokens.weight", [vocab, h])
        for i in 0..<config.numHiddenLayers {
            let g = "blk.\(i).", m = "model.layers.\(i)."
            try take(g + "attn_q.weight", m + "self_attn.q_proj.weight", [q, h])
            try take(g + "attn_k.weight", m + "self_attn.k_proj.weight", [kv, h])
            try take(g + "attn_v.weight", m + "self_attn.v_proj.weight", [kv, h])
            try take(g + "attn_output.weight", m + "self_attn.o_proj.weight", [h, q])
            try take(g + "ffn_gate.weight", m + "mlp.gate_proj.weight", [ffn, h])
            try take(g + "ffn_up.weight", m + "mlp.up_proj.weight", [ffn, h])
            try take(g + "ffn_down.weight", m + "mlp.down_proj.weight", [h, ffn])
            try take(g + "attn_norm.weight", m + "input_layernorm.weight", [h])
            try take(g + "ffn_norm.weight", m + "post_attention_layernorm.weight", [h])
        }
        try take("output_norm.weight", "model.norm.weight", [h])
        if !config.tieWordEmbeddings { try take("output.weight", "lm_head.weight", [vocab, h]) }
        // Anything else (biases, extra blocks) would be silently dropped: refuse instead.
        if let extra = file.tensors.first(where: { !used.contains($0.name) }) {
            throw GGUFError.tensor(path: path, name: extra.name, detail: "not part of a LLaMA checkpoint with this metadata")
        }
        self.plan = plan
    }

    /// One tensor of the plan, dequantized, in transformers' layout.
    public func tensor(at index: Int) throws -> NamedTensor {
        let (name, source) = plan[index]
        var values = try file.dequantize(source)
        if source.name.hasSuffix(".attn_q.weight") {
            values = Self.reversePermute(values, rows: source.shape[0], heads: config.numAttentionHeads)
        } else if source.name.hasSuffix(".attn_k.weight") {
            values = Self.reversePermute(values, rows: source.shape[0], heads: config.numKeyValueHeads)
        }
        return NamedTensor(name: name, shape: source.shape, values: values)
    }

    /// Every tensor of the plan, in order (the whole model in fp32 memory).
    public func importAll() throws -> (config: LlamaConfig, tensors: [NamedTensor]) {
        (config, try plan.indices.map(tensor(at:)))
    }

    /// Undoes llama.cpp's `permute` of a `[rows, cols]` row-major matrix: within each head's
    /// `2 * d` rows, GGUF row `2 * i + t` is transformers' row `t * d + i` (transformers'
    /// `reshape(n_head, d, 2, cols).swapaxes(2, 1)`).
    static func reversePermute(_ values: [Float], rows: Int, heads: Int) -> [Float] {
        let cols = values.count / rows, d = rows / heads / 2
        precondition(d * 2 * heads == rows, "rows \(rows) do not split into \(heads) heads of two halves")
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for h in 0..<heads {
                    for t in 0..<2 {
                        for i in 0..<d {
                            let from = (h * 2 * d + 2 * i + t) * cols, to = (h * 2 * d + t * d + i) * cols
                            for c in 0..<cols { dst[to + c] = src[from + c] }
                        }
                    }
                }
            }
        }
        return out
    }
}
