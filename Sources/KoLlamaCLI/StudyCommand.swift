import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Modeling
import Reporting
import Training

/// `ko-llama study <name>`: experiments made of several runs.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Experiments made of several runs (the data-fraction study).",
        subcommands: [StudyFractionsCommand.self]
    )
}

/// `ko-llama study fractions`: sft + eval ynat (and the linear baseline) per fraction of the
/// YNAT training examples; the paper's Figure 7.
struct StudyFractionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fractions",
        abstract: "F1 against the fraction of YNAT training data: sft, eval ynat and baseline ynat per fraction.",
        discussion: """
            For each --fractions value F, in OUT/f-F/: baseline ynat (baseline/), sft on fraction F of the \
            training examples (sft/, from the base plus the optional pretraining --adapter), eval ynat of its \
            adapter (eval/), and row.json. The samples are nested (a smaller fraction's examples are among a \
            larger one's) and every fraction is tested on the same test set. Resumable: a rerun skips \
            fractions with a row.json (they must have been run with the same commands) and resumes an \
            interrupted sft from its newest checkpoint. Writes OUT/study.json, OUT/study.md (the table and \
            each run's command) and OUT/f1_vs_fraction.svg.
            """
    )

    @OptionGroup var modelArguments: ModelArguments
    @OptionGroup var dataArguments: InstructionDataArguments
    @OptionGroup var sft: SFTArguments
    @OptionGroup var scoring: ScoringArguments

    @Option(help: "Comma-separated fractions of the training examples, each in (0, 1].")
    var fractions = "0.01,0.05,0.2,0.5,0.8,1.0"

    @Option(help: "Passes of the linear baseline.")
    var baselineEpochs = 5

    @Option(help: "Study folder.")
    var out: String

    @OptionGroup var output: OutputOptions

    var parsedFractions: [Double] {
        get throws {
            let values = try fractions.split(separator: ",").map { part -> Double in
                guard let f = Double(part.trimmingCharacters(in: .whitespaces)), f > 0, f <= 1 else {
                    throw ValidationError("--fractions: \(part) is not a number in (0, 1]")
                }
                return f
            }
            guard !values.isEmpty else { throw ValidationError("--fractions needs at least one value") }
            return Array(Set(values)).sorted()
        }
    }

    func validate() throws {
        _ = try parsedFractions
        guard dataArguments.split.fraction == 1 else { throw ValidationError("the study sets the fraction itself: use --fractions, not --fraction") }
        guard baselineEpochs >= 1 else { throw ValidationError("--baseline-epochs must be at least 1") }
    }

    func commands(_ fraction: Double, folder: String) -> FractionStudyRow.Commands {
        let split = dataArguments.split
        let baseline = ["ko-llama", "baseline", "ynat", "--train", dataArguments.data] + (dataArguments.test.map { ["--data", $0] } ?? [])
            + (dataArguments.skipInvalid ? ["--skip-invalid"] : [])
            + ["--validation-fraction", "\(split.validationFraction)", "--test-fraction", "\(split.testFraction)",
               "--fraction", "\(fraction)", "--seed", String(split.seed), "--epochs", String(baselineEpochs), "--out", folder + "/baseline"]
        return FractionStudyRow.Commands(
            sft: shellCommand(["ko-llama", "sft"] + modelArguments.flags(adapter: modelArguments.adapter) + ["--task", "ynat"]
                              + dataArguments.flags(fraction: fraction) + sft.flags + ["--out", folder + "/sft"]),
            eval: shellCommand(["ko-llama", "eval", "ynat"] + modelArguments.flags(adapter: folder + "/sft/adapter") + dataArguments.flags()
                               + scoring.flags + ["--max-len", String(sft.maxLen), "--out", folder + "/eval"]),
            baseline: shellCommand(baseline))
    }

    func run() throws {
        let weights = try modelArguments.loadWeights()
        let encoder = try modelArguments.encoder(for: weights.config, maxLength: sft.maxLen)
        let files = try dataArguments.loadYNAT()
        let study = FractionStudy(directory: out, fractions: try parsedFractions)
        let rows = try study.run(commands: { commands($0, folder: study.folder($0)) }, skipped: { row in
            if !output.quiet {
                FileHandle.standardError.write(Data("study: fraction \(String(format: "%g", row.fraction)) already done, skipped\n".utf8))
            }
        }) { fraction, folder in
            let commands = commands(fraction, folder: folder)
            var plan = dataArguments.split.plan
            plan.fraction = fraction
            let splits = try plan.apply(to: files.train.examples, heldOutTest: files.test?.examples)
            let baseline = try LinearBaseline.evaluateYNAT(train: splits.train, test: splits.test, epochs: baselineEpochs, seed: plan.seed)
            try EvaluationOutput.write(predictions: baseline.predictions, metrics: baseline.metrics, to: folder + "/baseline")

            let model = try sft.trainingModel(weights, adapter: modelArguments.adapter, seed: plan.seed, threads: modelArguments.threads)
            let tuning = try InstructionTuning(model: model, encoder: encoder, train: splits.train.map(\.instructionExample),
                                               validation: splits.validation.map(\.instructionExample), options: sft.options(seed: plan.seed),
                                               runDirectory: folder + "/sft", baseModel: modelArguments.model)
            let label = "study f-\(String(format: "%g", fraction))"
            let training = ProgressReporter(label: label + " sft", total: tuning.steps, quiet: output.quiet)
            let summary = try tuning.train(resume: true, progress: training)
            training.finish(summary: label + " " + SFTCommand.summaryLine(summary, out: folder + "/sft", seconds: summary.training.seconds))

            let trained = try LlamaModel(weights: weights, adapter: folder + "/sft/adapter", threads: modelArguments.threads)
            let evaluating = ProgressReporter(label: label + " eval", total: splits.test.count, quiet: output.quiet)
            let result = try YNATEvaluation(model: trained, encoder: encoder, scoring: scoring.scoring)
                .run(splits.test, progress: evaluating)
            try EvalYNATCommand.write(result, to: folder + "/eval", command: commands.eval, model: modelArguments.model,
                                      adapter: folder + "/sft/adapter", scoring: scoring.scoring)
            evaluating.finish(summary: label + " " + EvalYNATCommand.summaryLine(result, out: folder + "/eval"))
            return FractionStudyRow(fraction: fraction, trainExamples: splits.train.count, testExamples: splits.test.count,
                                    model: result.metrics, baseline: baseline.metrics, sftSeconds: summary.training.seconds,
                                    evalSeconds: result.seconds, commands: commands)
        }
        try AtomicFileWriter.write(try Self.plot(rows).svg(), to: out + "/f1_vs_fraction.svg")
        var summary = "study fractions: \(rows.count) fractions -> \(out)/study.md, \(out)/f1_vs_fraction.svg"
        for r in rows {
            summary += String(format: "\n  %g: %d train, F1 %.2f (baseline %.2f)", r.fraction, r.trainExamples, 100 * r.model.f1, 100 * r.baseline.f1)
        }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
    }

    /// The paper's Figure 7: F1 (percent) of the model and of the baseline against the fraction.
    static func plot(_ rows: [FractionStudyRow]) -> LinePlot {
        var plot = LinePlot(title: "YNAT: F1 against the fraction of training data", xLabel: "fraction of the training examples (log scale)",
                            yLabel: "F1 (%, paper's definition)", series: [
            LinePlot.Series(name: "model after SFT", points: rows.map { LinePlot.Point(x: $0.fraction, y: 100 * $0.model.f1, note: $0.commands.sft) }),
            LinePlot.Series(name: "linear baseline (character n-grams)",
                            points: rows.map { LinePlot.Point(x: $0.fraction, y: 100 * $0.baseline.f1, note: $0.commands.baseline) }, dashed: true),
        ])
        plot.logX = true
        return plot
    }
}
