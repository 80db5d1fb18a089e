import Foundation

/// A crawled site, as declared in `crawlers/<name>.json`: where to start, which URLs are
/// articles, how politely to fetch, and how the extractor finds title, date and body.
/// A user adds a site by adding such a file; no Swift code is site-specific.
public struct SiteDefinition: Codable, Sendable, Equatable {
    /// Short name, also the `source` of extracted documents (e.g. `xinhua-ko`).
    public var name: String
    public var description: String?
    /// Scheme, host and optional port, e.g. `https://kr.news.cn`. `--origin` replaces it.
    public var origin: String
    /// Hosts whose URLs may be fetched (the origin's host is always allowed). Used for redirects
    /// and for links to former host names (e.g. `kr.xinhuanet.com`).
    public var allowedHosts: [String]
    /// Paths (or absolute URLs) where every crawl starts: home page, section lists.
    public var seeds: [String]
    /// Sitemaps to read besides those robots.txt names.
    public var sitemaps: [String]
    /// Regular expressions over the URL path (plus query) of list pages: fetched every run for
    /// new links, never archived as articles.
    public var listPatterns: [String]
    /// Article URL shapes, current and older templates.
    public var articlePatterns: [ArticlePattern]
    public var politeness: Politeness
    /// Charset to assume when neither the HTTP header nor the page declares one.
    public var charsetHint: String?
    public var rights: RightsPolicy
    public var extraction: ExtractionRules

    /// One URL shape of article pages.
    public struct ArticlePattern: Codable, Sendable, Equatable {
        /// A label recorded with each fetch (`current`, `legacy`).
        public var name: String
        /// Regular expression over the URL path.
        public var regex: String
        /// For multi-page articles: a regular expression whose first capture group is the
        /// article key shared by all its pages, and whose second group (if any) is the page
        /// number (absent on the first page). E.g. Xinhua's `c_<docid>.htm`, `c_<docid>_<n>.htm`.
        public var continuation: String?
    }

    /// How gently to fetch from one host.
    public struct Politeness: Codable, Sendable, Equatable {
        /// Minimum seconds between two requests to the host (robots.txt Crawl-delay wins when larger).
        public var delaySeconds: Double
        /// Random extra delay, as a fraction of `delaySeconds` (0.25 = up to 25% more).
        public var jitter: Double
        /// Requests in flight at once per host.
        public var concurrencyPerHost: Int
        /// Retries after 429/5xx/timeouts before the URL is given up for this run.
        public var maxRetries: Int
        /// First backoff in seconds; doubles with each retry.
        public var backoffSeconds: Double
        /// Longest Retry-After honoured; longer ones pause the host for the rest of the run.
        public var maxRetryAfterSeconds: Double
    }

    /// Rights and reservation signals the site uses, and what the pipeline does with them.
    public struct RightsPolicy: Codable, Sendable, Equatable {
        /// Regular expressions for rights lines in the page text (e.g. "무단 전재.*AI 학습").
        public var noticePatterns: [String]
        /// Keep documents that carry a reservation out of the training splits (they stay archived).
        public var excludeReservedFromTraining: Bool
    }

    /// XPath rules for the extractor; each list is tried in order, first non-empty match wins.
    public struct ExtractionRules: Codable, Sendable, Equatable {
        public var title: [String]
        public var date: [String]
        /// Regular expressions that find the date inside the text a `date` rule selected (or
        /// the URL); capture groups year, month, day.
        public var datePatterns: [String]
        public var section: [String]
        /// Containers of the article body; paragraphs are their block-level children.
        public var body: [String]
        /// Nodes removed from the body before text is taken (share bars, captions, related links).
        public var remove: [String]
        /// Regular expressions for whole lines to drop (datelines, "원문 출처:", "추천 기사:").
        public var dropLines: [String]
        /// Regular expressions for prefixes to strip from the first paragraph
        /// (e.g. "[인민망 한국어판 3월 5일] ").
        public var stripPrefixes: [String]
    }

    /// `crawlers` under the current directory when there is one, else the `crawlers` folder of the
    /// source checkout ko-llama was built from, so a run from elsewhere (cron, another folder)
    /// still finds the site definitions and the replica's texts.
    public static var defaultCrawlersDirectory: String {
        if FileSystem.isDirectory("crawlers") { return "crawlers" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/crawlers"
    }

    /// Loads a definition: `site` is a name in `crawlersDirectory` (without `.json`) or a path.
    public static func load(_ site: String, crawlersDirectory: String = defaultCrawlersDirectory) throws -> SiteDefinition {
        let path = site.hasSuffix(".json") || site.contains("/") ? site : "\(crawlersDirectory)/\(site).json"
        guard FileSystem.exists(path) else {
            throw SiteDefinitionError.notFound(path: path)
        }
        let bytes = try FileSystem.readAll(path)
        do {
            let def = try JSONDecoder().decode(SiteDefinition.self, from: Data(bytes))
            try def.validate(path: path)
            return def
        } catch let error as SiteDefinitionError {
            throw error
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SiteDefinitionError.invalid(path: path, detail: "missing \"\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))\"")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SiteDefinitionError.invalid(path: path, detail: "wrong type at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch {
            throw SiteDefinitionError.invalid(path: path, detail: "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Checks that every regular expression compiles and the numbers make sense.
    public func validate(path: String) throws {
        let regexes = listPatterns + articlePatterns.flatMap { [$0.regex] + ($0.continuation.map { [$0] } ?? []) }
            + rights.noticePatterns + extraction.datePatterns + extraction.dropLines + extraction.stripPrefixes
        for r in regexes {
            do { _ = try NSRegularExpression(pattern: r) } catch {
                throw SiteDefinitionError.invalid(path: path, detail: "bad regular expression \(r)")
            }
        }
        guard URL(string: origin)?.host != nil else {
            throw SiteDefinitionError.invalid(path: path, detail: "origin \(origin) is not an absolute URL")
        }
        guard politeness.concurrencyPerHost >= 1, politeness.delaySeconds >= 0, politeness.maxRetries >= 0 else {
            throw SiteDefinitionError.invalid(path: path, detail: "politeness values out of range")
        }
    }

    /// A copy whose origin is replaced (scheme, host and port), e.g. by the loopback replica.
    public func withOrigin(_ newOrigin: String) -> SiteDefinition {
        var copy = self
        copy.origin = newOrigin.hasSuffix("/") ? String(newOrigin.dropLast()) : newOrigin
        return copy
    }
}

public enum SiteDefinitionError: Error, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case invalid(path: String, detail: String)

    public var description: String {
        switch self {
        case let .notFound(path): return "\(path): no such site definition"
        case let .invalid(path, detail): return "\(path): invalid site definition: \(detail)"
        }
    }
}
