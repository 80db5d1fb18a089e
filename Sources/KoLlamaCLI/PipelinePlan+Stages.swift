import Corpus
import Crawling
import Foundation
import Packing
import Pipeline
import Reporting
import Tokenization

extension PipelinePlan {
    /// Runs every stage through `runner` (each skipped when unchanged), then writes the report.
    func runStages(_ runner: StageRunner) throws {
        let budgets = config.budgets
        try runCorpusStages(runner)

        func command(_ stage: PipelineStage, _ argv: [String], inputs: [String], outputs: [String],
                     before: () throws -> Void = {}) throws {
            try runner.run(stage.rawValue, inputs: inputs, settings: Self.settings(argv), outputs: outputs, budgetSeconds: budgets[stage]) { _ in
                try before()
                try Self.execute(argv)
            }
        }
        /// A training stage: continues its checkpoints when the runner says the last attempt
        /// was interrupted with the same settings, else starts from an empty run folder.
        func training(_ stage: PipelineStage, _ argv: [String], inputs: [String], runFolder: String) throws {
            try runner.run(stage.rawValue, inputs: inputs, settings: Self.settings(argv), outputs: [runFolder + "/adapter", runFolder + "/metrics.jsonl"],
                           budgetSeconds: budgets[stage]) { attempt in
                if !attempt.resuming, FileSystem.exists(runFolder) { try FileManager.default.removeItem(atPath: runFolder) }
                try Self.execute(argv + (attempt.resuming ? ["--resume"] : []))
            }
        }

        if let gguf { try command(.modelImport, modelImport, inputs: [gguf], outputs: [baseModel]) }
        try command(.tokenizerTrain, tokenizerTrain, inputs: [corpus + "/clean/train", baseTokenizer], outputs: [koreanTokenizer]) {
            let file = try TokenizerLoader.file(for: baseTokenizer)
            guard file.hasSuffix(".json") == (config.tokenizer.family == .byteBPE) else {
                throw CommandFailure(description: "tokenizer.base \(file) is not a \(config.tokenizer.family.rawValue) tokenizer (tokenizer.family)")
            }
        }
        let testSplit = corpus + "/clean/" + config.eval.perplexitySplit
        try command(.tokenizerMerge, tokenizerMerge, inputs: [baseTokenizer, koreanTokenizer, corpus + "/clean/test"] + config.tokenizer.heldoutOther,
                    outputs: [mergedTokenizer]) {
            try writeHeldoutKorean()
        }
        try command(.pack, pack, inputs: [corpus + "/clean", mergedTokenizer], outputs: [tokens])
        try command(.modelResize, modelResize, inputs: [baseModel, mergedTokenizer], outputs: [koreanModel])
        try command(.perplexityBefore, perplexity(adapter: nil, out: perplexityBefore), inputs: [koreanModel, mergedTokenizer, testSplit],
                    outputs: [perplexityBefore])
        try training(.pretrain, pretrain, inputs: [koreanModel, mergedTokenizer, tokens], runFolder: pretrainRun)
        let pretrained = pretrainRun + "/adapter"
        try command(.perplexityAfter, perplexity(adapter: pretrained, out: perplexityAfter), inputs: [koreanModel, pretrained, mergedTokenizer, testSplit],
                    outputs: [perplexityAfter])
        try training(.sft, sft, inputs: [koreanModel, pretrained, mergedTokenizer, config.sft.data], runFolder: sftRun)
        try command(.evalYnat, evalYnat, inputs: [koreanModel, sftRun + "/adapter", mergedTokenizer, config.sft.data],
                    outputs: [evalYNAT + "/metrics.json"])
        try command(.baseline, baselineYnat, inputs: [config.sft.data], outputs: [baseline + "/metrics.json"])

        let stages = runner.results.map { runner.manifestPath($0.stage) }
        let commandLines = stageCommands
        try runner.run(PipelineStage.report.rawValue, inputs: stages, settings: commandLines,
                       outputs: ["html", "md", "json"].map { run + "/report." + $0 }, budgetSeconds: budgets[.report]) { _ in
            try writeReport(runner.results, commands: commandLines)
        }
    }

    /// crawl, extract and clean under the corpus's refresh lock (a cron refresh never overlaps them).
    private func runCorpusStages(_ runner: StageRunner) throws {
        let refresh = CorpusRefresh(config: config, quiet: quiet)
        try FileSystem.createDirectory(corpus)
        guard let lock = try CrawlLock(path: refresh.lockPath) else { throw PipelineLocked(path: refresh.lockPath) }
        try withExtendedLifetime(lock) {
            let replica = config.crawl.replica.serve ? [config.crawlersDir + "/replica"] : []
            try runner.run(PipelineStage.crawl.rawValue, inputs: siteFiles + replica, settings: CrawlSettings(sites: config.sites, crawl: config.crawl),
                           outputs: [corpus + "/raw", corpus + "/crawl.sqlite"], budgetSeconds: config.budgets[.crawl]) { _ in
                for site in config.sites {
                    let summary = try refresh.crawl(site: site)
                    if summary.outcome == .failed { throw CommandFailure(description: "crawl of \(site) failed: \(summary.line)") }
                }
            }
            try runner.run(PipelineStage.extract.rawValue, inputs: [corpus + "/raw"] + siteFiles, settings: "extract",
                           outputs: [corpus + "/docs"], budgetSeconds: config.budgets[.extract]) { _ in
                let summary = try refresh.extract()
                for file in summary.damagedFiles { PipelineCommand.say("pipeline: extract: skipped damaged input \(file)") }
            }
            try runner.run(PipelineStage.clean.rawValue, inputs: [corpus + "/docs"] + siteFiles, settings: "clean",
                           outputs: [corpus + "/clean/manifest.json"], budgetSeconds: config.budgets[.clean]) { _ in
                let record = try refresh.clean()
                for problem in record.inputErrors { PipelineCommand.say("pipeline: clean: skipped \(problem)") }
            }
        }
    }

    /// What a command stage's manifest hashes: its command line without `--quiet`, which changes
    /// what is printed, not what is made.
    private static func settings(_ argv: [String]) -> [String] { argv.filter { $0 != "--quiet" } }

    /// What the crawl stage's manifest hashes.
    private struct CrawlSettings: Encodable {
        var sites: [String]
        var crawl: PipelineConfig.Crawl
    }

    /// The report's command column: the `refresh` that redoes the corpus stages, then each command.
    private var stageCommands: [String: String] {
        var commands = Dictionary(uniqueKeysWithValues: commandStages.map { ($0.stage.rawValue, Self.shellLine(Self.settings($0.argv))) })
        for stage in [PipelineStage.crawl, .extract, .clean] { commands[stage.rawValue] = Self.shellLine(["refresh", "--config", configPath]) }
        return commands
    }

    /// The held-out Korean the merge report measures: the corpus's test split, one paragraph per line.
    private func writeHeldoutKorean() throws {
        var text = ""
        for shard in try CorpusSplit(corpus: corpus, name: "test").shards() {
            let reader = try DocumentShardReader(path: shard)
            while let document = try reader.next() { text += document.text + "\n" }
        }
        guard !text.isEmpty else { throw CommandFailure(description: "\(corpus)/clean/test holds no documents to measure the tokenizer on") }
        try FileSystem.createDirectory(FileSystem.directoryName(of: heldoutKorean))
        try AtomicFileWriter.write(text, to: heldoutKorean)
    }

    private func writeReport(_ results: [StageResult], commands: [String: String]) throws {
        var report = RunReport(name: config.name, created: ISO8601DateFormatter().string(from: Date()))
        report.corpus = try RunReportBuilder.corpusSection(corpus: corpus)
        report.tokenizer = try RunReportBuilder.tokenizerSection(mergeReport: mergedTokenizer + "/merge-report.json",
                                                                  family: config.tokenizer.family.rawValue)
        report.training = [try RunReportBuilder.lossCurve(run: "pretrain", metrics: pretrainRun + "/metrics.jsonl"),
                           try RunReportBuilder.lossCurve(run: "sft", metrics: sftRun + "/metrics.jsonl")]
        let before = try RunReportBuilder.perplexity(path: perplexityBefore), after = try RunReportBuilder.perplexity(path: perplexityAfter)
        report.perplexity = RunReport.PerplexitySection(split: config.eval.perplexitySplit, documents: before.documents, tokens: before.tokens,
                                                        before: before.ppl, after: after.ppl)
        report.ynat = RunReport.YNATSection(
            model: try RunReportBuilder.classifierScores(name: "model after pretrain + SFT", metrics: evalYNAT + "/metrics.json"),
            baseline: try RunReportBuilder.classifierScores(name: "linear baseline (character n-grams)", metrics: baseline + "/metrics.json"))
        report.stages = RunReportBuilder.stageTimings(results, commands: commands)
        _ = try RunReportWriter.write(report, to: run)
    }
}
