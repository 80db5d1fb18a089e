import Corpus
import Foundation
import Replica
import TestSupport
import XCTest

/// Shared setup: a replica server with test timings, the repository's corpus file, and helpers
/// to read links out of served pages.
class ReplicaTestCase: XCTestCase {
    static let corpusFile = repositoryRoot + "/crawlers/replica/articles.jsonl.gz"

    func startServer(_ site: ReplicaSite, initialArticles: Int = 40, failureModes: Bool = true) throws -> ReplicaServer {
        let options = ReplicaOptions(initialArticles: initialArticles, crawlDelay: 0.02, slowResponseSeconds: 0.3,
                                     retryAfterSeconds: 1, failureModes: failureModes, corpusFile: Self.corpusFile)
        let server = try ReplicaServer(site: site, options: options)
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    func siteDefinition(_ site: ReplicaSite) throws -> SiteDefinition {
        try SiteDefinition.load(site.rawValue, crawlersDirectory: repositoryRoot + "/crawlers")
    }

    /// Every `href` on a page, resolved against the page's URL: (absolute URL string, same-origin path+query or nil).
    func links(in html: String, page: String, origin: String) -> [(url: String, path: String?)] {
        let regex = try! NSRegularExpression(pattern: #"href="([^"]*)""#)
        let base = URL(string: origin + page)!
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            let href = String(html[Range(match.range(at: 1), in: html)!])
            guard let url = URL(string: href, relativeTo: base)?.absoluteURL,
                  let components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return nil }
            let sameOrigin = "\(components.scheme ?? "")://\(components.host ?? ""):\(components.port ?? 80)" == origin
            let path = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
            return (url.absoluteString, sameOrigin ? path : nil)
        }
    }

    /// Fetches the home page and every section list page (following pagination), returning
    /// each list page's path and its same-origin links.
    func crawlLists(_ server: ReplicaServer, _ definition: SiteDefinition) throws -> [String: [String]] {
        let client = RawHTTPClient(port: server.port)
        let listRegexes = try definition.listPatterns.map { try NSRegularExpression(pattern: $0) }
        func isList(_ path: String) -> Bool {
            listRegexes.contains { $0.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil }
        }
        var queue = definition.seeds, seen = Set(definition.seeds), found: [String: [String]] = [:]
        while !queue.isEmpty {
            let page = queue.removeFirst()
            let response = try client.request("GET", page)
            guard response.status == 200 else { continue }
            let paths = links(in: response.text, page: page, origin: server.origin).compactMap(\.path)
            found[page] = paths
            for p in paths where isList(p) && !seen.contains(p) {
                seen.insert(p)
                queue.append(p)
            }
        }
        return found
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Undoes the replica's HTML escaping so page text compares with catalog text.
    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
