import ArgumentParser
import Modeling

/// The LoRA options `pretrain` and `sft` share: rank, alpha, dropout, targets, rsLoRA and the
/// embedding rows that train beside the adapter. Each is optional, so a command can tell a value
/// given from a default (`sft --adapter` rejects them all: the adapter fixes its own).
struct LoRAArguments: ParsableArguments {
    @Option(help: "LoRA rank r (default 8).")
    var loraR: Int?
    @Option(help: "LoRA alpha; the update is scaled by alpha / r (default 2 x rank).")
    var loraAlpha: Float?
    @Option(help: "LoRA dropout on each adapted projection's input (default 0.05).")
    var loraDropout: Float?
    @Option(help: "Comma-separated LoRA targets (default all seven: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj).")
    var loraTargets: String?
    @Flag(help: "rsLoRA scaling: alpha / sqrt(r).")
    var rslora = false
    @Option(help: "Embedding rows that train: all (embed_tokens + lm_head, PEFT modules_to_save), new-rows (only rows model resize added), none (default: all for pretrain, none for sft).")
    var trainEmbeddings: EmbeddingTraining?

    func validate() throws {
        if let loraR, loraR < 1 { throw ValidationError("--lora-r must be at least 1") }
        if let loraAlpha, !(loraAlpha > 0) { throw ValidationError("--lora-alpha must be positive") }
        if let loraDropout, !(0..<1).contains(loraDropout) { throw ValidationError("--lora-dropout must be in [0, 1)") }
        _ = try targets()
    }

    /// Whether any of these options was given.
    var isSet: Bool { loraR != nil || loraAlpha != nil || loraDropout != nil || loraTargets != nil || rslora || trainEmbeddings != nil }

    /// The adapter's settings, defaults filled in.
    func settings() throws -> LoRASettings {
        let rank = loraR ?? 8
        return LoRASettings(rank: rank, alpha: loraAlpha ?? Float(2 * rank), dropout: loraDropout ?? 0.05, targets: try targets(), useRSLoRA: rslora)
    }

    private func targets() throws -> [LoRATarget] {
        guard let loraTargets else { return LoRATarget.allCases }
        return try loraTargets.split(separator: ",").map {
            guard let t = LoRATarget(rawValue: String($0)) else {
                throw ValidationError("--lora-targets: \($0) is not one of " + LoRATarget.allCases.map(\.rawValue).joined(separator: ","))
            }
            return t
        }
    }

    /// The options given, as flags (defaults left out).
    var flags: [String] {
        var f: [String] = []
        if let loraR { f += ["--lora-r", String(loraR)] }
        if let loraAlpha { f += ["--lora-alpha", "\(loraAlpha)"] }
        if let loraDropout { f += ["--lora-dropout", "\(loraDropout)"] }
        if let loraTargets { f += ["--lora-targets", loraTargets] }
        if rslora { f.append("--rslora") }
        if let trainEmbeddings { f += ["--train-embeddings", trainEmbeddings.rawValue] }
        return f
    }
}
