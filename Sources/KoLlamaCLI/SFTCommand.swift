import ArgumentParser
import Corpus
import Foundation
import Training

/// `ko-llama sft`: instruction tuning with LoRA on the Korean Alpaca template.
struct SFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Instruction-tune a LLaMA model with LoRA on YNAT or Alpaca data (Korean Alpaca template).",
        discussion: """
            Each example becomes [BOS] prompt response EOS (docs/SFT.md), the loss on the response and \
            EOS only; batches are length-grouped (shuffled mega-batches sorted by length, right padding \
            that predicts nothing). Validation (and, without --test, test) examples are carved from --data \
            per topic with --seed as baseline and eval do; --fraction of the rest is trained on. With \
            --adapter (a pretraining run's RUN/adapter) training continues that adapter, with its LoRA \
            settings and trainable embeddings. Writes OUT/adapter (PEFT), OUT/metrics.jsonl (loss per \
            step, validation loss), OUT/checkpoints, OUT/run.json and OUT/sft.json (data statistics and \
            the summary); --resume continues from the newest checkpoint with identical results.
            """
    )

    @OptionGroup var modelArguments: ModelArguments
    @OptionGroup var dataArguments: InstructionDataArguments

    @Option(help: "Task: ynat (headline topics) or alpaca (instruction, input, output records).")
    var task = InstructionTask.ynat

    @OptionGroup var sft: SFTArguments

    @Option(help: "Run folder.")
    var out: String

    @Flag(help: "Continue from the newest checkpoint in --out.")
    var resume = false

    @OptionGroup var output: OutputOptions

    enum InstructionTask: String, ExpressibleByArgument, CaseIterable {
        case ynat, alpaca
    }

    func run() throws {
        let began = Date()
        let weights = try modelArguments.loadWeights()
        let encoder = try modelArguments.encoder(for: weights.config, maxLength: sft.maxLen)
        let plan = dataArguments.split.plan
        let (train, validation, notes): ([AlpacaExample], [AlpacaExample], [String])
        switch task {
        case .ynat:
            let d = try dataArguments.ynat(plan: plan)
            (train, validation, notes) = (d.splits.train.map(\.instructionExample), d.splits.validation.map(\.instructionExample), d.notes)
        case .alpaca:
            let d = try dataArguments.alpaca(plan: plan)
            (train, validation, notes) = (d.splits.train, d.splits.validation, d.notes)
        }
        let model = try sft.trainingModel(weights, adapter: modelArguments.adapter, seed: plan.seed, threads: modelArguments.threads)
        let tuning = try InstructionTuning(model: model, encoder: encoder, train: train, validation: validation,
                                           options: sft.options(seed: plan.seed), runDirectory: out, baseModel: modelArguments.model)
        let progress = ProgressReporter(label: "sft", total: tuning.steps, quiet: output.quiet)
        let summary = try tuning.train(resume: resume, progress: progress)
        progress.finish(summary: Self.summaryLine(summary, out: out, seconds: Date().timeIntervalSince(began)) + notes.map { "\n" + $0 }.joined())
    }

    static func summaryLine(_ s: SFTSummary, out: String, seconds: Double) -> String {
        let d = s.data, t = s.training
        var line = "sft: \(d.trainExamples) examples (\(d.validationExamples) validation"
        for (n, what) in [(d.inputShortened, "input shortened"), (d.clipped, "clipped"), (d.dropped, "dropped: prompt over --max-len")] where n > 0 {
            line += ", \(n) \(what)"
        }
        line += String(format: "), %g epochs = %d steps", s.options.epochs, t.steps)
        if let from = t.resumedFrom { line += " (resumed at \(from))" }
        line += String(format: ", last loss %.4f", t.lastLoss)
        if let v = t.validLoss { line += String(format: ", validation loss %.4f", v) }
        line += String(format: ", %.0f tokens/s (%.0f%% padding)", t.tokensPerSecond, 100 * d.paddingShare)
        return line + " in \(ProgressReporter.formatDuration(seconds)) -> \(out)/adapter"
    }
}
