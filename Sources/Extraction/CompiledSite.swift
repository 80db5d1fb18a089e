import Corpus
import Foundation

/// A site definition with its regular expressions compiled once, shared read-only by the worker
/// threads (NSRegularExpression is immutable and thread-safe once built).
public final class CompiledSite: @unchecked Sendable {
    public let definition: SiteDefinition
    let hosts: Set<String>
    let listPatterns: [NSRegularExpression]
    let articlePatterns: [(name: String, regex: NSRegularExpression, continuation: NSRegularExpression?)]
    let datePatterns: [NSRegularExpression]
    let dropLines: [NSRegularExpression]
    let stripPrefixes: [NSRegularExpression]
    let noticePatterns: [NSRegularExpression]

    public var name: String { definition.name }

    public init(_ definition: SiteDefinition) throws {
        self.definition = definition
        func compile(_ patterns: [String]) throws -> [NSRegularExpression] {
            try patterns.map { try NSRegularExpression(pattern: $0) }
        }
        var hosts = Set(definition.allowedHosts.map { $0.lowercased() })
        if let host = URL(string: definition.origin)?.host { hosts.insert(host.lowercased()) }
        self.hosts = hosts
        listPatterns = try compile(definition.listPatterns)
        articlePatterns = try definition.articlePatterns.map {
            ($0.name, try NSRegularExpression(pattern: $0.regex), try $0.continuation.map { try NSRegularExpression(pattern: $0) })
        }
        datePatterns = try compile(definition.extraction.datePatterns)
        dropLines = try compile(definition.extraction.dropLines)
        stripPrefixes = try compile(definition.extraction.stripPrefixes)
        noticePatterns = try compile(definition.rights.noticePatterns)
    }

    /// The article template a path belongs to (`current`, `legacy`), or nil.
    func articleTemplate(path: String) -> String? {
        articlePatterns.first { Regex.matches($0.regex, path) }?.name
    }

    func isListPage(path: String) -> Bool {
        listPatterns.contains { Regex.matches($0, path) }
    }

    /// For multi-page templates: the key shared by an article's pages and this page's number
    /// (1 for the first page, which carries no number).
    func continuation(path: String) -> (key: String, page: Int)? {
        for pattern in articlePatterns {
            guard let regex = pattern.continuation, let groups = Regex.captures(regex, path), let key = groups.first ?? nil else { continue }
            let page = groups.count > 1 ? groups[1].flatMap { Int($0) } ?? 1 : 1
            return (key, page)
        }
        return nil
    }
}

/// Small helpers over NSRegularExpression with String in and out.
enum Regex {
    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Capture groups of the first match (nil entries for groups that did not take part).
    static func captures(_ regex: NSRegularExpression, _ text: String) -> [String?]? {
        guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<max(m.numberOfRanges, 1)).map { i in Range(m.range(at: i), in: text).map { String(text[$0]) } }
    }

    /// The text matched at the start of `text`, or nil.
    static func prefixMatch(_ regex: NSRegularExpression, _ text: String) -> Range<String.Index>? {
        guard let m = regex.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)) else { return nil }
        return Range(m.range, in: text)
    }
}

/// Which site a fetched URL belongs to. In order: a forced site (`--site`), the crawler's
/// `KoLlama-Site` WARC header, the URL host against each site's origin and allowed hosts, and
/// for loopback hosts (the replica behind `--origin`) the path against each site's article
/// patterns. Sites are tried in name order so the answer never depends on hashing.
public struct SiteMatcher: Sendable {
    public let sites: [CompiledSite]
    let forced: CompiledSite?

    public init(sites: [SiteDefinition], forcedSite: String? = nil) throws {
        self.sites = try sites.sorted { $0.name < $1.name }.map { try CompiledSite($0) }
        if let forcedSite {
            guard let site = self.sites.first(where: { $0.name == forcedSite }) else {
                throw SiteDefinitionError.notFound(path: forcedSite)
            }
            forced = site
        } else {
            forced = nil
        }
    }

    /// Every `*.json` site definition in a directory.
    public static func loadDefinitions(directory: String) throws -> [SiteDefinition] {
        try FileSystem.listDirectory(directory).filter { $0.hasSuffix(".json") }.map {
            try SiteDefinition.load(directory + "/" + $0)
        }
    }

    public func site(for url: URLParts, declaredSite: String?) -> CompiledSite? {
        if let forced { return forced }
        if let declaredSite, let site = sites.first(where: { $0.name == declaredSite }) { return site }
        if let site = sites.first(where: { $0.hosts.contains(url.host) }) { return site }
        if url.isLoopback {
            return sites.first { $0.articleTemplate(path: url.pathAndQuery) != nil || $0.continuation(path: url.pathAndQuery) != nil }
        }
        return nil
    }
}

/// The pieces of an absolute URL the extractor needs.
public struct URLParts: Sendable, Equatable {
    public var host: String
    /// Path plus `?query` when present, e.g. `/n3/2024/0305/c203-1.html`.
    public var pathAndQuery: String

    public init?(_ url: String) {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        self.host = host.lowercased()
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        pathAndQuery = components.percentEncodedQuery.map { path + "?" + $0 } ?? path
    }

    var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" }
}
