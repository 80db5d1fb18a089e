import Modeling

/// The settings of a training run (`pretrain`, `sft`), stored in `RUN/run.json`; `--resume`
/// requires the same settings.
public struct TrainingOptions: Sendable, Codable, Equatable {
    public var seqLen = 512
    public var batchSize = 4
    public var gradAccum = 1
    public var steps = 100
    public var lr: Float = 2e-4
    public var warmupRatio = 0.05
    public var weightDecay: Float = 0
    public var clip: Float = 1
    public var seed: UInt64 = 0
    /// Validate every N steps (and after the last); 0 = only after the last.
    public var evalEvery = 0
    /// Checkpoint every N steps (and after the last); 0 = only after the last.
    public var saveEvery = 0
    public var lora = LoRASettings()
    public var embeddings = EmbeddingTraining.all

    public init() {}

    public var schedule: LearningRateSchedule { LearningRateSchedule(peak: lr, warmupRatio: warmupRatio, totalSteps: steps) }
    public var tokensPerStep: Int { seqLen * batchSize * gradAccum }
}
