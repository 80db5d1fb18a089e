/// The tensor names PEFT 0.21 gives a LoRA adapter of `LlamaForCausalLM` in
/// `adapter_model.safetensors` (`save_pretrained` strips the adapter name `default` from the
/// parameter names); found by saving real adapters, see docs/ADAPTERS.md.
///
/// - LoRA: `base_model.model.model.layers.{L}.self_attn.q_proj.lora_A.weight` `[r, in]` and
///   `...lora_B.weight` `[out, r]`, for `q,k,v,o` (`self_attn`) and `gate,up,down` (`mlp`).
/// - `modules_to_save`: the whole trained copy under the base name:
///   `base_model.model.model.embed_tokens.weight`, `base_model.model.lm_head.weight`, `[V, H]`.
/// - `trainable_token_indices` (TrainableTokens): only the listed rows, in list order:
///   `base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta` `[n, H]`.
public enum PEFTKeys {
    /// `[r, in]`: the down-projection PEFT applies first.
    public static func loraA(layer: Int, _ projection: LoRATarget) -> String {
        "base_model.model.model.layers.\(layer).\(projection.parentModule).\(projection.rawValue).lora_A.weight"
    }

    /// `[out, r]`: the up-projection, zero at PEFT's default init.
    public static func loraB(layer: Int, _ projection: LoRATarget) -> String {
        "base_model.model.model.layers.\(layer).\(projection.parentModule).\(projection.rawValue).lora_B.weight"
    }

    /// The trained copy of the embedding (`modules_to_save` naming `embed_tokens`), `[V, H]`.
    public static let embedTokens = "base_model.model.model.embed_tokens.weight"
    /// The trained copy of the output head (`modules_to_save` naming `lm_head`), `[V, H]`.
    public static let lmHead = "base_model.model.lm_head.weight"
    /// The trained embedding rows of `trainable_token_indices`, `[indices.count, H]`; with tied
    /// embeddings PEFT applies them to `lm_head` as well and saves nothing more.
    public static let embedTokensDelta = "base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta"
    /// The trained head rows when `trainable_token_indices` names `lm_head` of an untied model.
    public static let lmHeadDelta = "base_model.model.lm_head.token_adapter.trainable_tokens_delta"

    /// Every tensor PEFT saves for `adapter` on `base`, with its shape: LoRA A/B per layer and
    /// target (layer-major, targets in `LoRATarget` order), then the `modules_to_save` copies,
    /// then the trainable-token rows. With tied base embeddings and `ensure_weight_tying`, naming
    /// either of `embed_tokens`/`lm_head` saves both keys (equal values); without it, each named
    /// module is its own untied copy.
    public static func expectedShapes(adapter: LoRAAdapterConfig, base: LlamaConfig) -> [(name: String, shape: [Int])] {
        var out: [(name: String, shape: [Int])] = []
        let targets = LoRATarget.allCases.filter { adapter.targetModules.contains($0.rawValue) }
        for layer in 0..<base.numHiddenLayers {
            for p in targets {
                out.append((loraA(layer: layer, p), [adapter.r, p.shape(base).in]))
                out.append((loraB(layer: layer, p), [p.shape(base).out, adapter.r]))
            }
        }
        var saved = Set(adapter.modulesToSave ?? [])
        if base.tieWordEmbeddings && adapter.ensureWeightTying && !saved.isEmpty { saved = ["embed_tokens", "lm_head"] }
        if saved.contains("embed_tokens") { out.append((embedTokens, [base.vocabSize, base.hiddenSize])) }
        if saved.contains("lm_head") { out.append((lmHead, [base.vocabSize, base.hiddenSize])) }
        if let rows = adapter.trainableTokenIndices {
            out.append((embedTokensDelta, [rows.count, base.hiddenSize]))
            if adapter.trainableTokenModules.contains("lm_head") && !base.tieWordEmbeddings {
                out.append((lmHeadDelta, [rows.count, base.hiddenSize]))
            }
        }
        return out
    }
}
