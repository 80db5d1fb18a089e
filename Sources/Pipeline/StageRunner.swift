import Corpus
import Foundation
import Glibc

/// What `StageRunner.run` did with one stage.
public struct StageResult: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case ran
        case skipped
    }

    public var stage: String
    public var status: Status
    /// Why the stage ran (`first run`, `input docs changed`, `settings changed`, `output x missing`),
    /// or `unchanged` when it was skipped.
    public var reason: String
    /// Wall time of this run: the stage's work, or only the fingerprint when it was skipped.
    public var seconds: Double
    public var budgetSeconds: Double?
    /// The manifest in force after the call (the new one, or the one that made it skip).
    public var manifest: StageManifest
}

/// What a stage's body is told about the run it starts.
public struct StageAttempt: Sendable, Equatable {
    /// True when the last attempt at this stage was interrupted with the same inputs and
    /// settings: a training stage continues from its checkpoints. False: the stage starts over
    /// (a stage with checkpoints removes them first).
    public var resuming: Bool
}

/// Why a stage could not be run or recorded.
public enum StageError: Error, Sendable, Equatable, CustomStringConvertible {
    case inputMissing(stage: String, path: String)
    case outputsMissing(stage: String, paths: [String])

    public var description: String {
        switch self {
        case let .inputMissing(stage, path): return "stage \(stage): input \(path) does not exist"
        case let .outputsMissing(stage, paths): return "stage \(stage) finished without writing \(paths.joined(separator: ", "))"
        }
    }
}

/// Runs pipeline stages with skip-when-unchanged, the way make skips an up-to-date target but by
/// content hash (as DVC does): a stage runs only when the hashes of its inputs or settings differ
/// from its `StageManifest`, or when one of its outputs is missing; otherwise it says
/// "skipped (unchanged)". Interrupt-safe: the old manifest is removed before a stage starts and
/// the new one is written only after it returns, so a stage killed halfway (Ctrl-C, kill -9) has
/// no manifest and runs again next time, while the stages before it stay skipped. While a stage
/// runs, `<stage>.attempt.json` holds its fingerprint; the next run of an interrupted stage with
/// the same fingerprint is told it is `resuming`, so training continues from its checkpoints
/// instead of starting over (and a changed stage never resumes another run's checkpoints).
public final class StageRunner {
    public let stagesDirectory: String
    private let log: (String) -> Void
    /// Every stage `run` handled, in order: what the report's timing table shows.
    public private(set) var results: [StageResult] = []
    /// The stage whose body is running (or failed last); nil between stages.
    public private(set) var currentStage: String?
    /// Content hashes computed in this run, by path, with the size and modification time of
    /// each file they covered: a model folder read by five stages is hashed once, and again only
    /// when a file in it changed.
    private var hashes: [String: (stamp: String, hash: String)] = [:]

    /// - Parameters:
    ///   - runDirectory: `runs/<name>`; manifests go to `<runDirectory>/stages/<stage>.json`.
    ///   - log: receives one line per stage event (`clean: skipped (unchanged)`).
    public init(runDirectory: String, log: @escaping (String) -> Void) {
        stagesDirectory = runDirectory + "/stages"
        self.log = log
    }

    public func manifestPath(_ stage: String) -> String { "\(stagesDirectory)/\(stage).json" }

    private func attemptPath(_ stage: String) -> String { "\(stagesDirectory)/\(stage).attempt.json" }

    /// Runs `body` unless the stage is unchanged since its last completed run.
    /// - Parameters:
    ///   - inputs: files and folders the stage reads; each must exist.
    ///   - settings: everything else that decides the outputs (hashed as canonical JSON).
    ///   - outputs: files and folders the stage writes; each must exist when `body` returns.
    @discardableResult
    public func run<Settings: Encodable>(_ stage: String, inputs: [String], settings: Settings, outputs: [String],
                                          budgetSeconds: Double? = nil, body: (StageAttempt) throws -> Void) throws -> StageResult {
        let started = Date()
        let fingerprint = try inputs.reduce(into: [String: String]()) { fingerprint, path in
            guard FileSystem.exists(path) else { throw StageError.inputMissing(stage: stage, path: path) }
            let stamp = try Self.stamp(path)
            if hashes[path]?.stamp != stamp { hashes[path] = (stamp, try Self.contentHash(path)) }
            fingerprint[path] = hashes[path]!.hash
        }
        let settingsHash = try Self.settingsHash(settings)
        let path = manifestPath(stage)
        let previous = try StageManifest.load(path: path)
        let reason = Self.reasonToRun(previous, inputs: fingerprint, settings: settingsHash, outputs: outputs)
        if let previous, reason == nil {
            let result = StageResult(stage: stage, status: .skipped, reason: "unchanged", seconds: Date().timeIntervalSince(started),
                                     budgetSeconds: budgetSeconds, manifest: previous)
            results.append(result)
            log("\(stage): skipped (unchanged)")
            return result
        }
        var why = reason ?? "first run"
        // Removed first: a run killed from here on leaves no manifest, so the next run redoes the stage.
        FileSystem.remove(path)
        let attempt = StageManifest(stage: stage, inputs: fingerprint, settings: settingsHash, outputs: outputs,
                                    started: Self.timestamp(started), finished: "", seconds: 0)
        let resuming = try StageManifest.load(path: attemptPath(stage)).map {
            $0.inputs == attempt.inputs && $0.settings == attempt.settings && $0.outputs == attempt.outputs
        } ?? false
        if resuming { why = "resuming an interrupted run" }
        try attempt.save(to: attemptPath(stage))
        log("\(stage): running (\(why))")
        currentStage = stage
        try body(StageAttempt(resuming: resuming))
        currentStage = nil
        let missing = outputs.filter { !FileSystem.exists($0) }
        guard missing.isEmpty else { throw StageError.outputsMissing(stage: stage, paths: missing) }
        let finished = Date()
        let seconds = finished.timeIntervalSince(started)
        let manifest = StageManifest(stage: stage, inputs: fingerprint, settings: settingsHash, outputs: outputs,
                                     started: Self.timestamp(started), finished: Self.timestamp(finished), seconds: seconds)
        try manifest.save(to: path)
        FileSystem.remove(attemptPath(stage))
        let result = StageResult(stage: stage, status: .ran, reason: why, seconds: seconds, budgetSeconds: budgetSeconds, manifest: manifest)
        results.append(result)
        var line = "\(stage): done in " + String(format: "%.1f s", seconds)
        if let budgetSeconds {
            line += seconds > budgetSeconds ? String(format: ", over its %.0f s budget", budgetSeconds) : String(format: " (budget %.0f s)", budgetSeconds)
        }
        log(line)
        return result
    }

    /// Why the stage must run, or nil when its manifest matches.
    private static func reasonToRun(_ previous: StageManifest?, inputs: [String: String], settings: String, outputs: [String]) -> String? {
        guard let previous else { return "first run" }
        let changed = inputs.keys.sorted().filter { previous.inputs[$0] != inputs[$0] }
        if !changed.isEmpty { return "input \(changed.joined(separator: ", ")) changed" }
        let dropped = previous.inputs.keys.sorted().filter { inputs[$0] == nil }
        if !dropped.isEmpty { return "input \(dropped.joined(separator: ", ")) no longer read" }
        if previous.settings != settings { return "settings changed" }
        if previous.outputs != outputs { return "outputs changed" }
        if let missing = outputs.first(where: { !FileSystem.exists($0) }) { return "output \(missing) missing" }
        return nil
    }

    /// `sha256:<hex>` of the settings' JSON with sorted keys.
    public static func settingsHash<Settings: Encodable>(_ settings: Settings) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return "sha256:" + DigestEncoding.hex(SHA256.hash(try encoder.encode(settings)))
    }

    /// `sha256:<hex>` of a file's bytes, or for a folder of each file's relative path, size and
    /// content hash in path order (read in chunks: memory does not grow with the file).
    public static func contentHash(_ path: String) throws -> String {
        guard FileSystem.isDirectory(path) else { return "sha256:" + DigestEncoding.hex(try fileHash(path)) }
        var listing = SHA256()
        for file in try FileSystem.files(under: path, suffixes: [""]) {
            let relative = String(file.dropFirst(path.count))
            listing.update(Array("\(relative)\t\(try FileSystem.fileSize(file))\t".utf8))
            listing.update(Array(DigestEncoding.hex(try fileHash(file)).utf8) + [0x0A])
        }
        return "sha256:" + DigestEncoding.hex(listing.finalize())
    }

    /// Size and modification time of a file, or of every file in a folder.
    private static func stamp(_ path: String) throws -> String {
        func one(_ file: String) throws -> String {
            var info = stat()
            guard stat(file, &info) == 0 else { throw CorpusError.io(path: file, operation: "stat", errno: errno) }
            return "\(file)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n"
        }
        guard FileSystem.isDirectory(path) else { return try one(path) }
        return try FileSystem.files(under: path, suffixes: [""]).map(one).joined()
    }

    private static func fileHash(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var hash = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CorpusError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            hash.update(chunk[0..<n])
        }
        return hash.finalize()
    }

    private static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
