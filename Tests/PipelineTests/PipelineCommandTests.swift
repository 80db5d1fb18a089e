import Corpus
import Foundation
import Pipeline
import Reporting
import TestSupport
import XCTest

/// `ko-llama pipeline` end to end on the tiny GGUF fixture (the CI's shortened pipeline): every
/// stage from the loopback replica crawl to the report, killed with SIGKILL during pretraining and
/// resumed from its checkpoint, then rerun with nothing to do, then with one SFT setting changed.
final class PipelineCommandTests: XCTestCase {
    func tinyConfig(_ dir: TemporaryDirectory, pretrainSteps: Int = 40, sftLearningRate: Double = 2e-4) throws -> String {
        var config = PipelineConfig.loopback(name: "tiny", in: dir, articles: 40)
        config.baseModel.path = repositoryRoot + "/Tests/Fixtures/gguf/tiny-llama.gguf"
        config.tokenizer.vocabSize = 600
        config.tokenizer.heldoutOther = [repositoryRoot + "/Tests/Fixtures/tokenizer/english.txt"]
        config.pretrain.steps = pretrainSteps
        config.pretrain.seqLen = 64
        config.pretrain.batchSize = 2
        config.pretrain.evalEvery = 10
        config.pretrain.saveEvery = 2
        config.pretrain.evalBatches = 2
        config.sft.data = repositoryRoot + "/Tests/Fixtures/ynat/ynat_sample.jsonl"
        config.sft.fraction = 0.5
        config.sft.seqLen = 400  // the tiny vocabulary spells a prompt in ~200 tokens
        config.sft.lr = sftLearningRate
        config.eval.perplexityDocuments = 10
        let path = dir.file("pipeline.json")
        try config.save(to: path)
        return path
    }

    func testTheWholePipelineRunsResumesAfterKillAndRerunsOnlyWhatChanged() throws {
        try MissingExecutable.check()
        let dir = try TemporaryDirectory("pipeline")
        let config = try tinyConfig(dir)
        let run = dir.file("runs/tiny")

        // Killed (SIGKILL, no cleanup) once pretraining has written a checkpoint.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: koLlamaExecutable)
        process.arguments = ["pipeline", "--config", config, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline
                && !FileSystem.exists(run + "/pretrain/checkpoints/step-4") {
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "the pipeline finished before it could be interrupted")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertNotNil(try StageManifest.load(path: run + "/stages/perplexityBefore.json"), "stages before pretrain completed")
        XCTAssertNil(try StageManifest.load(path: run + "/stages/pretrain.json"), "an interrupted stage has no manifest")

        let resumed = try KoLlamaExecutable.run(["pipeline", "--config", config])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        for line in ["pipeline: crawl: skipped (unchanged)", "pipeline: perplexityBefore: skipped (unchanged)",
                     "pipeline: pretrain: running (resuming an interrupted run)", "pipeline: sft: running (first run)",
                     "pipeline: report: running (first run)"] {
            XCTAssertTrue(resumed.stderr.contains(line), "missing \(line) in\n\(resumed.stderr)")
        }
        XCTAssertTrue(resumed.stderr.contains("(resumed from step "), "pretrain continued from a checkpoint:\n\(resumed.stderr)")
        let steps = try String(contentsOfFile: run + "/pretrain/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"loss\"") }.count
        XCTAssertEqual(steps, 40, "each step logged once across the kill")

        let report = try RunReportWriter.load(path: run + "/report.json")
        XCTAssertEqual(report.stages.map(\.stage), PipelineStage.allCases.filter { $0 != .report }.map(\.rawValue))
        XCTAssertTrue(report.stages.allSatisfy { $0.command?.hasPrefix("ko-llama ") == true }, "\(report.stages)")
        let corpus = try XCTUnwrap(report.corpus)
        XCTAssertEqual(Set(corpus.sites.map(\.site)), ["xinhua-ko", "people-ko"])
        XCTAssertGreaterThan(corpus.sites.reduce(0) { $0 + $1.rightsExcluded }, 0, "People's Daily's rights line excludes articles")
        let tokenizer = try XCTUnwrap(report.tokenizer)
        XCTAssertEqual(tokenizer.family, "byte-bpe")
        XCTAssertGreaterThan(tokenizer.piecesAdded, 100)
        XCTAssertLessThan(tokenizer.tokensPerHangulSyllable.after, tokenizer.tokensPerHangulSyllable.before)
        XCTAssertEqual(tokenizer.englishUnchangedPercent, 100)
        XCTAssertEqual(report.training.map(\.run), ["pretrain", "sft"])
        XCTAssertEqual(report.training[0].train.count, 40)
        let perplexity = try XCTUnwrap(report.perplexity)
        XCTAssertGreaterThan(perplexity.tokens, 1000)
        XCTAssertTrue(perplexity.before.isFinite && perplexity.after.isFinite && perplexity.before > 1)
        let ynat = try XCTUnwrap(report.ynat)
        XCTAssertEqual(ynat.model.examples, ynat.baseline?.examples, "the model and the baseline see the same test headlines")
        XCTAssertEqual(ynat.model.confusion.flatMap { $0 }.reduce(0, +), ynat.model.examples)
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        for id in RunReport.sectionIDs { XCTAssertTrue(html.contains("id=\"\(id)\""), "report.html lacks section \(id)") }

        // Nothing changed: every stage is skipped, and --quiet prints only the summary line.
        let again = try KoLlamaExecutable.run(["pipeline", "--config", config, "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let lines = again.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, again.stderr)
        XCTAssertTrue(again.stderr.contains("0 stages ran, 15 skipped (unchanged)"), again.stderr)

        // One SFT setting changed: sft and what reads its adapter rerun, nothing before it.
        _ = try tinyConfig(dir, sftLearningRate: 1e-3)
        let changed = try KoLlamaExecutable.run(["pipeline", "--config", config])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        for stage in ["crawl", "tokenizerTrain", "pretrain", "perplexityAfter", "baseline"] {
            XCTAssertTrue(changed.stderr.contains("pipeline: \(stage): skipped (unchanged)"), "\(stage) reran:\n\(changed.stderr)")
        }
        for stage in ["sft", "evalYnat", "report"] {
            XCTAssertTrue(changed.stderr.contains("pipeline: \(stage): running ("), "\(stage) did not rerun:\n\(changed.stderr)")
        }

        // The report in headless Chromium (scripts/check-report.sh).
        let status = try ReportBrowserCheck.run(html: run + "/report.html", expect: RunReport.sectionIDs + report.plotIDs,
                                                screenshot: dir.file("report.png"))
        XCTAssertEqual(status, 0, "scripts/check-report.sh failed on the pipeline's report")
    }

    func testShowRunPrintsTheConfigsRunFolder() throws {
        let dir = try TemporaryDirectory("pipeline")
        let result = try KoLlamaExecutable.output(["pipeline", "show-run", try tinyConfig(dir)])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, dir.file("runs/tiny") + "\n")
    }

    func testABadConfigStopsBeforeAnyStageAndNamesTheKey() throws {
        let dir = try TemporaryDirectory("pipeline")
        try AtomicFileWriter.write(#"{"name": "x", "runs": "\#(dir.file("runs"))", "pretrain": {"stepz": 3}}"#, to: dir.file("bad.json"))
        let result = try KoLlamaExecutable.run(["pipeline", "--config", dir.file("bad.json")])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertTrue(result.stderr.contains("pretrain.stepz"), result.stderr)
        XCTAssertFalse(FileSystem.exists(dir.file("runs/x")), "nothing ran")
    }
}
