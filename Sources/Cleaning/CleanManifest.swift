import Foundation
import Corpus

/// `<corpus>/clean/manifest.json`: what the clean corpus holds (shards with documents,
/// characters, bytes and sha256 per split), the dedup index it goes with, and the history of
/// runs with their counts and policy. Written atomically last in a run: it is the commit point.
public struct CleanManifest: Codable, Sendable, Equatable, VersionedManifest {
    public static let currentFormat = 1

    public var format = CleanManifest.currentFormat
    /// Dedup index file (relative to the clean directory) matching these shards.
    public var dedupIndex: String?
    /// Documents in the dedup index (all documents ever added to the splits).
    public var indexedDocuments = 0
    public var splits: [String: SplitContents] = [:]
    public var runs: [RunRecord] = []

    public init() {}

    /// Shards of one split; paths are relative to the clean directory.
    public struct SplitContents: Codable, Sendable, Equatable {
        public var documents = 0
        public var characters = 0
        public var bytes = 0
        public var shards: [ShardSummary] = []

        public init() {}
    }

    /// Counts of one source in one run.
    public struct SourceCounts: Codable, Sendable, Equatable {
        public var input = 0
        public var kept = 0
        public var reservedExcluded = 0
        public var filtered = 0

        public init(input: Int = 0, kept: Int = 0, reservedExcluded: Int = 0, filtered: Int = 0) {
            self.input = input
            self.kept = kept
            self.reservedExcluded = reservedExcluded
            self.filtered = filtered
        }
    }

    /// One run of `ko-llama clean`.
    public struct RunRecord: Codable, Sendable, Equatable {
        public var run: Int
        public var started: String
        public var finished: String
        /// Shards read (for a merge: worker shards, relative to the clean directory).
        public var inputShards: [String]
        /// Set when the run merged `clean/workers/*-of-<N>/` into the corpus.
        public var mergedWorkers: Int?
        public var inputDocuments = 0
        /// Invalid lines skipped (each names file:line); only the first 100 are listed.
        public var skippedLines = 0
        public var skippedLineExamples: [String] = []
        /// Shards that ended in an error (truncated or corrupt gzip); documents before it were kept.
        public var inputErrors: [String] = []
        public var kept = 0
        public var filtered: [String: Int] = [:]
        public var perSource: [String: SourceCounts] = [:]
        public var perSplit: [String: Int] = [:]
        /// Kept documents by length in characters: bucket k counts lengths in [2^(k+6), 2^(k+7)),
        /// bucket 0 also everything shorter, the last bucket everything longer.
        public var lengthHistogram: [Int] = []
        /// Boilerplate lines removed from kept documents (absent in runs before the filter).
        public var boilerplateLinesRemoved: Int?
        public var includeReserved = false
        public var policy: CleaningPolicy
    }

    public static func load(path: String) throws -> CleanManifest {
        return try decodeManifest(path: path)
    }

    public func save(to path: String) throws {
        let e = JSONLines.makeEncoder()
        e.outputFormatting.insert(.prettyPrinted)
        var bytes = [UInt8](try e.encode(self))
        bytes.append(0x0A)
        try AtomicFileWriter.write(bytes, to: path)
    }

    /// `report.md`: the manifest for people, with a text histogram of document lengths.
    public func report() -> String {
        var s = "# Clean corpus report\n\n"
        s += "| split | documents | characters | bytes (gzip) | shards |\n|---|---:|---:|---:|---:|\n"
        for split in Split.allCases {
            let c = splits[split.rawValue] ?? SplitContents()
            s += "| \(split.rawValue) | \(c.documents) | \(c.characters) | \(c.bytes) | \(c.shards.count) |\n"
        }
        s += "\nDedup index: \(indexedDocuments) documents.\n"
        guard let run = runs.last else { return s }
        s += "\n## Run \(run.run) (\(run.started) .. \(run.finished))\n\n"
        if let n = run.mergedWorkers { s += "Merge of the \(n) workers' shards in clean/workers/*-of-\(n)/.\n\n" }
        s += "Input: \(run.inputShards.count) shards, \(run.inputDocuments) documents, \(run.skippedLines) invalid lines skipped. "
        s += "Kept: \(run.kept).\n"
        if run.boilerplateLinesRemoved != nil && run.policy.boilerplateLineMinDocuments == 0 {
            s += "\nBoilerplate line filter: off (boilerplateLineMinDocuments 0).\n"
        } else if let n = run.boilerplateLinesRemoved {
            s += "\nBoilerplate lines removed (short lines in >= \(run.policy.boilerplateLineMinDocuments) documents of one source): \(n).\n"
        }
        if !run.inputErrors.isEmpty { s += "\nInput errors:\n" + run.inputErrors.map { "- \($0)\n" }.joined() }
        s += "\n| filter reason | documents |\n|---|---:|\n"
        for (reason, n) in run.filtered.sorted(by: { $0.key < $1.key }) { s += "| \(reason) | \(n) |\n" }
        s += "\n| source | input | kept | filtered | rights reserved (excluded) |\n|---|---:|---:|---:|---:|\n"
        for (source, c) in run.perSource.sorted(by: { $0.key < $1.key }) {
            s += "| \(source) | \(c.input) | \(c.kept) | \(c.filtered) | \(c.reservedExcluded) |\n"
        }
        s += "\nLengths of kept documents (characters):\n\n```\n"
        let top = max(run.lengthHistogram.max() ?? 0, 1)
        for (k, n) in run.lengthHistogram.enumerated() {
            let lo = k == 0 ? 0 : 1 << (k + 6)
            let label = k == run.lengthHistogram.count - 1 ? "\(lo)+" : "\(lo)-\((1 << (k + 7)) - 1)"
            let bar = String(repeating: "#", count: (n * 40 + top - 1) / top)
            s += label.padding(toLength: 14, withPad: " ", startingAt: 0) + String(n).padding(toLength: 9, withPad: " ", startingAt: 0) + bar + "\n"
        }
        s += "```\n"
        return s
    }
}
