import Corpus
import Foundation

/// What earlier `extract` runs already turned into documents, kept in
/// `<corpus>/docs/extract-state-s<i>of<n>.json` (one file per array-job worker, written
/// atomically after the run's shards): per WARC file its size, whether it was read to the end,
/// and the ids of the response records already handled; and the pages of multi-page articles
/// still waiting for a missing page. Re-running skips complete files and handled records, so no
/// document is written twice; new WARC files produce new shards, and a page that arrives later
/// completes its waiting article.
public struct ExtractionState: Codable, Sendable, Equatable {
    public struct FileEntry: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int
        /// Read to the end without damage.
        public var complete: Bool
        /// WARC-Record-IDs of the response records handled, sorted.
        public var records: [String]
    }

    public var version = 1
    /// Runs of this worker so far (numbers the shard files).
    public var runs = 0
    public var files: [FileEntry] = []
    /// Pages of multi-page articles still missing a page (their records are in `files` too).
    public var pending: [PendingPage] = []

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        runs = try c.decode(Int.self, forKey: .runs)
        files = try c.decode([FileEntry].self, forKey: .files)
        pending = try c.decodeIfPresent([PendingPage].self, forKey: .pending) ?? []
    }

    public static func fileName(shardIndex: Int, shardCount: Int) -> String {
        "extract-state-s\(shardIndex)of\(shardCount).json"
    }

    /// This worker's state, and the record ids every worker's state lists (a run with a
    /// different shard count still sees what the others did).
    public static func load(directory: String, shardIndex: Int, shardCount: Int) throws -> (own: ExtractionState, all: [ExtractionState]) {
        guard FileSystem.isDirectory(directory) else { return (ExtractionState(), []) }
        var own = ExtractionState()
        var all: [ExtractionState] = []
        let ownName = fileName(shardIndex: shardIndex, shardCount: shardCount)
        for name in try FileSystem.listDirectory(directory) where name.hasPrefix("extract-state-") && name.hasSuffix(".json") {
            let path = directory + "/" + name
            let state: ExtractionState
            do {
                state = try JSONDecoder().decode(ExtractionState.self, from: Data(FileSystem.readAll(path)))
            } catch let error as CorpusError {
                throw error
            } catch {
                throw CorpusError.invalidManifest(path: path, detail: "not an extract state file")
            }
            all.append(state)
            if name == ownName { own = state }
        }
        return (own, all)
    }

    public func save(directory: String, shardIndex: Int, shardCount: Int) throws {
        try AtomicFileWriter.write(JSONLines.makeEncoder().encode(self).map { $0 } + [0x0A],
                                   to: directory + "/" + ExtractionState.fileName(shardIndex: shardIndex, shardCount: shardCount))
    }

    public mutating func record(path: String, size: Int, complete: Bool, records: [String]) {
        var entry = files.first { $0.path == path } ?? FileEntry(path: path, size: size, complete: false, records: [])
        entry.size = size
        entry.complete = complete
        entry.records = Array(Set(entry.records).union(records)).sorted()
        files.removeAll { $0.path == path }
        files.append(entry)
        files.sort { $0.path < $1.path }
    }
}
