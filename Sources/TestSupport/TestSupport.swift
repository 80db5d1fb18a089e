import Foundation
import XCTest

/// Helpers shared by the test targets (not part of any product).

/// The repository root, found from this file's location.
public let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The `ko-llama` executable of the build under test: SwiftPM links it beside the test bundle
/// (`swift build --build-tests` builds both), so command-line tests never run a stale binary.
public var koLlamaExecutable: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ko-llama").path
}

/// Command-line tests fail, never skip, when the executable is missing: they must not pass by not running.
public struct MissingExecutable: Error, CustomStringConvertible {
    public var description: String { "\(koLlamaExecutable) not built (swift build --build-tests builds it)" }
    public init() {}

    /// Throws unless `koLlamaExecutable` exists and is executable.
    public static func check() throws {
        guard FileManager.default.isExecutableFile(atPath: koLlamaExecutable) else { throw MissingExecutable() }
    }
}

/// A fresh directory under the system temporary directory, removed when released.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "ko-llama-test") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs the real peer tools (Python packages such as sentencepiece, warcio, transformers) from
/// tests. A missing peer skips the test locally, and fails it when `KO_LLAMA_REQUIRE_PEERS=1`
/// (as `scripts/test.sh` and CI set), so interop checks can never pass by not running.
public enum PythonPeer {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Throws `XCTSkip` (or fails under KO_LLAMA_REQUIRE_PEERS=1) unless every module imports.
    public static func require(_ modules: String...) throws {
        let probe = modules.map { "import \($0)" }.joined(separator: "; ")
        if (try? run(probe)) != nil { return }
        let message = "python modules \(modules.joined(separator: ", ")) not installed (pip install them, or run scripts/test.sh)"
        if ProcessInfo.processInfo.environment["KO_LLAMA_REQUIRE_PEERS"] == "1" {
            throw Failure(description: message)
        }
        throw XCTSkip(message)
    }

    /// Runs `python3 -c script args...` and returns stdout; throws with stderr on failure.
    @discardableResult
    public static func run(_ script: String, _ arguments: [String] = [], stdin: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), input = Pipe()
        // stderr goes to a file so a chatty child can never block on a full pipe.
        let errPath = NSTemporaryDirectory() + "python-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        if p.terminationStatus != 0 {
            throw Failure(description: "python3 exited \(p.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: outData, as: UTF8.self)
    }
}

/// Runs the `ko-llama` of the build under test, for tests of exit codes and messages; fails
/// (never skips) when it has not been built.
public enum KoLlamaExecutable {
    /// Runs `ko-llama arguments...`; returns the exit status and what it wrote to stderr.
    /// Standard output goes to the file `stdout` when given (else it is discarded).
    public static func run(_ arguments: [String], stdout: String? = nil) throws -> (status: Int32, stderr: String) {
        try MissingExecutable.check()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: koLlamaExecutable)
        p.arguments = arguments
        let errPath = NSTemporaryDirectory() + "ko-llama-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        } else {
            p.standardOutput = FileHandle.nullDevice
        }
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

extension KoLlamaExecutable {
    /// Runs `ko-llama arguments...`; returns the exit status, stdout and stderr (for commands
    /// whose output is their result, such as `generate`).
    public static func output(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try MissingExecutable.check()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: koLlamaExecutable)
        p.arguments = arguments
        let errPath = NSTemporaryDirectory() + "ko-llama-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: stdout, as: UTF8.self),
                String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

/// `scripts/check-report.sh`: loads a run report in headless Chromium (no console errors, the
/// `expect` ids present, plots with marks) and saves a screenshot. Exit 2 means Chromium or a
/// Korean font is not installed (the script installs nothing here: KO_LLAMA_NO_INSTALL=1).
public enum ReportBrowserCheck {
    public static func run(html: String, expect: [String], screenshot: String) throws -> Int32 {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/bash")
        check.arguments = [repositoryRoot + "/scripts/check-report.sh", html, "--expect", expect.joined(separator: ","), "--screenshot", screenshot]
        check.environment = ProcessInfo.processInfo.environment.merging(["KO_LLAMA_NO_INSTALL": "1"]) { $1 }
        try check.run()
        check.waitUntilExit()
        return check.terminationStatus
    }
}
