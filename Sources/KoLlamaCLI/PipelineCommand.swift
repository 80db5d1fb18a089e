import ArgumentParser
import Corpus
import Crawling
import Foundation
import Pipeline
import Reporting

/// `ko-llama pipeline`: the whole mission end to end from a `pipeline.json` (docs/PIPELINE.md).
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Crawl to a Korean-taught model and its report, driven by pipeline.json.",
        discussion: """
            Stages, in order: crawl (the sites' local replicas on loopback unless crawl.replica.serve is \
            false), extract, clean, modelImport (a GGUF base), tokenizerTrain (in the base tokenizer's \
            family), tokenizerMerge, pack, modelResize, perplexityBefore, pretrain (LoRA + embeddings), \
            perplexityAfter, sft (YNAT, continuing the pretraining adapter), evalYnat, baseline, report \
            (RUN/report.html, .md, .json). Each stage is skipped when its inputs and settings match its \
            manifest (RUN/stages/<stage>.json) and says so; an interrupted stage runs again, and an \
            interrupted pretrain or sft continues from its newest checkpoint. Prints each stage's time \
            beside its budget at the end (--quiet: the summary line only).

            Exit codes: 0 done; 1 a stage failed (the stages before it stay done); 4 another refresh \
            holds <corpus>/refresh.lock; 64 invalid config.
            """,
        subcommands: [InitConfig.self, ShowRun.self]
    )

    @Option(help: "The pipeline config (docs/PIPELINE.md); keys left out keep their defaults.")
    var config = "pipeline.json"

    @OptionGroup var output: OutputOptions

    func run() throws {
        let settings: PipelineConfig
        let plan: PipelinePlan
        do {
            settings = try PipelineConfig.load(path: config)
            plan = try PipelinePlan(config: settings, configPath: config, quiet: output.quiet)
            for (_, argv) in plan.commandStages { _ = try KoLlama.parseAsRoot(argv) }
        } catch {
            Self.say("ko-llama pipeline: \(config): \(KoLlama.message(for: error))")
            throw ExitCode.validationFailure
        }
        let quiet = output.quiet
        let runner = StageRunner(runDirectory: plan.run, log: { if !quiet { Self.say("pipeline: " + $0) } })
        let began = Date()
        do {
            try plan.runStages(runner)
        } catch let error as PipelineLocked {
            Self.say("ko-llama pipeline: \(error)")
            throw ExitCode(4)
        } catch {
            if quiet { Self.say(Self.timingTable(runner.results)) }
            let stage = runner.currentStage.map { "stage \($0) failed: " } ?? ""
            Self.say("ko-llama pipeline: \(stage)\(KoLlama.message(for: error))")
            throw ExitCode.failure
        }
        let report = try RunReportWriter.load(path: plan.run + "/report.json")
        if !quiet { Self.say(Self.timingTable(runner.results)) }
        Self.say(Self.summaryLine(report, seconds: Date().timeIntervalSince(began), run: plan.run, results: runner.results))
    }

    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Each stage's time in this run beside its budget; over-budget stages are flagged, skipped
    /// ones show how long the run that made their outputs took.
    static func timingTable(_ results: [StageResult]) -> String {
        func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - s.count))
            return right ? fill + s : s + fill
        }
        var lines = ["pipeline: " + pad("stage", 18) + pad("seconds", 9, right: true) + pad("budget", 8, right: true) + "  status"]
        for r in results {
            var status = r.status.rawValue
            if r.status == .skipped { status += String(format: " (unchanged; made in %.1f s)", r.manifest.seconds) }
            if let budget = r.budgetSeconds, r.seconds > budget { status += "  OVER BUDGET" }
            lines.append("          " + pad(r.stage, 18) + pad(String(format: "%.1f", r.seconds), 9, right: true)
                         + pad(r.budgetSeconds.map { String(format: "%.0f", $0) } ?? "", 8, right: true) + "  " + status)
        }
        let total = results.reduce(0) { $0 + $1.seconds }, budget = results.reduce(0) { $0 + ($1.budgetSeconds ?? 0) }
        lines.append("          " + pad("total", 18) + pad(String(format: "%.1f", total), 9, right: true) + pad(String(format: "%.0f", budget), 8, right: true))
        return lines.joined(separator: "\n")
    }

    static func summaryLine(_ report: RunReport, seconds: Double, run: String, results: [StageResult]) -> String {
        let ran = results.filter { $0.status == .ran }.count
        var parts = ["\(ran) stages ran, \(results.count - ran) skipped (unchanged)"]
        if let p = report.perplexity {
            parts.append(String(format: "perplexity %.1f -> %.1f on %d %@ articles", p.before, p.after, p.documents, p.split as NSString))
        }
        if let y = report.ynat {
            var s = String(format: "YNAT F1 %.3f on %d headlines", y.model.f1, y.model.examples)
            if let b = y.baseline { s += String(format: " (baseline %.3f)", b.f1) }
            parts.append(s)
        }
        return "pipeline: done in \(ProgressReporter.formatDuration(seconds)): " + parts.joined(separator: "; ") + " -> \(run)/report.html"
    }

    /// `ko-llama pipeline init-config --out pipeline.json`: every setting with its default.
    struct InitConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init-config",
            abstract: "Write a pipeline.json with every key at its default (docs/PIPELINE.md explains each)."
        )

        @Option(help: "Where to write the config.")
        var out = "pipeline.json"

        @Flag(help: "Replace an existing file.")
        var force = false

        func run() throws {
            if FileSystem.exists(out) && !force {
                FileHandle.standardError.write(Data("ko-llama pipeline init-config: \(out) exists (--force replaces it)\n".utf8))
                throw ExitCode.failure
            }
            try PipelineConfig().save(to: out)
        }
    }
}

extension PipelineCommand {
    /// `ko-llama pipeline show-run pipeline.json`: where that config's run lives (a positional
    /// argument: `--config` after the subcommand would be taken for the pipeline's own).
    struct ShowRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show-run",
            abstract: "Print the run folder (<runs>/<name>: report, adapters, stage manifests) of a config."
        )

        @Argument(help: "The pipeline config.")
        var config = "pipeline.json"

        func run() throws {
            print(try PipelineConfig.load(path: config).runDirectory)
        }
    }
}

/// Another refresh (or pipeline) holds the corpus lock.
struct PipelineLocked: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path): another refresh or pipeline holds the lock; exiting" }
}
