import Corpus

/// One split of a cleaned corpus: the shards under `<corpus>/clean/<name>/`. The packer and
/// `DocumentStream` find shards only through it, so train, valid and test never mix: a split is
/// named, not given as a path, and only its own directory is read.
public struct CorpusSplit: Sendable, Equatable {
    /// The splits `ko-llama clean` writes.
    public static let names = ["train", "valid", "test"]

    public let corpus: String
    public let name: String

    public init(corpus: String, name: String) throws {
        guard Self.names.contains(name) else { throw CorpusSplitError.unknownSplit(name) }
        guard FileSystem.isDirectory(corpus) else { throw CorpusSplitError.missingCorpus(path: corpus) }
        self.corpus = corpus
        self.name = name
    }

    public var directory: String { corpus + "/clean/" + name }

    /// Whether the split was written (`clean` leaves out a split no document fell into).
    public var exists: Bool { FileSystem.isDirectory(directory) }

    /// The split's `.jsonl.gz` / `.jsonl` shards, sorted by path.
    public func shards() throws -> [String] {
        guard exists else { throw CorpusSplitError.missingSplit(path: directory) }
        return try FileSystem.files(under: directory, suffixes: [".jsonl.gz", ".jsonl"])
    }
}

/// A corpus split that cannot be read or yields nothing; each names the path.
public enum CorpusSplitError: Error, Sendable, CustomStringConvertible {
    case unknownSplit(String)
    case missingCorpus(path: String)
    case missingSplit(path: String)
    case noShards(path: String)
    case noDocuments(path: String, skippedLines: Int, firstSkipped: String?)

    public var description: String {
        switch self {
        case let .unknownSplit(name):
            return "unknown split \"\(name)\" (one of \(CorpusSplit.names.joined(separator: ", ")))"
        case let .missingCorpus(path):
            return "\(path): no such corpus directory"
        case let .missingSplit(path):
            return "\(path): no such directory (run `ko-llama clean` first; --corpus is the directory that holds clean/)"
        case let .noShards(path):
            return "\(path): no .jsonl.gz shards"
        case let .noDocuments(path, skipped, first):
            return "\(path): no documents to pack (\(skipped) invalid lines skipped\(first.map { "; first: \($0)" } ?? ""))"
        }
    }
}
