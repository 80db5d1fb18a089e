/// A projection of a LLaMA block that LoRA can adapt; raw values are PEFT's `target_modules` names.
public enum LoRATarget: String, CaseIterable, Sendable, Codable, Comparable {
    case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj"
    case gate = "gate_proj", up = "up_proj", down = "down_proj"

    /// Where the projection sits in transformers' module tree (`self_attn` or `mlp`).
    public var parentModule: String {
        switch self {
        case .q, .k, .v, .o: return "self_attn"
        case .gate, .up, .down: return "mlp"
        }
    }

    var index: Int { LoRATarget.allCases.firstIndex(of: self)! }

    public static func < (a: LoRATarget, b: LoRATarget) -> Bool { a.index < b.index }

    /// The base model's weight, `model.layers.{L}.self_attn.q_proj.weight`.
    public func baseWeightName(layer: Int) -> String { "model.layers.\(layer).\(parentModule).\(rawValue).weight" }

    /// (out, in) of the projection's weight.
    public func shape(_ c: LlamaConfig) -> (out: Int, in: Int) {
        switch self {
        case .q: return (c.queryWidth, c.hiddenSize)
        case .k, .v: return (c.keyValueWidth, c.hiddenSize)
        case .o: return (c.hiddenSize, c.queryWidth)
        case .gate, .up: return (c.intermediateSize, c.hiddenSize)
        case .down: return (c.hiddenSize, c.intermediateSize)
        }
    }
}

/// Which embedding rows train beside LoRA: `all` is PEFT's `modules_to_save` on embed_tokens and
/// lm_head; `newRows` trains only the rows added by `model resize` (PEFT's
/// `trainable_token_indices`); `none` freezes both.
public enum EmbeddingTraining: String, CaseIterable, Sendable, Codable {
    case all, newRows = "new-rows", none
}

/// LoRA hyper-parameters as PEFT's `LoraConfig` defines them: rank r, lora_alpha, lora_dropout
/// (applied to a projection's input before A), scaling alpha / r, or alpha / sqrt(r) with rsLoRA.
public struct LoRASettings: Sendable, Codable, Equatable {
    public var rank: Int
    public var alpha: Float
    public var dropout: Float
    public var targets: [LoRATarget]
    public var useRSLoRA: Bool

    public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0.05, targets: [LoRATarget] = LoRATarget.allCases,
                useRSLoRA: Bool = false) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets.sorted()
        self.useRSLoRA = useRSLoRA
    }

    public var scaling: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }
}
