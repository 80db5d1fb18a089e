/// The frozen base weights of a LLaMA model in fp32, one buffer per Hugging Face tensor
/// (`LlamaForCausalLM`'s state dict; `lm_head` absent when embeddings are tied).
public final class LlamaWeights: @unchecked Sendable {
    public struct Layer {
        public var projections: [FloatBuffer]   // indexed by LoRATarget.index: q, k, v, o, gate, up, down
        public var attentionNorm: FloatBuffer
        public var mlpNorm: FloatBuffer

        public func projection(_ t: LoRATarget) -> FloatBuffer { projections[t.index] }
    }

    public let config: LlamaConfig
    public let layers: [Layer]
    public let embedding: FloatBuffer
    public let head: FloatBuffer?
    public let finalNorm: FloatBuffer

    /// Loads every tensor by its Hugging Face name; `tensor(name, shape)` returns its values and
    /// must check the shape (a checkpoint reader, or a test's dictionary).
    public init(config c: LlamaConfig, tensor: (String, [Int]) throws -> [Float]) throws {
        config = c
        let h = c.hiddenSize
        layers = try (0..<c.numHiddenLayers).map { l in
            Layer(
                projections: try LoRATarget.allCases.map { t in
                    let s = t.shape(c)
                    return FloatBuffer(try tensor(t.baseWeightName(layer: l), [s.out, s.in]))
                },
                attentionNorm: FloatBuffer(try tensor("model.layers.\(l).input_layernorm.weight", [h])),
                mlpNorm: FloatBuffer(try tensor("model.layers.\(l).post_attention_layernorm.weight", [h])))
        }
        embedding = FloatBuffer(try tensor("model.embed_tokens.weight", [c.vocabSize, h]))
        head = c.tieWordEmbeddings ? nil : FloatBuffer(try tensor("lm_head.weight", [c.vocabSize, h]))
        finalNorm = FloatBuffer(try tensor("model.norm.weight", [h]))
    }

    /// Reads a Hugging Face folder (checked against its config on open), converting to fp32.
    public convenience init(folder: HFModelFolder) throws {
        try self.init(config: folder.config) { name, _ in try folder.floats(name) }
    }

    /// Takes the weights from named tensors (a random init, a GGUF import), checking each shape.
    public convenience init(config: LlamaConfig, tensors: [NamedTensor]) throws {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        try self.init(config: config) { name, shape in
            guard let t = byName[name] else { throw ModelingError.missingTensor(path: "<tensors>", tensor: name) }
            guard t.shape == shape else {
                throw ModelingError.tensorMismatch(path: "<tensors>", tensor: name, detail: "shape \(t.shape), the config needs \(shape)")
            }
            return t.values
        }
    }

    /// The weights as Hugging Face tensors, in state-dict order; `embedding`/`head` replace those
    /// matrices (a trained copy, for export).
    public func namedTensors(embedding e: [Float]? = nil, head hd: [Float]? = nil,
                             projection: ((Int, LoRATarget) -> [Float])? = nil) -> [NamedTensor] {
        let c = config, h = c.hiddenSize
        var out = [NamedTensor(name: "model.embed_tokens.weight", shape: [c.vocabSize, h], values: e ?? embedding.array)]
        for (l, layer) in layers.enumerated() {
            out.append(NamedTensor(name: "model.layers.\(l).input_layernorm.weight", shape: [h], values: layer.attentionNorm.array))
            for t in LoRATarget.allCases {
                let s = t.shape(c)
                out.append(NamedTensor(name: t.baseWeightName(layer: l), shape: [s.out, s.in],
                                       values: projection?(l, t) ?? layer.projection(t).array))
            }
            out.append(NamedTensor(name: "model.layers.\(l).post_attention_layernorm.weight", shape: [h], values: layer.mlpNorm.array))
        }
        out.append(NamedTensor(name: "model.norm.weight", shape: [h], values: finalNorm.array))
        if let head { out.append(NamedTensor(name: "lm_head.weight", shape: [c.vocabSize, h], values: hd ?? head.array)) }
        return out
    }
}
