import ArgumentParser
import Modeling
import Training

/// The options of `pretrain`: sequence and batch shape, schedule, optimizer, validation and
/// checkpoints, plus the LoRA options it shares with `sft` (`LoRAArguments`, one definition as
/// mlx-swift-examples' option groups).
struct TrainingArguments: ParsableArguments {
    @Option(help: "Tokens per training sequence.")
    var seqLen = 512
    @Option(help: "Sequences per micro-batch.")
    var batch = 4
    @Option(help: "Micro-batches per optimizer step.")
    var gradAccum = 1
    @Option(help: "Optimizer steps (or give --epochs).")
    var steps: Int?
    @Option(help: "Passes over the training data (packed data only).")
    var epochs: Double?
    @Option(help: "Peak learning rate.")
    var lr: Float = 2e-4
    @Option(help: "Fraction of the steps spent in linear warmup (then cosine decay to 0).")
    var warmupRatio = 0.05
    @Option(help: "Decoupled AdamW weight decay.")
    var weightDecay: Float = 0
    @Option(help: "Clip the gradient norm to this (0 = no clipping).")
    var clip: Float = 1
    @OptionGroup var lora: LoRAArguments
    @Option(help: "Seed of LoRA init, dropout and data order.")
    var seed: UInt64 = 0
    @Option(help: "Validate every N steps (0 = only after the last).")
    var evalEvery = 0
    @Option(help: "Validation batches per evaluation.")
    var evalBatches = 16
    @Option(help: "Checkpoint every N steps (0 = only after the last).")
    var saveEvery = 0
    @Flag(help: "Continue from the newest checkpoint of --out (same settings).")
    var resume = false

    func validate() throws {
        guard seqLen > 1, batch > 0, gradAccum > 0 else {
            throw ValidationError("--seq-len must be > 1; --batch and --grad-accum positive")
        }
    }

    /// The run settings; `steps` resolved by the caller when --epochs is given.
    func options(steps: Int) throws -> TrainingOptions {
        var o = TrainingOptions()
        o.seqLen = seqLen
        o.batchSize = batch
        o.gradAccum = gradAccum
        o.steps = steps
        o.lr = lr
        o.warmupRatio = warmupRatio
        o.weightDecay = weightDecay
        o.clip = clip
        o.seed = seed
        o.evalEvery = evalEvery
        o.saveEvery = saveEvery
        o.lora = try lora.settings()
        o.embeddings = lora.trainEmbeddings ?? .all
        return o
    }
}
