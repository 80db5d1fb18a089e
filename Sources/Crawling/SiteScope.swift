import Corpus
import Foundation

/// What a crawl frontier entry is: decides refetch policy and whether it is archived as an article.
public enum PageKind: String, Sendable, Codable {
    case list, article, sitemap
}

/// A site definition turned into URL decisions: normalisation, resolution of links against a
/// page, the hosts that belong to the site, and list/article/sitemap classification by the
/// definition's regular expressions over path plus query. URLs are kept canonical, on the site's
/// own origin (`https://kr.news.cn/...`), whatever serves them: with `--origin` (a mirror or the
/// replica) `fetchURL` maps a canonical URL onto the mirror and links pointing at the mirror map
/// back, so state and archive stay the same when the mirror's port changes.
public struct SiteScope: @unchecked Sendable {
    public let site: SiteDefinition
    /// The site's canonical scheme + host + port (from the definition), e.g. `https://kr.news.cn`.
    public let origin: String
    /// Scheme + host + port every fetch goes to, e.g. `http://127.0.0.1:8123` for the replica.
    public let fetchOrigin: String
    private let fetchHostPort: String
    private let siteHosts: Set<String>
    private let listRegexes: [NSRegularExpression]
    private let articleRegexes: [(name: String, regex: NSRegularExpression, continuation: NSRegularExpression?)]
    private let sitemapPaths: Set<String>

    public init(site: SiteDefinition, originOverride: String? = nil) throws {
        self.site = site
        func trimmed(_ o: String) -> String {
            let n = SiteScope.normalize(o) ?? o
            return n.hasSuffix("/") ? String(n.dropLast()) : n
        }
        origin = trimmed(site.origin)
        fetchOrigin = trimmed(originOverride ?? site.origin)
        fetchHostPort = SiteScope.hostPort(fetchOrigin) ?? ""
        var hosts = Set(site.allowedHosts.map { $0.lowercased() })
        if let h = URL(string: site.origin)?.host?.lowercased() { hosts.insert(h) }
        siteHosts = hosts
        listRegexes = try site.listPatterns.map { try NSRegularExpression(pattern: $0) }
        articleRegexes = try site.articlePatterns.map {
            ($0.name, try NSRegularExpression(pattern: $0.regex), try $0.continuation.map { try NSRegularExpression(pattern: $0) })
        }
        sitemapPaths = Set(site.sitemaps)
    }

    /// An absolute URL for `path` (a path or absolute URL from the site definition or robots.txt).
    public func absolute(_ pathOrURL: String) -> String? {
        resolve(pathOrURL, against: origin + "/")
    }

    /// Resolves a link found on `base` (a canonical URL) and returns its canonical form, or nil
    /// when it is not an http(s) URL on one of the site's hosts or on the mirror being fetched.
    public func resolve(_ link: String, against base: String) -> String? {
        let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("javascript:") || trimmed.hasPrefix("mailto:") { return nil }
        guard let baseURL = URL(string: base), let url = URL(string: trimmed, relativeTo: baseURL)?.absoluteURL,
              let normalized = SiteScope.normalize(url.absoluteString),
              var components = URLComponents(string: normalized), let host = components.host?.lowercased() else { return nil }
        guard components.scheme == "http" || components.scheme == "https" else { return nil }
        let hostPort = SiteScope.hostPort(normalized) ?? host
        guard hostPort == fetchHostPort || siteHosts.contains(host), let canonical = URLComponents(string: origin) else { return nil }
        components.scheme = canonical.scheme
        components.host = canonical.host
        components.port = canonical.port
        return components.string
    }

    /// Where a canonical URL is fetched from (itself, or its place on the `--origin` mirror).
    public func fetchURL(_ canonicalURL: String) -> String {
        guard canonicalURL.hasPrefix(origin + "/") else { return canonicalURL }
        return fetchOrigin + canonicalURL.dropFirst(origin.count)
    }

    /// The classification of an on-origin URL, or nil when the site definition does not want it.
    public func kind(of url: String) -> PageKind? {
        let path = SiteScope.pathAndQuery(url)
        if sitemapPaths.contains(path) { return .sitemap }
        if articleName(of: url) != nil { return .article }
        if listRegexes.contains(where: { SiteScope.matches($0, path) }) { return .list }
        return nil
    }

    /// The article pattern name (`current`, `legacy`) of `url`, if it is an article.
    public func articleName(of url: String) -> String? {
        let path = SiteScope.pathAndQuery(url)
        return articleRegexes.first { SiteScope.matches($0.regex, path) }?.name
    }

    /// The continuation key of a multi-page article page (shared by all its pages), if any.
    public func continuationKey(of url: String) -> String? {
        let path = SiteScope.pathAndQuery(url)
        for entry in articleRegexes {
            guard let c = entry.continuation,
                  let m = c.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)), m.numberOfRanges > 1,
                  let r = Range(m.range(at: 1), in: path) else { continue }
            return String(path[r])
        }
        return nil
    }

    // MARK: - URL helpers

    /// Lower-case scheme and host, default port dropped, fragment dropped, empty path -> `/`.
    public static func normalize(_ url: String) -> String? {
        guard var c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host else { return nil }
        c.scheme = scheme
        c.host = host.lowercased()
        if (scheme == "http" && c.port == 80) || (scheme == "https" && c.port == 443) { c.port = nil }
        c.fragment = nil
        if c.percentEncodedPath.isEmpty { c.percentEncodedPath = "/" }
        return c.string
    }

    /// `host[:port]` of an absolute URL.
    public static func hostPort(_ url: String) -> String? {
        guard let c = URLComponents(string: url), let host = c.host?.lowercased() else { return nil }
        return c.port.map { "\(host):\($0)" } ?? host
    }

    /// Path plus `?query` of an absolute URL, as robots.txt and the site patterns see it.
    public static func pathAndQuery(_ url: String) -> String {
        guard let c = URLComponents(string: url) else { return "/" }
        let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        return c.percentEncodedQuery.map { path + "?" + $0 } ?? path
    }

    private static func matches(_ regex: NSRegularExpression, _ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
