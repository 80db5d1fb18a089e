/// The model's trainable tensors as a PEFT LoRA adapter folder, both ways. The layout's slot
/// names are PEFT's keys (`PEFTKeys`), so writing is a copy of each slot and reading a fill.
extension LlamaModel {
    /// The `adapter_config.json` of this model's trainable parts: LoRA settings, embeddings as
    /// `modules_to_save` (tied: one copy, `ensure_weight_tying`) or, for `.newRows`, the rows
    /// as `trainable_token_indices` for embed_tokens (and lm_head when untied).
    public func adapterConfig(baseModelNameOrPath: String?) -> LoRAAdapterConfig {
        var config = LoRAAdapterConfig(r: lora.rank, loraAlpha: lora.alpha, loraDropout: lora.dropout,
                                       targetModules: lora.targets.map(\.rawValue), useRslora: lora.useRSLoRA,
                                       baseModelNameOrPath: baseModelNameOrPath)
        guard let e = layout.embedding else { return config }
        let tied = self.config.tieWordEmbeddings
        switch embeddings {
        case .all:
            config.modulesToSave = tied ? ["embed_tokens"] : ["embed_tokens", "lm_head"]
            config.ensureWeightTying = tied
        case .newRows:
            config.trainableTokenIndices = Array(e.firstRow..<self.config.vocabSize)
            config.trainableTokenModules = tied ? ["embed_tokens"] : ["embed_tokens", "lm_head"]
        case .none:
            break
        }
        return config
    }

    /// The adapter's tensors: every slot, plus the tied head's copy PEFT saves beside the embedding.
    public func adapterTensors() -> [NamedTensor] {
        var out = layout.slots.map { slot in
            NamedTensor(name: slot.name, shape: slot.shape,
                        values: Array(UnsafeBufferPointer(start: parameters.pointer + slot.offset, count: slot.count)))
        }
        if config.tieWordEmbeddings, embeddings == .all, let e = layout.embedding,
           let copy = out.first(where: { $0.name == e.slot.name }) {
            out.append(NamedTensor(name: PEFTKeys.lmHead, shape: copy.shape, values: copy.values))
        }
        return out
    }

    /// Writes `RUN/adapter/` (all or nothing) for `PeftModel.from_pretrained`.
    public func writeAdapter(to directory: String, baseModelNameOrPath: String?) throws {
        try PEFTAdapterFolder.write(config: adapterConfig(baseModelNameOrPath: baseModelNameOrPath), tensors: adapterTensors(),
                                    base: config, to: directory)
    }

    /// What a model must be built with to load `folder` on `base`: its LoRA settings, which
    /// embedding rows it trains and where the trained rows start.
    public static func settings(of folder: PEFTAdapterFolder, base: LlamaConfig)
        throws -> (lora: LoRASettings, embeddings: EmbeddingTraining, baseVocabularySize: Int) {
        try folder.validate(against: base)
        let c = folder.config
        let lora = LoRASettings(rank: c.r, alpha: c.loraAlpha, dropout: c.loraDropout,
                                targets: c.targetModules.compactMap(LoRATarget.init(rawValue:)), useRSLoRA: c.useRslora)
        let path = folder.path + "/" + PEFTAdapterFolder.configFileName
        if let rows = c.trainableTokenIndices {
            guard let first = rows.first, rows == Array(first..<base.vocabSize) else {
                throw ModelingError.invalidConfig(path: path, key: "trainable_token_indices",
                                                  detail: "only the trailing rows n..<\(base.vocabSize) can be trained (rows added by model resize)")
            }
            guard base.tieWordEmbeddings || c.trainableTokenModules.contains("lm_head") else {
                throw ModelingError.invalidConfig(path: path, key: "trainable_token_indices",
                                                  detail: "the rows must train in lm_head too on an untied model")
            }
            return (lora, .newRows, first)
        }
        let saved = Set(c.modulesToSave ?? [])
        if saved.isEmpty { return (lora, .none, base.vocabSize) }
        guard base.tieWordEmbeddings ? c.ensureWeightTying : saved == ["embed_tokens", "lm_head"] else {
            throw ModelingError.invalidConfig(path: path, key: "modules_to_save", detail: base.tieWordEmbeddings
                ? "a tied model's embedding must be saved with ensure_weight_tying (one copy for embed_tokens and lm_head)"
                : "embed_tokens and lm_head train together or not at all")
        }
        return (lora, .all, base.vocabSize)
    }

    /// Fills the trainable tensors from `folder` (built with `settings(of:base:)`'s values).
    public func loadAdapter(_ folder: PEFTAdapterFolder) throws {
        let expected = try Self.settings(of: folder, base: config)
        guard expected.lora.rank == lora.rank, expected.lora.targets == lora.targets, expected.embeddings == embeddings,
              expected.baseVocabularySize == baseVocabularySize || embeddings != .newRows else {
            throw ModelingError.invalidConfig(path: folder.path + "/" + PEFTAdapterFolder.configFileName, key: "",
                                              detail: "the adapter's rank, targets or trainable embeddings differ from this model's")
        }
        for slot in layout.slots {
            let values = try folder.floats(slot.name)
            values.withUnsafeBufferPointer { (parameters.pointer + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
        }
    }

    /// A model of `weights` with the adapter at `path` loaded: its LoRA settings and trainable
    /// embedding rows come from the adapter.
    public convenience init(weights: LlamaWeights, adapter path: String, threads: Int = 2) throws {
        let folder = try PEFTAdapterFolder(path: path)
        let s = try Self.settings(of: folder, base: weights.config)
        self.init(weights: weights, lora: s.lora, embeddings: s.embeddings, baseVocabularySize: s.baseVocabularySize, threads: threads)
        try loadAdapter(folder)
    }
}
