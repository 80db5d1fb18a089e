import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Training

/// `ko-llama baseline <task>`: quick non-neural classifiers on the same splits as `sft`, for context.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Linear baselines on the same splits the model is trained and evaluated on.",
        subcommands: [BaselineYNATCommand.self]
    )
}

/// `ko-llama baseline ynat`: a character n-gram logistic regression on YNAT headlines.
struct BaselineYNATCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ynat",
        abstract: "Train and evaluate a character n-gram linear classifier on YNAT topic classification.",
        discussion: """
            Reads YNAT as KLUE's JSON or as JSON Lines (label as topic name or 0-6). Validation \
            (and, without --data, test) examples are carved from --train per topic with --seed, as \
            sft does, then --fraction of the rest is trained on: multinomial logistic regression \
            over hashed 1-3 character n-grams of the NFC title, AdaGrad, --epochs passes. Writes \
            OUT/predictions.jsonl (guid, gold, predicted, per-topic probabilities) and OUT/metrics.json \
            (accuracy, the paper's macro precision / recall / F1, KLUE's macro_f1, per_class, \
            confusion, labels). A malformed record stops the run with its file and line unless \
            --skip-invalid, which counts and reports skipped records.
            """
    )

    @Option(help: "YNAT training file (JSON array or JSONL, gzip allowed).")
    var train: String

    @Option(help: "Held-out test file (e.g. ynat-v1.1_dev.json); when omitted, a test set is carved from --train.")
    var data: String?

    @Option(help: "Output folder for predictions.jsonl and metrics.json.")
    var out: String

    @OptionGroup var split: SplitOptions

    @Option(help: "Training passes over the data.")
    var epochs = 5

    @Flag(help: "Skip malformed records (counted in the summary) instead of failing.")
    var skipInvalid = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        let progress = ProgressReporter(label: "baseline ynat", quiet: output.quiet)
        let trainFile = try YNATExample.load(train, skipInvalid: skipInvalid)
        let testFile = try data.map { try YNATExample.load($0, skipInvalid: skipInvalid) }
        let splits = try split.plan.apply(to: trainFile.examples, heldOutTest: testFile?.examples)
        guard !splits.train.isEmpty, !splits.test.isEmpty else {
            throw CommandFailure(description: "\(train): too few examples for a training and a test set")
        }
        let (predictions, metrics) = try LinearBaseline.evaluateYNAT(train: splits.train, test: splits.test, epochs: epochs,
                                                                     seed: split.seed)
        try EvaluationOutput.write(predictions: predictions, metrics: metrics, to: out)
        var summary = "baseline ynat: trained on \(splits.train.count) (\(splits.validation.count) held out for validation), "
            + "tested on \(splits.test.count): " + String(format: "accuracy %.4f, P %.4f, R %.4f, F1 %.4f, macro-F1 %.4f",
                                                            metrics.accuracy, metrics.precision, metrics.recall, metrics.f1, metrics.macroF1)
            + " in \(ProgressReporter.formatDuration(progress.elapsedSeconds)) -> \(out)"
        for file in [trainFile] + (testFile.map { [$0] } ?? []) where file.skipped.total > 0 {
            summary += "\n\(file.path): \(file.skipped.summary)"
        }
        progress.finish(summary: summary)
    }
}
