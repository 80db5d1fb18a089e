import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Training

/// `ko-llama eval <task>`: held-out perplexity and YNAT topic classification.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model (base plus adapter) on held-out data.",
        subcommands: [EvalPerplexityCommand.self, EvalYNATCommand.self]
    )
}

/// `ko-llama eval ynat`: topic accuracy and the paper's P / R / F1 on YNAT headlines.
struct EvalYNATCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ynat",
        abstract: "Classify YNAT headlines with a model through the Korean Alpaca prompt and score the answers.",
        discussion: """
            The test set is --test, or is carved from --data with the split flags exactly as sft and \
            baseline carve it. likelihood scoring (default) scores each of the seven topic names plus \
            EOS as the response and predicts the one with the lowest summed negative log-likelihood; \
            generate decodes greedily to EOS and maps the text to a topic (an answer naming none is \
            wrong and counted as unmapped). Writes OUT/predictions.jsonl (guid, gold, predicted, \
            per-topic log-likelihoods or the generated text), OUT/metrics.json (accuracy, the paper's \
            macro precision / recall / F1, KLUE's macro_f1, per_class, confusion) and OUT/report.md.
            """
    )

    @OptionGroup var modelArguments: ModelArguments
    @OptionGroup var dataArguments: InstructionDataArguments
    @OptionGroup var scoring: ScoringArguments

    @Option(help: "Tokens per prompt and answer, as in sft: longer headlines are shortened the same way.")
    var maxLen = SFTOptions().maxLength

    @Option(help: "Output folder.")
    var out: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let weights = try modelArguments.loadWeights()
        let encoder = try modelArguments.encoder(for: weights.config, maxLength: maxLen)
        let (splits, notes) = try dataArguments.ynat(plan: dataArguments.split.plan)
        guard !splits.test.isEmpty else { throw CommandFailure(description: "\(dataArguments.data): no test examples (raise --test-fraction or pass --test)") }
        let model = try modelArguments.inferenceModel(weights)
        let progress = ProgressReporter(label: "eval ynat", total: splits.test.count, quiet: output.quiet)
        let result = try YNATEvaluation(model: model, encoder: encoder, scoring: scoring.scoring)
            .run(splits.test, progress: progress)
        let command = shellCommand(["ko-llama", "eval", "ynat"] + modelArguments.flags(adapter: modelArguments.adapter)
                                   + dataArguments.flags() + scoring.flags + ["--max-len", String(maxLen), "--out", out])
        try Self.write(result, to: out, command: command, model: modelArguments.model, adapter: modelArguments.adapter,
                       scoring: scoring.scoring)
        progress.finish(summary: Self.summaryLine(result, out: out) + notes.map { "\n" + $0 }.joined())
    }

    /// predictions.jsonl, metrics.json and report.md of an evaluation run as `command`.
    static func write(_ result: YNATEvaluation.Result, to out: String, command: String, model: String, adapter: String?,
                      scoring: YNATEvaluation.Scoring) throws {
        let report = ClassificationReport.markdown(title: "YNAT topic classification", details: [
            ("model", model), ("adapter", adapter ?? "none (the base alone)"), ("scoring", scoring.rawValue),
            ("time", ProgressReporter.formatDuration(result.seconds)), ("command", "`\(command)`"),
        ], metrics: result.metrics)
        try EvaluationOutput.write(predictions: result.predictions, metrics: result.metrics, to: out, report: report)
    }

    static func summaryLine(_ r: YNATEvaluation.Result, out: String) -> String {
        let m = r.metrics
        return "eval ynat: \(m.count) headlines" + (m.unmapped > 0 ? " (\(m.unmapped) unmapped answers)" : "")
            + String(format: ": accuracy %.4f, P %.4f, R %.4f, F1 %.4f, macro-F1 %.4f", m.accuracy, m.precision, m.recall, m.f1, m.macroF1)
            + " in \(ProgressReporter.formatDuration(r.seconds)) -> \(out)"
    }
}
