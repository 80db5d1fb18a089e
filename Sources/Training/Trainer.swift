import Corpus
import Foundation
import Modeling
import Packing
import Reporting

/// What a finished run reports (also the last line on the terminal).
public struct TrainingSummary: Sendable, Codable {
    public var steps: Int
    public var resumedFrom: Int?
    public var lastLoss: Double
    public var validLoss: Double?
    public var validPerplexity: Double?
    public var tokensPerSecond: Double
    public var seconds: Double
}

/// The training loop of `pretrain` and `sft`: gradient accumulation over `gradAccum` batches with
/// the loss averaged over all their predicted tokens (as transformers' Trainer does with
/// `num_items_in_batch`), clipping to `clip`, AdamW on the warmup + cosine schedule, validation
/// every `evalEvery` steps, checkpoints every `saveEvery` steps, exact resume from the newest one.
public final class Trainer {
    public let model: LlamaModel
    public let options: TrainingOptions
    public let runDirectory: String
    public let optimizer: AdamW
    private let source: TrainingBatchSource
    private let validation: [TrainingBatch]
    /// Writes the PEFT adapter of the model's current parameters into a folder (checkpoints and
    /// `RUN/adapter`).
    private let writeAdapter: (String) throws -> Void
    /// Checkpoints kept on disk (the newest ones).
    public var keepCheckpoints = 2

    public init(model: LlamaModel, options: TrainingOptions, source: TrainingBatchSource, validation: [TrainingBatch],
                runDirectory: String, writeAdapter: @escaping (String) throws -> Void) {
        self.model = model
        self.options = options
        self.source = source
        self.validation = validation
        self.runDirectory = runDirectory
        self.writeAdapter = writeAdapter
        var adam = AdamW.Settings()
        adam.weightDecay = options.weightDecay
        optimizer = AdamW(count: model.layout.count, settings: adam)
        optimizer.threads = model.threads
    }

    private var checkpointDirectory: String { runDirectory + "/checkpoints" }

    /// Runs to `options.steps`; with `resume`, continues from the newest checkpoint in the run.
    public func train(resume: Bool, progress: ProgressReporter?) throws -> TrainingSummary {
        try FileSystem.createDirectory(runDirectory)
        try checkRunSettings(resume: resume)
        var start = 0
        var resumedFrom: Int?
        if resume, let last = try TrainingCheckpoint.list(checkpointDirectory).last {
            let state = try TrainingCheckpoint.load(checkpointDirectory + "/" + TrainingCheckpoint.folderName(step: last),
                                                    model: model, optimizer: optimizer)
            try source.restore(savedState: state.source)
            start = state.step
            resumedFrom = last
        }
        let log = try MetricsLog(path: runDirectory + "/metrics.jsonl", keepThrough: resumedFrom)
        let began = Date()
        var trainedTokens = 0
        var lastLoss = Double.nan
        var lastValid: LossSum?
        progress?.advance(by: start)
        for step in start..<options.steps {
            let stepBegan = Date()
            let result = try optimizerStep(step, batches: try (0..<options.gradAccum).map { _ in try source.nextBatch() })
            trainedTokens += result.tokens
            lastLoss = result.loss
            let rate = Double(result.tokens) / max(1e-9, Date().timeIntervalSince(stepBegan))
            try log.append(["step": Double(step + 1), "loss": result.loss, "lr": Double(result.lr),
                            "grad_norm": Double(result.gradientNorm), "tokens_per_s": rate])
            let done = step + 1
            let last = done == options.steps
            if last || (options.evalEvery > 0 && done % options.evalEvery == 0), !validation.isEmpty {
                let v = try validate()
                lastValid = v
                try log.append(["step": Double(done), "valid_loss": v.mean, "valid_ppl": exp(v.mean)])
            }
            if last || (options.saveEvery > 0 && done % options.saveEvery == 0) {
                let state = TrainingCheckpoint.State(step: done, optimizerStep: optimizer.step, source: try source.savedState(), options: options)
                try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, directory: checkpointDirectory,
                                            keep: keepCheckpoints) { try writeAdapter($0 + "/adapter") }
            }
            progress?.advance(detail: String(format: "loss %.4f lr %.2e %.0f tok/s", result.loss, result.lr, rate))
        }
        try writeAdapter(runDirectory + "/adapter")
        try writeLossPlot(log.path)
        let seconds = Date().timeIntervalSince(began)
        return TrainingSummary(steps: options.steps, resumedFrom: resumedFrom, lastLoss: lastLoss, validLoss: lastValid?.mean,
                               validPerplexity: lastValid.map { exp($0.mean) },
                               tokensPerSecond: Double(trainedTokens) / max(1e-9, seconds), seconds: seconds)
    }

    /// One optimizer step's figures.
    public struct StepResult: Sendable {
        public var loss: Double
        public var lr: Float
        public var gradientNorm: Float
        public var tokens: Int
    }

    /// Optimizer step `step` (0-based) over `batches` (the gradient-accumulation micro-batches):
    /// gradients of the mean loss over all their predicted tokens, clipped, then AdamW at the
    /// schedule's rate. Non-finite loss or gradients stop before the parameters change.
    public func optimizerStep(_ step: Int, batches: [TrainingBatch]) throws -> StepResult {
        let targets = batches.map(\.nextTokenTargets)
        let predicted = targets.reduce(0) { $0 + $1.lazy.filter { $0 >= 0 }.count }
        model.gradients.zero()
        var loss = LossSum()
        for (i, batch) in batches.enumerated() {
            loss += try model.trainStep(tokens: batch.tokens, targets: targets[i], batch: batch.batchSize, seqLen: batch.seqLen,
                                        lossScale: 1 / Float(max(1, predicted)),
                                        dropoutSeed: options.seed &+ UInt64(step * batches.count + i) &* 0x9E37_79B9_7F4A_7C15)
        }
        guard loss.mean.isFinite || loss.count == 0 else { throw TrainingError.nonFinite(step: step + 1, what: "the loss") }
        let norm = clipGradientNorm(model.gradients, maxNorm: options.clip, threads: model.threads)
        guard norm.isFinite else { throw TrainingError.nonFinite(step: step + 1, what: "the gradient norm") }
        let lr = options.schedule.rate(atStep: step)
        optimizer.update(parameters: model.parameters, gradients: model.gradients, lr: lr)
        return StepResult(loss: loss.mean, lr: lr, gradientNorm: norm, tokens: batches.reduce(0) { $0 + $1.tokens.count })
    }

    /// `RUN/loss.svg`: training and validation loss by step, from metrics.jsonl.
    private func writeLossPlot(_ metricsPath: String) throws {
        let lines = try MetricsLog.read(metricsPath)
        func series(_ key: String, _ name: String) -> SVGLineChart.Series {
            SVGLineChart.Series(name: name, points: lines.compactMap { l in l[key].flatMap { v in l["step"].map { (x: $0, y: v) } } })
        }
        let chart = SVGLineChart(title: "Loss", xLabel: "step", yLabel: "cross-entropy (nats)",
                                 series: [series("loss", "train"), series("valid_loss", "valid")].filter { !$0.points.isEmpty })
        try AtomicFileWriter.write(chart.svg(id: "loss") + "\n", to: runDirectory + "/loss.svg")
    }

    /// Mean loss over the validation batches (LoRA dropout off).
    public func validate() throws -> LossSum {
        var total = LossSum()
        for batch in validation {
            total += try model.evaluate(tokens: batch.tokens, targets: batch.nextTokenTargets, batch: batch.batchSize, seqLen: batch.seqLen)
        }
        return total
    }

    /// `RUN/run.json` records the settings; a resumed run must use the same ones.
    private func checkRunSettings(resume: Bool) throws {
        let path = runDirectory + "/run.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let current = try encoder.encode(options)
        if resume, let saved = FileManager.default.contents(atPath: path) {
            let previous = try? JSONDecoder().decode(TrainingOptions.self, from: saved)
            guard previous == options else {
                throw TrainingError.incompatibleRun(path: path, detail: "--resume needs the settings this run was started with")
            }
            return
        }
        if !resume, !(try TrainingCheckpoint.list(checkpointDirectory)).isEmpty {
            throw TrainingError.incompatibleRun(path: runDirectory, detail: "the run already has checkpoints: pass --resume, or choose a new --out")
        }
        try AtomicFileWriter.write(Array(current), to: path)
    }
}
