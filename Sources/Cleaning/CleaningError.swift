import Corpus

/// Errors of the cleaning stage; each names the file it concerns.
public enum CleaningError: Error, Sendable, Equatable, CustomStringConvertible {
    case noInput(directory: String)
    case invalidPolicy(path: String, detail: String)
    case invalidDedupIndex(path: String, detail: String)
    case incompatibleDedupIndex(path: String, detail: String)
    case inputChanged(path: String)
    case missingWorker(directory: String)

    public var description: String {
        switch self {
        case let .noInput(directory):
            return "\(directory): no *.jsonl.gz document shards to clean (run `ko-llama extract` first)"
        case let .invalidPolicy(path, detail):
            return "\(path): invalid cleaning policy: \(detail)"
        case let .invalidDedupIndex(path, detail):
            return "\(path): invalid dedup index: \(detail)"
        case let .inputChanged(path):
            return "\(path): changed while `clean` was reading it (is `extract` running?); nothing was committed, run again"
        case let .missingWorker(directory):
            return "\(directory): no manifest.json; run every worker (--shard-index I --shard-count N) before --merge-workers N"
        case let .incompatibleDedupIndex(path, detail):
            return "\(path): dedup index was built with other MinHash settings (\(detail)); remove <corpus>/clean to rebuild"
        }
    }
}
