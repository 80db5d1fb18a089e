import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Modeling
import Tokenization
import Training

/// Where instruction data comes from and which of it each split gets.
struct InstructionDataArguments: ParsableArguments {
    @Option(help: "Training file (JSON array or JSONL, gzip allowed); validation and, without --test, test examples are carved from it.")
    var data: String

    @Option(help: "Held-out test file (e.g. KLUE's ynat-v1.1_dev.json); never trained on.")
    var test: String?

    @Flag(help: "Skip malformed records (counted in the summary) instead of failing.")
    var skipInvalid = false

    @OptionGroup var split: SplitOptions

    /// The YNAT files: --data and, when given, --test.
    func loadYNAT() throws -> (train: LoadedExamples<YNATExample>, test: LoadedExamples<YNATExample>?) {
        (try YNATExample.load(data, skipInvalid: skipInvalid), try test.map { try YNATExample.load($0, skipInvalid: skipInvalid) })
    }

    /// The YNAT splits under `plan` and a note per file with skipped records.
    func ynat(plan: SplitPlan) throws -> (splits: DatasetSplits<YNATExample>, notes: [String]) {
        let files = try loadYNAT()
        return (try plan.apply(to: files.train.examples, heldOutTest: files.test?.examples), Self.notes([files.train] + (files.test.map { [$0] } ?? [])))
    }

    static func notes<E>(_ files: [LoadedExamples<E>]) -> [String] {
        files.filter { $0.skipped.total > 0 }.map { "\($0.path): \($0.skipped.summary)" }
    }

    /// The Alpaca splits under `plan` (no test file: the carved test share is simply not trained on).
    func alpaca(plan: SplitPlan) throws -> (splits: DatasetSplits<AlpacaExample>, notes: [String]) {
        let file = try AlpacaExample.load(data, skipInvalid: skipInvalid)
        return (try plan.apply(to: file.examples), Self.notes([file]))
    }

    /// These options as flags (`fraction` replaced when given; `--fraction 1` is left out).
    func flags(fraction: Double? = nil) -> [String] {
        let f = fraction ?? split.fraction
        return ["--data", data] + (test.map { ["--test", $0] } ?? []) + (skipInvalid ? ["--skip-invalid"] : [])
            + ["--validation-fraction", "\(split.validationFraction)", "--test-fraction", "\(split.testFraction)"]
            + (f == 1 ? [] : ["--fraction", "\(f)"]) + ["--seed", String(split.seed)]
    }
}

/// The settings of an SFT run (`sft`, and `study fractions` for each fraction).
struct SFTArguments: ParsableArguments {
    @Option(help: "Passes over the training examples (fractions allowed).")
    var epochs = SFTOptions().epochs

    @Option(help: "Peak learning rate (warmup, then cosine decay to zero).")
    var lr = SFTOptions().training.lr

    @Option(help: "Share of the steps spent warming up.")
    var warmupRatio = SFTOptions().training.warmupRatio

    @Option(help: "Sequences per micro-batch.")
    var batch = SFTOptions().training.batchSize

    @Option(help: "Micro-batches per optimizer step.")
    var gradAccum = 1

    @Option(help: "Tokens per sequence, BOS to EOS; longer examples have their input shortened.")
    var maxLen = SFTOptions().maxLength

    @Option(help: "AdamW weight decay.")
    var weightDecay: Float = 0

    @Option(help: "Validate every N steps (and after the last); 0 = only after the last.")
    var evalEvery = 0

    @Option(help: "Checkpoint every N steps (and after the last); 0 = only after the last.")
    var saveEvery = SFTOptions().training.saveEvery

    /// A new adapter's settings (a continued --adapter keeps its own).
    @OptionGroup var lora: LoRAArguments

    func validate() throws {
        guard epochs > 0, batch >= 1, gradAccum >= 1, lr > 0, (0..<1).contains(warmupRatio), evalEvery >= 0, saveEvery >= 0 else {
            throw ValidationError("--epochs, --lr, --batch and --grad-accum must be positive, --warmup-ratio in [0, 1)")
        }
        guard maxLen >= 8 else { throw ValidationError("--max-len must be at least 8") }
    }

    /// A fresh LoRA model on `weights` (A initialised from `seed`), or the pretraining `adapter`
    /// loaded to be trained on: its LoRA settings and trainable embeddings carry over.
    func trainingModel(_ weights: LlamaWeights, adapter: String?, seed: UInt64, threads: Int) throws -> LlamaModel {
        if let adapter {
            guard !lora.isSet else {
                throw CommandFailure(description: "--adapter \(adapter) fixes the LoRA settings and trainable embeddings; drop --lora-* and --train-embeddings")
            }
            return try LlamaModel(weights: weights, adapter: adapter, threads: threads)
        }
        let embeddings = lora.trainEmbeddings ?? .none
        guard embeddings != .newRows else {
            throw CommandFailure(description: "--train-embeddings new-rows continues a pretraining adapter (pass it with --adapter)")
        }
        return LlamaModel(weights: weights, lora: try lora.settings(), embeddings: embeddings, seed: seed, threads: threads)
    }

    func options(seed: UInt64) -> SFTOptions {
        var o = SFTOptions()
        o.epochs = epochs
        o.maxLength = maxLen
        o.training.lr = lr
        o.training.warmupRatio = warmupRatio
        o.training.batchSize = batch
        o.training.gradAccum = gradAccum
        o.training.weightDecay = weightDecay
        o.training.evalEvery = evalEvery
        o.training.saveEvery = saveEvery
        o.training.seed = seed
        return o
    }

    var flags: [String] {
        var f = ["--epochs", "\(epochs)", "--lr", "\(lr)", "--warmup-ratio", "\(warmupRatio)", "--batch", String(batch),
                 "--grad-accum", String(gradAccum), "--max-len", String(maxLen), "--save-every", String(saveEvery)]
        if weightDecay != 0 { f += ["--weight-decay", "\(weightDecay)"] }
        if evalEvery != 0 { f += ["--eval-every", String(evalEvery)] }
        return f + lora.flags
    }
}

/// How `eval ynat` picks a topic.
struct ScoringArguments: ParsableArguments {
    @Option(help: "likelihood (score each topic name as the response) or generate (greedy decoding, mapped to a topic).")
    var scoring = YNATEvaluation.Scoring.likelihood

    var flags: [String] { ["--scoring", scoring.rawValue] }
}

extension YNATEvaluation.Scoring: ExpressibleByArgument {}

/// A command line as a POSIX shell reads it back: arguments with anything but
/// `[A-Za-z0-9_./,:=+-]` single-quoted.
func shellCommand(_ arguments: [String]) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:=+-")
    return arguments.map { a in
        !a.isEmpty && a.allSatisfy(safe.contains) ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}
