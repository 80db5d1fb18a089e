import Corpus
import Foundation
import Pipeline
import TestSupport
import XCTest

/// Skip-when-unchanged: a stage's closure runs only when its inputs, settings or outputs say so,
/// and an interrupted stage leaves no manifest.
final class StageRunnerTests: XCTestCase {
    struct Settings: Encodable { var vocab: Int }

    func testRunsOnlyWhenInputsSettingsOrOutputsChange() throws {
        let dir = try TemporaryDirectory("stages")
        try FileSystem.createDirectory(dir.file("docs"))
        try AtomicFileWriter.write("a", to: dir.file("docs/1.txt"))
        try AtomicFileWriter.write("x", to: dir.file("config.txt"))
        var log: [String] = []
        let runner = StageRunner(runDirectory: dir.file("run"), log: { log.append($0) })
        var calls = 0
        @discardableResult
        func stage(vocab: Int = 8) throws -> StageResult {
            try runner.run("tokenizerTrain", inputs: [dir.file("docs"), dir.file("config.txt")], settings: Settings(vocab: vocab),
                           outputs: [dir.file("out.model")], budgetSeconds: 60) { _ in
                calls += 1
                try AtomicFileWriter.write("model \(calls)", to: dir.file("out.model"))
            }
        }
        XCTAssertEqual(try stage().reason, "first run")
        XCTAssertEqual(calls, 1)
        let skipped = try stage()
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(skipped.status, .skipped)
        XCTAssertEqual(log.last, "tokenizerTrain: skipped (unchanged)")

        XCTAssertEqual(try stage(vocab: 16).reason, "settings changed")
        XCTAssertEqual(calls, 2)
        try AtomicFileWriter.write("b", to: dir.file("docs/2.txt"))
        XCTAssertEqual(try stage(vocab: 16).reason, "input \(dir.file("docs")) changed")
        try AtomicFileWriter.write("y", to: dir.file("config.txt"))
        XCTAssertEqual(try stage(vocab: 16).reason, "input \(dir.file("config.txt")) changed")
        FileSystem.remove(dir.file("out.model"))
        XCTAssertEqual(try stage(vocab: 16).reason, "output \(dir.file("out.model")) missing")
        XCTAssertEqual(calls, 5)
        _ = try stage(vocab: 16)
        XCTAssertEqual(calls, 5)

        let manifest = try XCTUnwrap(try StageManifest.load(path: runner.manifestPath("tokenizerTrain")))
        XCTAssertEqual(manifest.outputs, [dir.file("out.model")])
        XCTAssertEqual(manifest.inputs[dir.file("config.txt")], "sha256:" + DigestEncoding.hex(SHA256.hash(Array("y".utf8))))
        XCTAssertEqual(runner.results.map(\.status), [.ran, .skipped, .ran, .ran, .ran, .ran, .skipped])
        XCTAssertTrue(log.contains { $0.hasPrefix("tokenizerTrain: done in ") && $0.hasSuffix(" (budget 60 s)") }, "\(log)")
    }

    func testAnInterruptedStageRunsAgainEvenWhenItsInputsAreBackToTheLastCompletedRun() throws {
        let dir = try TemporaryDirectory("stages")
        try AtomicFileWriter.write("v1", to: dir.file("in.txt"))
        let runner = StageRunner(runDirectory: dir.file("run"), log: { _ in })
        var calls = 0
        struct Interrupted: Error {}
        var resumed: [Bool] = []
        func stage(fail: Bool = false) throws {
            try runner.run("pack", inputs: [dir.file("in.txt")], settings: Settings(vocab: 1), outputs: [dir.file("out.bin")]) { attempt in
                calls += 1
                resumed.append(attempt.resuming)
                try AtomicFileWriter.write("partial", to: dir.file("out.bin"))
                if fail { throw Interrupted() }
            }
        }
        try stage()
        try AtomicFileWriter.write("v2", to: dir.file("in.txt"))
        XCTAssertThrowsError(try stage(fail: true))
        XCTAssertNil(try StageManifest.load(path: runner.manifestPath("pack")), "no manifest for a stage that did not complete")
        try AtomicFileWriter.write("v1", to: dir.file("in.txt"))
        try stage()
        XCTAssertEqual(calls, 3, "the half-written output of the interrupted run is not taken for the v1 output")
        try stage()
        XCTAssertEqual(calls, 3)
        XCTAssertEqual(resumed, [false, false, false], "the interrupted attempt read v2, so the v1 run does not resume it")
    }

    func testAnInterruptedStageResumesOnlyWithTheSameInputsAndSettings() throws {
        let dir = try TemporaryDirectory("stages")
        try AtomicFileWriter.write("v1", to: dir.file("in.txt"))
        let runner = StageRunner(runDirectory: dir.file("run"), log: { _ in })
        struct Interrupted: Error {}
        var resumed: [Bool] = []
        func stage(vocab: Int = 1, fail: Bool = false) throws {
            try runner.run("pretrain", inputs: [dir.file("in.txt")], settings: Settings(vocab: vocab), outputs: [dir.file("out")]) { attempt in
                resumed.append(attempt.resuming)
                if fail { throw Interrupted() }
                try AtomicFileWriter.write("adapter", to: dir.file("out"))
            }
        }
        XCTAssertThrowsError(try stage(fail: true))
        XCTAssertThrowsError(try stage(fail: true))
        XCTAssertThrowsError(try stage(vocab: 2, fail: true))
        try stage(vocab: 2)
        XCTAssertEqual(resumed, [false, true, false, true])
        try stage(vocab: 3)
        XCTAssertEqual(resumed.last, false, "a completed stage leaves no attempt to resume")
    }

    func testAStageThatWritesNoOutputOrLacksAnInputIsAnError() throws {
        let dir = try TemporaryDirectory("stages")
        let runner = StageRunner(runDirectory: dir.file("run"), log: { _ in })
        XCTAssertThrowsError(try runner.run("pack", inputs: [], settings: Settings(vocab: 1), outputs: [dir.file("never")]) { _ in }) { error in
            XCTAssertEqual(error as? StageError, .outputsMissing(stage: "pack", paths: [dir.file("never")]))
        }
        XCTAssertNil(try StageManifest.load(path: runner.manifestPath("pack")))
        var ran = false
        XCTAssertThrowsError(try runner.run("pack", inputs: [dir.file("absent")], settings: Settings(vocab: 1), outputs: []) { _ in ran = true }) { error in
            XCTAssertEqual(error as? StageError, .inputMissing(stage: "pack", path: dir.file("absent")))
        }
        XCTAssertFalse(ran)
    }
}
