/// Where each trainable tensor lives in the one flat parameter buffer (and the gradient and
/// optimizer-moment buffers of the same layout): LoRA A and B of every adapted projection, then
/// the trainable embedding rows and, when untied, the trainable head rows. One buffer makes
/// AdamW, the gradient norm and checkpoints single loops over contiguous memory.
public struct TrainableLayout: Sendable, Equatable {
    /// One tensor's slot. `name` is its PEFT key (see `PEFTAdapter`).
    public struct Slot: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// The LoRA pair of one projection.
    public struct LoRASlots: Sendable, Equatable {
        public var a: Slot   // [r, in]
        public var b: Slot   // [out, r]
    }

    /// Rows `firstRow..<vocabSize` of an embedding matrix, when any are trainable.
    public struct RowSlot: Sendable, Equatable {
        public var slot: Slot
        public var firstRow: Int
    }

    public private(set) var slots: [Slot] = []
    /// `lora[layer][target.index]`, nil for projections LoRA does not adapt.
    public private(set) var lora: [[LoRASlots?]] = []
    public private(set) var embedding: RowSlot?
    /// nil when the head is frozen or tied (a tied head uses `embedding`).
    public private(set) var head: RowSlot?
    public private(set) var count = 0

    public init(config c: LlamaConfig, lora settings: LoRASettings, embeddings: EmbeddingTraining, baseVocabularySize: Int) {
        func add(_ name: String, _ shape: [Int]) -> Slot {
            let s = Slot(name: name, shape: shape, offset: count)
            slots.append(s)
            count += s.count
            return s
        }
        for l in 0..<c.numHiddenLayers {
            lora.append(LoRATarget.allCases.map { t in
                guard settings.targets.contains(t) else { return nil }
                let s = t.shape(c)
                let prefix = "base_model.model.model.layers.\(l).\(t.parentModule).\(t.rawValue)"
                return LoRASlots(a: add(prefix + ".lora_A.weight", [settings.rank, s.in]),
                                 b: add(prefix + ".lora_B.weight", [s.out, settings.rank]))
            })
        }
        let firstRow: Int
        switch embeddings {
        case .none: return
        case .all: firstRow = 0
        case .newRows: firstRow = baseVocabularySize
        }
        let rows = c.vocabSize - firstRow
        guard rows > 0 else { return }
        // PEFT's keys: modules_to_save copies are saved under the module's own weight name,
        // trainable_token_indices rows as the token adapter's `trainable_tokens_delta`.
        let suffix = embeddings == .all ? ".weight" : ".token_adapter.trainable_tokens_delta"
        embedding = RowSlot(slot: add("base_model.model.model.embed_tokens" + suffix, [rows, c.hiddenSize]), firstRow: firstRow)
        if !c.tieWordEmbeddings {
            head = RowSlot(slot: add("base_model.model.lm_head" + suffix, [rows, c.hiddenSize]), firstRow: firstRow)
        }
    }
}
