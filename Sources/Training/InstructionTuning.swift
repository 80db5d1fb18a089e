import Corpus
import Foundation
import Modeling
import Packing

/// What `sft` adds to the trainer's settings. `training.steps` and `training.seqLen` are derived
/// (from `epochs` and `maxLength`); its LoRA and embedding settings are the model's.
public struct SFTOptions: Sendable, Codable, Equatable {
    /// Passes over the training examples (fractions allowed); the step count is rounded up.
    public var epochs: Double = 3
    /// Tokens per sequence, BOS to EOS.
    public var maxLength = 256
    /// Batches per length-grouping mega-batch (transformers' `LengthGroupedSampler` uses 50).
    public var megaBatchFactor = 50
    public var training = TrainingOptions()

    public init() {
        training.lr = 1e-4
        training.warmupRatio = 0.03
        training.batchSize = 8
        training.saveEvery = 100
    }
}

/// How the examples went into training: what was kept, shortened and dropped.
public struct SFTDataStatistics: Sendable, Codable, Equatable {
    public var trainExamples = 0
    public var validationExamples = 0
    /// Sequences whose input was shortened to fit `maxLength`.
    public var inputShortened = 0
    /// Sequences cut at `maxLength` from their end (EOS lost).
    public var clipped = 0
    /// Examples whose prompt alone does not fit (left out).
    public var dropped = 0
    /// Tokens of the training sequences, and of which the response and EOS (the predicted ones).
    public var trainTokens = 0
    public var predictedTokens = 0
    public var addsBOS = false
    public var batchesPerEpoch = 0
    /// Padding in one epoch's length-grouped batches, as a share of all batch positions.
    public var paddingShare = 0.0

    enum CodingKeys: String, CodingKey {
        case trainExamples = "train_examples", validationExamples = "validation_examples", inputShortened = "input_shortened"
        case clipped, dropped, trainTokens = "train_tokens", predictedTokens = "predicted_tokens", addsBOS = "adds_bos"
        case batchesPerEpoch = "batches_per_epoch", paddingShare = "padding_share"
    }
}

/// What `sft` reports and writes to `RUN/sft.json`.
public struct SFTSummary: Sendable, Codable {
    public var data: SFTDataStatistics
    public var options: SFTOptions
    public var training: TrainingSummary
}

/// Instruction tuning (`ko-llama sft`), Chinese-LLaMA-Alpaca's `run_clm_sft_with_peft` recipe on
/// the trainer of `pretrain`: Alpaca-template sequences (`InstructionEncoder`) with the loss on the
/// response and EOS only, length-grouped batches, validation loss on the held-out examples each
/// `evalEvery` steps and at the end, checkpoints, exact resume, `RUN/adapter` (PEFT) and
/// `RUN/metrics.jsonl`. The model may carry a pretraining adapter, which training continues.
public final class InstructionTuning {
    public let trainer: Trainer
    public let statistics: SFTDataStatistics
    public let options: SFTOptions
    public let runDirectory: String

    /// Encodes the examples and sets the trainer up; `baseModel` goes into the adapter's
    /// `base_model_name_or_path`. No example fitting `maxLength` is an error.
    public init(model: LlamaModel, encoder: InstructionEncoder, train: [AlpacaExample], validation: [AlpacaExample],
                options: SFTOptions, runDirectory: String, baseModel: String?) throws {
        var stats = SFTDataStatistics()
        stats.addsBOS = encoder.addsBOS
        func encode(_ examples: [AlpacaExample]) -> [InstructionSequence] {
            examples.compactMap { e in
                guard let s = encoder.encode(e) else {
                    stats.dropped += 1
                    return nil
                }
                if s.truncation == .input { stats.inputShortened += 1 }
                if s.truncation == .clipped { stats.clipped += 1 }
                return s
            }
        }
        let trainSequences = encode(train)
        let validationSequences = encode(validation)
        guard !trainSequences.isEmpty else {
            throw TrainingError.incompatibleRun(path: runDirectory, detail: "no training example fits --max-len \(encoder.maxLength) "
                + "(\(stats.dropped) prompts are longer)")
        }
        stats.trainExamples = trainSequences.count
        stats.validationExamples = validationSequences.count
        stats.trainTokens = trainSequences.reduce(0) { $0 + $1.tokens.count }
        stats.predictedTokens = trainSequences.reduce(0) { $0 + $1.tokens.count - $1.promptLength }
        var training = options.training
        let pad = encoder.tokenizer.padId ?? encoder.eosId
        let source = LengthGroupedBatches(trainSequences, batchSize: training.batchSize, megaBatchFactor: options.megaBatchFactor,
                                          seed: training.seed, padId: pad)
        stats.batchesPerEpoch = source.batchesPerEpoch
        let positions = source.batches(epoch: 0).reduce(0) { $0 + $1.count * $1.map { trainSequences[$0].tokens.count }.max()! }
        stats.paddingShare = 1 - Double(stats.trainTokens) / Double(positions)
        training.seqLen = encoder.maxLength
        training.steps = max(1, Int((options.epochs * Double(source.batchesPerEpoch) / Double(training.gradAccum)).rounded(.up)))
        training.lora = model.lora
        training.embeddings = model.embeddings
        var resolved = options
        resolved.training = training
        self.options = resolved
        self.statistics = stats
        self.runDirectory = runDirectory
        trainer = Trainer(model: model, options: training, source: source,
                          validation: LengthGroupedBatches.fixedBatches(validationSequences, batchSize: training.batchSize, padId: pad),
                          runDirectory: runDirectory) { try model.writeAdapter(to: $0, baseModelNameOrPath: baseModel) }
    }

    /// Optimizer steps the run takes.
    public var steps: Int { options.training.steps }

    /// Trains (from the newest checkpoint with `resume`) and writes `RUN/sft.json`.
    public func train(resume: Bool, progress: ProgressReporter?) throws -> SFTSummary {
        let summary = SFTSummary(data: statistics, options: options, training: try trainer.train(resume: resume, progress: progress))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFileWriter.write(Array(try encoder.encode(summary)), to: runDirectory + "/sft.json")
        return summary
    }
}
