import Corpus
import Foundation

/// The article texts the replica serves: `crawlers/replica/articles.jsonl.gz`, written by
/// `scripts/make-replica-corpus.py` from Korean Wikipedia (see crawlers/replica/ATTRIBUTION.md).
/// One JSON object per line: `site`, `title`, `paragraphs`.
public struct ReplicaCorpus: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var site: String
        public var title: String
        public var paragraphs: [String]
    }

    /// Entries of each site, in file order (= publication order, oldest first).
    public let entries: [ReplicaSite: [Entry]]

    /// The file's name in `<crawlers>/replica/`.
    public static let fileName = "articles.jsonl.gz"
    /// `replica/articles.jsonl.gz` in `SiteDefinition.defaultCrawlersDirectory`.
    public static var defaultPath: String { SiteDefinition.defaultCrawlersDirectory + "/replica/" + fileName }

    public init(entries: [ReplicaSite: [Entry]]) {
        self.entries = entries
    }

    /// Reads the corpus file; errors name the file and line.
    public static func load(_ path: String) throws -> ReplicaCorpus {
        guard FileSystem.exists(path) else { throw ReplicaCorpusError.missing(path: path) }
        let reader = try ByteReader(path: path)
        var entries: [ReplicaSite: [Entry]] = [:]
        let decoder = JSONDecoder()
        while let line = try reader.readLine() {
            if line.isEmpty { continue }
            let position = InputPosition(path: path, line: reader.lineNumber)
            let entry: Entry
            do {
                entry = try decoder.decode(Entry.self, from: Data(line))
            } catch {
                throw ReplicaCorpusError.invalid(position, detail: "not a replica article (\(error))")
            }
            guard let site = ReplicaSite(rawValue: entry.site) else {
                throw ReplicaCorpusError.invalid(position, detail: "unknown site \"\(entry.site)\"")
            }
            guard !entry.title.isEmpty, entry.paragraphs.count >= 3 else {
                throw ReplicaCorpusError.invalid(position, detail: "an article needs a title and at least 3 paragraphs")
            }
            entries[site, default: []].append(entry)
        }
        for site in ReplicaSite.allCases where (entries[site]?.count ?? 0) < ReplicaPlan.minimumArticles {
            throw ReplicaCorpusError.invalid(InputPosition(path: path),
                                             detail: "\(site.rawValue) has \(entries[site]?.count ?? 0) articles, needs \(ReplicaPlan.minimumArticles)")
        }
        return ReplicaCorpus(entries: entries)
    }
}

/// Why the replica corpus could not be loaded.
public enum ReplicaCorpusError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case invalid(InputPosition, detail: String)

    public var description: String {
        switch self {
        case let .missing(path):
            return "\(path): replica corpus not found (run from the repository root, pass --corpus-file, or regenerate it with scripts/make-replica-corpus.py)"
        case let .invalid(position, detail):
            return "\(position): invalid replica corpus: \(detail)"
        }
    }
}

extension ReplicaCorpus {
    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: ReplicaCorpus] = [:]

    /// `load`, remembered per path: tests start many servers over the same file.
    static func cached(_ path: String) throws -> ReplicaCorpus {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let hit = cache[path] { return hit }
        let corpus = try load(path)
        cache[path] = corpus
        return corpus
    }
}
