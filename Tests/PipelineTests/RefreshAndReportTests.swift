import Cleaning
import Corpus
import Crawling
import Evaluation
import Foundation
import Pipeline
import Reporting
import TestSupport
import Training
import XCTest

/// `ko-llama refresh` on the loopback replica of both sites (served in-process by the refresh,
/// as the default config does), then the run report built from what it left plus training and
/// evaluation files written by their own writers, checked in headless Chromium.
final class RefreshAndReportTests: XCTestCase {
    func makeConfig(_ dir: TemporaryDirectory) throws -> String {
        let config = PipelineConfig.loopback(name: "refresh-test", in: dir, articles: 30)
        try config.save(to: dir.file("pipeline.json"))
        return dir.file("pipeline.json")
    }

    func testFirstRefreshAddsDocumentsSecondAddsNothingAndTheReportShowsTheCorpus() throws {
        let dir = try TemporaryDirectory("refresh")
        let configPath = try makeConfig(dir)
        let config = try PipelineConfig.load(path: configPath)
        let first = try CorpusRefresh(config: config, quiet: true).run()
        XCTAssertEqual(first.outcome, .newDocuments, "\(first.problems)")
        XCTAssertEqual(first.crawls.map(\.site), ["xinhua-ko", "people-ko"])
        XCTAssertTrue(first.crawls.allSatisfy { $0.archivedArticles > 0 }, first.line)
        XCTAssertGreaterThan(first.extraction?.documents ?? 0, 40)
        XCTAssertGreaterThan(first.clean?.kept ?? 0, 0)
        XCTAssertGreaterThan(first.clean?.filtered["rights_reserved"] ?? 0, 0, "People's Daily's rights line excludes its articles")

        // The second refresh, as cron runs it: nothing archived, no document, exit 3, one line.
        let second = try KoLlamaExecutable.run(["refresh", "--config", configPath, "--quiet"])
        XCTAssertEqual(second.status, 3, second.stderr)
        let lines = second.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, second.stderr)
        XCTAssertTrue(lines[0].hasPrefix("refresh: nothingNew: xinhua-ko 0 archived (0 articles); people-ko 0 archived (0 articles); 0 new documents; 0 kept"), second.stderr)

        // A refresh while another holds the lock exits 4 at once.
        let lock = try XCTUnwrap(try CrawlLock(path: config.corpus + "/refresh.lock"))
        let locked = try KoLlamaExecutable.run(["refresh", "--config", configPath, "--quiet"])
        XCTAssertEqual(locked.status, 4, locked.stderr)
        XCTAssertTrue(locked.stderr.contains("another refresh holds the lock"), locked.stderr)
        withExtendedLifetime(lock) {}

        try checkReport(config: config, dir: dir)
    }

    /// The report of a run over this corpus, with a pretraining metrics log, two YNAT
    /// `metrics.json` files and a merge report written the way their stages write them.
    func checkReport(config: PipelineConfig, dir: TemporaryDirectory) throws {
        let runDir = config.runDirectory
        try FileSystem.createDirectory(runDir + "/pretrain")
        let log = try MetricsLog(path: runDir + "/pretrain/metrics.jsonl", keepThrough: nil)
        for step in 1...30 {
            try log.append(["step": Double(step), "loss": 6 - log10(Double(step)) * 2, "lr": 2e-4, "grad_norm": 1, "tokens_per_s": 900])
            if step % 10 == 0 { try log.append(["step": Double(step), "valid_loss": 5.5 - Double(step) / 20, "valid_ppl": exp(5.5 - Double(step) / 20)]) }
        }
        let labels = ["IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치"]
        let gold = (0..<70).map { $0 % 7 }
        let model = try ClassificationMetrics(gold: gold, predicted: gold.enumerated().map { $0.offset % 5 == 0 ? ($0.element + 1) % 7 : $0.element }, labels: labels)
        let baseline = try ClassificationMetrics(gold: gold, predicted: gold.enumerated().map { $0.offset % 3 == 0 ? ($0.element + 2) % 7 : $0.element }, labels: labels)
        for (name, metrics) in [("eval", model), ("baseline", baseline)] {
            try FileSystem.createDirectory(runDir + "/" + name)
            try AtomicFileWriter.write(Array(try JSONEncoder().encode(metrics)), to: runDir + "/\(name)/metrics.json")
        }
        // The keys `tokenizer merge` writes (MergeReport.json()).
        try AtomicFileWriter.write("""
            {"policy": "below-base", "base_pieces": 49152, "added_model_pieces": 8000, "merged_pieces": 56890, "pieces_added": 7738,
             "overlap": 262, "skipped_by_policy": 0, "skipped_special": 0, "reachable_added_pieces": 7700,
             "hangul_syllables_in_base": 120, "hangul_syllables_in_merged": 1900,
             "korean_heldout": {"base": {"tokens_per_hangul_syllable": 2.4012}, "merged": {"tokens_per_hangul_syllable": 0.8123}},
             "identical_to_base": {"english.txt": {"lines": 100, "identical": 100, "percent": 100.00, "lines_without_hangul": 100,
                                                   "identical_without_hangul": 100, "percent_without_hangul": 100.00}}}
            """, to: runDir + "/merge-report.json")

        let runner = StageRunner(runDirectory: runDir, log: { _ in })
        try runner.run("clean", inputs: [config.corpus + "/docs"], settings: config.budgets, outputs: [config.corpus + "/clean/manifest.json"],
                       budgetSeconds: config.budgets[.clean]) { _ in }
        try runner.run("clean", inputs: [config.corpus + "/docs"], settings: config.budgets, outputs: [config.corpus + "/clean/manifest.json"],
                       budgetSeconds: config.budgets[.clean]) { _ in }

        var report = RunReport(name: config.name, created: "2025-01-01T00:00:00Z")
        report.corpus = try RunReportBuilder.corpusSection(corpus: config.corpus)
        report.tokenizer = try RunReportBuilder.tokenizerSection(mergeReport: runDir + "/merge-report.json", family: config.tokenizer.family.rawValue)
        report.training = [try RunReportBuilder.lossCurve(run: "pretrain", metrics: runDir + "/pretrain/metrics.jsonl")]
        report.perplexity = .init(split: "test", documents: report.corpus!.splits[2].documents, tokens: 12_345, before: 48.2, after: 21.7)
        report.ynat = .init(model: try RunReportBuilder.classifierScores(name: "SmolLM2 + Korean", metrics: runDir + "/eval/metrics.json"),
                            baseline: try RunReportBuilder.classifierScores(name: "linear baseline", metrics: runDir + "/baseline/metrics.json"))
        report.stages = RunReportBuilder.stageTimings(runner.results)

        // The corpus section agrees with the manifest and the shards.
        let manifest = try CleanManifest.load(path: config.corpus + "/clean/manifest.json")
        let corpus = report.corpus!
        XCTAssertEqual(corpus.splits.map(\.documents), Split.allCases.map { manifest.splits[$0.rawValue]?.documents ?? 0 })
        XCTAssertEqual(corpus.splits.map(\.characters), Split.allCases.map { manifest.splits[$0.rawValue]?.characters ?? 0 })
        XCTAssertEqual(corpus.sites.map(\.site), ["people-ko", "xinhua-ko"])
        for (i, split) in corpus.splits.enumerated() {
            XCTAssertEqual(corpus.sites.reduce(0) { $0 + $1.splits[i].documents }, split.documents, split.split)
            XCTAssertEqual(corpus.sites.reduce(0) { $0 + $1.splits[i].characters }, split.characters, split.split)
        }
        XCTAssertEqual(corpus.runs, 2, "the first refresh's run and the second's (which added nothing)")
        // Every extracted document counted once, however many clean runs judged it.
        var docs: [String: Int] = [:]
        for shard in try FileSystem.files(under: config.corpus + "/docs", suffixes: [".jsonl.gz"]) {
            let reader = try DocumentShardReader(path: shard)
            while let d = try reader.next() { docs[d.source, default: 0] += 1 }
        }
        XCTAssertEqual(corpus.sites.map(\.input), corpus.sites.map { docs[$0.site] ?? 0 })
        for site in corpus.sites { XCTAssertEqual(site.kept + site.filtered + site.rightsExcluded, site.input, site.site) }
        let firstRun = try XCTUnwrap(manifest.runs.first)
        XCTAssertEqual(corpus.sites.map(\.rightsExcluded), corpus.sites.map { firstRun.perSource[$0.site]?.reservedExcluded ?? 0 })
        XCTAssertGreaterThan(corpus.sites[0].rightsExcluded, 0)
        XCTAssertEqual(corpus.filterReasons.first { $0.reason == "rights_reserved" }?.documents, firstRun.filtered["rights_reserved"])
        XCTAssertEqual(corpus.filterReasons.reduce(0) { $0 + $1.documents }, corpus.sites.reduce(0) { $0 + $1.filtered + $1.rightsExcluded })
        XCTAssertNil(corpus.filterReasons.first { $0.reason == "already_in_corpus" })
        XCTAssertEqual(report.training[0].train.count, 30)
        XCTAssertEqual(report.training[0].valid.map(\.step), [10, 20, 30])
        XCTAssertEqual(report.ynat?.model.accuracy ?? 0, model.accuracy, accuracy: 1e-12)
        XCTAssertEqual(report.ynat?.baseline?.confusion, baseline.confusion)
        XCTAssertEqual(report.tokenizer?.englishUnchangedPercent, 100)
        XCTAssertEqual(report.stages.map(\.status), ["ran", "skipped"])

        let paths = try RunReportWriter.write(report, to: runDir)
        XCTAssertEqual(try RunReportWriter.load(path: runDir + "/report.json"), report)
        let md = String(decoding: try FileSystem.readAll(runDir + "/report.md"), as: UTF8.self)
        XCTAssertTrue(md.contains("| train | \(corpus.splits[0].documents) | \(corpus.splits[0].characters) |"), md)
        print("report: " + paths.joined(separator: " "))
        if let keep = ProcessInfo.processInfo.environment["KO_LLAMA_KEEP_REPORT"] {
            try FileSystem.createDirectory(keep)
            for path in paths { try AtomicFileWriter.write(try FileSystem.readAll(path), to: keep + "/" + URL(fileURLWithPath: path).lastPathComponent) }
        }

        // scripts/check-report.sh loads the page in headless Chromium: no console errors, every
        // section and plot present, a screenshot written.
        let status = try ReportBrowserCheck.run(html: runDir + "/report.html", expect: RunReport.sectionIDs + report.plotIDs,
                                                screenshot: dir.file("report.png"))
        XCTAssertEqual(status, 0, "scripts/check-report.sh failed")
        XCTAssertGreaterThan(try FileSystem.fileSize(dir.file("report.png")), 10_000)
        if let keep = ProcessInfo.processInfo.environment["KO_LLAMA_KEEP_REPORT"] {
            try AtomicFileWriter.write(try FileSystem.readAll(dir.file("report.png")), to: keep + "/report.png")
        }
    }
}
