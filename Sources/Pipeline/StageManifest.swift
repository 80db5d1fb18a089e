import Corpus
import Foundation

/// `runs/<name>/stages/<stage>.json`: what a finished stage read (a content hash per input), the
/// hash of its settings, what it wrote, and how long it took. Written atomically after the stage
/// completes, so its presence means the outputs are whole; `StageRunner` compares the next run's
/// fingerprint against it to skip a stage whose inputs and settings did not change (as make and
/// DVC's `dvc.lock` do, by content rather than by time stamp).
public struct StageManifest: Codable, Sendable, Equatable, VersionedManifest {
    public static let currentFormat = 1

    public var format = StageManifest.currentFormat
    public var stage: String
    /// Input path -> `sha256:<hex>` of its content (a folder: of its files' names and contents).
    public var inputs: [String: String]
    /// `sha256:<hex>` of the settings as canonical JSON (sorted keys).
    public var settings: String
    /// Files and folders the stage wrote; all must exist for the stage to be skipped.
    public var outputs: [String]
    public var started: String
    public var finished: String
    public var seconds: Double

    public init(stage: String, inputs: [String: String], settings: String, outputs: [String],
                started: String, finished: String, seconds: Double) {
        self.stage = stage
        self.inputs = inputs
        self.settings = settings
        self.outputs = outputs
        self.started = started
        self.finished = finished
        self.seconds = seconds
    }

    /// Reads a manifest; nil when there is none.
    public static func load(path: String) throws -> StageManifest? {
        guard FileSystem.exists(path) else { return nil }
        return try decodeManifest(path: path)
    }

    /// Writes the manifest atomically (temporary file, fsync, rename).
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileSystem.createDirectory(FileSystem.directoryName(of: path))
        try AtomicFileWriter.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n", to: path)
    }
}
