import Corpus

/// The hyper-parameters of a LLaMA-architecture model, as transformers' `LlamaConfig` names them
/// (`config.json`). Field names are the Swift spellings of the JSON keys.
public struct LlamaConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    /// `head_dim` when the config gives it, else hidden / heads.
    public var headDim: Int
    public var rmsNormEps: Float
    /// `rope_theta` (v4) or `rope_parameters.rope_theta` (v5).
    public var ropeTheta: Float
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    public var initializerRange: Float
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int,
                numAttentionHeads: Int, numKeyValueHeads: Int, headDim: Int? = nil, rmsNormEps: Float = 1e-6,
                ropeTheta: Float = 10000, maxPositionEmbeddings: Int = 2048, tieWordEmbeddings: Bool = false,
                initializerRange: Float = 0.02, bosTokenId: Int? = 1, eosTokenId: Int? = 2, padTokenId: Int? = nil) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.headDim = headDim ?? hiddenSize / numAttentionHeads
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.initializerRange = initializerRange
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
    }

    /// Width of the query projection's output (heads x head_dim).
    public var queryWidth: Int { numAttentionHeads * headDim }
    /// Width of the key and value projections' outputs (KV heads x head_dim).
    public var keyValueWidth: Int { numKeyValueHeads * headDim }

    /// The named shapes of `model init`: `tiny` is the benchmark shape of BENCHMARKS.md,
    /// `small` the SmolLM2-135M shape.
    public static func preset(_ name: String, vocabSize: Int) -> LlamaConfig? {
        switch name {
        case "tiny":
            return LlamaConfig(vocabSize: vocabSize, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4,
                               numAttentionHeads: 4, numKeyValueHeads: 4, rmsNormEps: 1e-6, ropeTheta: 10000,
                               maxPositionEmbeddings: 2048, tieWordEmbeddings: false)
        case "small":
            return LlamaConfig(vocabSize: vocabSize, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30,
                               numAttentionHeads: 9, numKeyValueHeads: 3, rmsNormEps: 1e-5, ropeTheta: 100000,
                               maxPositionEmbeddings: 8192, tieWordEmbeddings: true, initializerRange: 0.041)
        default:
            return nil
        }
    }
}

// MARK: - config.json

extension LlamaConfig {
    /// Reads a transformers `config.json`: v4 spellings (`rope_theta`, `rope_scaling`,
    /// `torch_dtype`) and v5 ones (`rope_parameters`, `dtype`) both. Absent optional keys take
    /// transformers' `LlamaConfig` defaults; a list-valued token id gives its first entry.
    /// Anything the LLaMA forward here does not compute (another model type or activation,
    /// biases, RoPE scaling) is an error naming the key, never silently ignored.
    public static func load(path: String) throws -> LlamaConfig {
        try parse(ConfigObject.read(path))
    }

    static func parse(_ json: ConfigObject) throws -> LlamaConfig {
        let modelType = try json.string("model_type")
        guard modelType == "llama" else { throw json.error("model_type", "\"\(modelType)\" is not supported (only \"llama\")") }
        if let act = try json.optionalString("hidden_act"), act != "silu" {
            throw json.error("hidden_act", "\"\(act)\" is not supported (only \"silu\")")
        }
        for key in ["attention_bias", "mlp_bias"] where try json.bool(key, default: false) {
            throw json.error(key, "biases are not supported")
        }
        var ropeTheta = try json.optionalDouble("rope_theta") ?? 10000
        for key in ["rope_parameters", "rope_scaling"] {
            guard let rope = try json.optionalObject(key) else { continue }
            let type = try rope.optionalString("rope_type") ?? rope.optionalString("type") ?? "default"
            guard type == "default" else { throw json.error(key, "RoPE type \"\(type)\" is not supported (only \"default\")") }
            if let theta = try rope.optionalDouble("rope_theta") { ropeTheta = theta }
        }
        let heads = try json.positiveInt("num_attention_heads")
        let config = LlamaConfig(
            vocabSize: try json.positiveInt("vocab_size"),
            hiddenSize: try json.positiveInt("hidden_size"),
            intermediateSize: try json.positiveInt("intermediate_size"),
            numHiddenLayers: try json.positiveInt("num_hidden_layers"),
            numAttentionHeads: heads,
            numKeyValueHeads: try json.has("num_key_value_heads") ? json.positiveInt("num_key_value_heads") : heads,
            headDim: try json.has("head_dim") ? json.positiveInt("head_dim") : nil,
            rmsNormEps: Float(try json.optionalDouble("rms_norm_eps") ?? 1e-6),
            ropeTheta: Float(ropeTheta),
            maxPositionEmbeddings: try json.has("max_position_embeddings") ? json.positiveInt("max_position_embeddings") : 2048,
            tieWordEmbeddings: try json.bool("tie_word_embeddings", default: false),
            initializerRange: Float(try json.optionalDouble("initializer_range") ?? 0.02),
            bosTokenId: try tokenId(json, "bos_token_id", default: 1),
            eosTokenId: try tokenId(json, "eos_token_id", default: 2),
            padTokenId: try tokenId(json, "pad_token_id", default: nil))
        // Without head_dim, transformers takes hidden / heads: it must come out whole.
        if !json.has("head_dim") && config.hiddenSize % heads != 0 {
            throw json.error("hidden_size", "\(config.hiddenSize) is not divisible by num_attention_heads \(heads)")
        }
        try config.check { key, detail in json.error(key, detail) }
        return config
    }

    /// A token id key: an integer, a list (its first entry; transformers allows several EOS ids),
    /// null, or absent (`fallback`).
    private static func tokenId(_ json: ConfigObject, _ key: String, default fallback: Int?) throws -> Int? {
        guard json.fields[key] != nil else { return fallback }
        guard let value = json.value(key) else { return nil }
        if case let .array(items) = value {
            guard let first = items.first else { return nil }
            return try json.int(first, key)
        }
        return try json.int(value, key)
    }

    /// The consistency rules of a config this project can run; `fail` builds the error for a key.
    private func check(_ fail: (String, String) -> ModelingError) throws {
        let sizes: [(String, Int)] = [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                                      ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
                                      ("num_key_value_heads", numKeyValueHeads), ("head_dim", headDim),
                                      ("max_position_embeddings", maxPositionEmbeddings)]
        for (key, value) in sizes where value <= 0 { throw fail(key, "must be positive, found \(value)") }
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw fail("num_key_value_heads", "\(numKeyValueHeads) does not divide num_attention_heads \(numAttentionHeads)")
        }
        guard headDim % 2 == 0 else { throw fail("head_dim", "\(headDim) is odd (RoPE rotates pairs)") }
        guard rmsNormEps.isFinite && rmsNormEps > 0 else { throw fail("rms_norm_eps", "must be a positive number, found \(rmsNormEps)") }
        guard ropeTheta.isFinite && ropeTheta > 0 else { throw fail("rope_theta", "must be a positive number, found \(ropeTheta)") }
        guard initializerRange.isFinite && initializerRange >= 0 else {
            throw fail("initializer_range", "must be a non-negative number, found \(initializerRange)")
        }
        for (key, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)] {
            if let id, !(0..<vocabSize).contains(id) { throw fail(key, "\(id) is outside the vocabulary 0..<\(vocabSize)") }
        }
    }

    /// Throws `ModelingError.invalidConfig` naming `path` and the key when this config could not
    /// be run or written (non-positive sizes, KV heads not dividing heads, a token id outside the
    /// vocabulary, ...).
    public func validate(path: String) throws {
        try check { key, detail in ModelingError.invalidConfig(path: path, key: key, detail: detail) }
    }

    /// The config.json text transformers writes for `LlamaForCausalLM` (sorted keys, indent 2),
    /// with both RoPE spellings (`rope_parameters` for v5, `rope_theta` for v4) and both dtype
    /// spellings (`dtype`, `torch_dtype`).
    public func jsonText(dtype: SafeTensorsDType = .f32) -> String {
        func id(_ v: Int?) -> JSONText { v.map { .int($0) } ?? .null }
        return JSONText.object([
            ("architectures", .array([.string("LlamaForCausalLM")])),
            ("attention_bias", .bool(false)),
            ("attention_dropout", .float(0)),
            ("bos_token_id", id(bosTokenId)),
            ("dtype", .string(dtype.torchName)),
            ("eos_token_id", id(eosTokenId)),
            ("head_dim", .int(headDim)),
            ("hidden_act", .string("silu")),
            ("hidden_size", .int(hiddenSize)),
            ("initializer_range", .float(initializerRange)),
            ("intermediate_size", .int(intermediateSize)),
            ("max_position_embeddings", .int(maxPositionEmbeddings)),
            ("mlp_bias", .bool(false)),
            ("model_type", .string("llama")),
            ("num_attention_heads", .int(numAttentionHeads)),
            ("num_hidden_layers", .int(numHiddenLayers)),
            ("num_key_value_heads", .int(numKeyValueHeads)),
            ("pad_token_id", id(padTokenId)),
            ("pretraining_tp", .int(1)),
            ("rms_norm_eps", .float(rmsNormEps)),
            ("rope_parameters", .object([("rope_theta", .float(ropeTheta)), ("rope_type", .string("default"))])),
            ("rope_theta", .float(ropeTheta)),
            ("tie_word_embeddings", .bool(tieWordEmbeddings)),
            ("torch_dtype", .string(dtype.torchName)),
            ("use_cache", .bool(true)),
            ("vocab_size", .int(vocabSize)),
        ]).pretty
    }

    /// Writes `jsonText(dtype:)` to `path` atomically, after `validate(path:)`.
    public func write(path: String, dtype: SafeTensorsDType = .f32) throws {
        try validate(path: path)
        try AtomicFileWriter.write(jsonText(dtype: dtype), to: path)
    }

    /// Every weight of `LlamaForCausalLM` with this config, in transformers' state-dict order:
    /// the embedding, per layer the four attention and three MLP projections then the two norms,
    /// the final norm, and `lm_head.weight` unless the embeddings are tied.
    public func expectedTensorShapes() -> [(name: String, shape: [Int])] {
        var out: [(name: String, shape: [Int])] = [("model.embed_tokens.weight", [vocabSize, hiddenSize])]
        for layer in 0..<numHiddenLayers {
            let p = "model.layers.\(layer)."
            out += [
                (p + "self_attn.q_proj.weight", [queryWidth, hiddenSize]),
                (p + "self_attn.k_proj.weight", [keyValueWidth, hiddenSize]),
                (p + "self_attn.v_proj.weight", [keyValueWidth, hiddenSize]),
                (p + "self_attn.o_proj.weight", [hiddenSize, queryWidth]),
                (p + "mlp.gate_proj.weight", [intermediateSize, hiddenSize]),
                (p + "mlp.up_proj.weight", [intermediateSize, hiddenSize]),
                (p + "mlp.down_proj.weight", [hiddenSize, intermediateSize]),
                (p + "input_layernorm.weight", [hiddenSize]),
                (p + "post_attention_layernorm.weight", [hiddenSize]),
            ]
        }
        out.append(("model.norm.weight", [hiddenSize]))
        if !tieWordEmbeddings { out.append(("lm_head.weight", [vocabSize, hiddenSize])) }
        return out
    }
}
