import Corpus
import Foundation

/// One fetched page as the crawler stored it: the final URL, the HTTP response headers and the
/// raw body bytes (any charset).
public struct FetchedPage: Sendable {
    public var url: String
    public var httpHeaders: [(name: String, value: String)]
    public var body: [UInt8]

    public init(url: String, httpHeaders: [(name: String, value: String)] = [], body: [UInt8]) {
        self.url = url
        self.httpHeaders = httpHeaders
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return httpHeaders.first { $0.name.lowercased() == lower }?.value
    }
}

/// Where a page sits in a multi-page article (Xinhua legacy `c_<id>.htm`, `c_<id>_2.htm`, ...).
public struct PagePosition: Codable, Sendable, Equatable {
    /// Shared by every page of the article (the continuation pattern's first group).
    public var key: String
    /// 1 for the first page.
    public var page: Int
    /// Highest page number this page links to (its page navigation), at least `page`.
    public var linkedPages: Int
}

/// What the extractor found on one page.
public struct ExtractedPage: Codable, Sendable, Equatable {
    public var url: String
    public var site: String?
    /// Article template (`current`, `legacy`) when the URL matches one of the site's patterns.
    public var template: String?
    public var title: String?
    /// Publication date, `YYYY-MM-DD`.
    public var date: String?
    public var section: String?
    /// Clean body paragraphs in order (boilerplate lines dropped, dateline stripped, rights line removed).
    public var paragraphs: [String]
    /// The rights line found on the page (e.g. "무단 전재-재배포, AI 학습 및 활용 금지"), if any.
    public var rightsNotice: String?
    /// Reservation signals: `x-robots-tag: ...`, `tdm-reservation: ...`, `meta robots: ...`, `meta tdm-reservation: ...`.
    public var optOut: [String]
    public var charset: String
    public var charsetSource: String
    public var invalidSequences: Int
    /// `rules:<site>` or `generic`.
    public var extractor: String
    public var position: PagePosition?
}

/// The result of extracting one page: a page, or the reason it yields no document.
public enum PageOutcome: Sendable {
    case page(ExtractedPage)
    case skipped(reason: String)
}

/// Extracts title, date, section, body paragraphs, rights notice and opt-out signals from one
/// page with the site's XPath rules (`extraction` in crawlers/<site>.json), falling back to the
/// generic text-density extractor when no body rule matches (or the page's site is unknown).
/// The rule semantics mirror the usual lxml/trafilatura recipe: first matching rule wins.
public struct PageExtractor: Sendable {
    public init() {}

    public func extract(_ fetched: FetchedPage, site: CompiledSite?) throws -> PageOutcome {
        let decoded = try CharsetResolver.decode(fetched.body, contentType: fetched.header("Content-Type"),
                                                 hint: site?.definition.charsetHint)
        guard let doc = HTMLDocument(utf8: Array(decoded.text.utf8), url: fetched.url) else {
            return .skipped(reason: "empty_page")
        }
        let path = URLParts(fetched.url)?.pathAndQuery ?? fetched.url
        var paragraphs: [String] = []
        var extractor = "generic"
        if let site, let bodyText = ruleBody(doc, site: site) {
            paragraphs = clean(bodyText, site: site)
            extractor = "rules:\(site.name)"
        }
        if paragraphs.isEmpty {
            paragraphs = GenericContentFinder.paragraphs(doc).map(\.text)
            if let site { paragraphs = clean(paragraphs, site: site) }
            extractor = "generic"
        }
        var rightsNotice: String?
        if let site, let index = paragraphs.firstIndex(where: { p in site.noticePatterns.contains { Regex.matches($0, p) } }) {
            rightsNotice = paragraphs.remove(at: index)
        } else if let site {
            // Sites print the rights line outside the article container too (People's Daily puts
            // it after the body): look for it in the whole page text, line by line.
            let pageText = doc.firstString("//body") ?? ""
            rightsNotice = pageText.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .first { line in site.noticePatterns.contains { Regex.matches($0, line) } }
        }
        if paragraphs.isEmpty { return .skipped(reason: "no_text") }

        let rules = site?.definition.extraction
        var title = firstText(doc, rules?.title ?? GenericContentFinder.titleRules)
        if site == nil, let t = title, t == firstText(doc, ["//title"]) { title = GenericContentFinder.withoutSiteName(t) }
        let date = findDate(doc, path: path, site: site)
        let section = firstText(doc, rules?.section ?? [])
        return .page(ExtractedPage(
            url: fetched.url, site: site?.name, template: site?.articleTemplate(path: path), title: title, date: date,
            section: section, paragraphs: paragraphs, rightsNotice: rightsNotice,
            optOut: optOutSignals(fetched, doc), charset: decoded.charset, charsetSource: decoded.charsetSource,
            invalidSequences: decoded.invalidSequences, extractor: extractor,
            position: site.flatMap { pagePosition(doc, path: path, url: fetched.url, site: $0) }))
    }

    /// Paragraphs of the first body rule that selects something, with `remove` rules applied.
    private func ruleBody(_ doc: HTMLDocument, site: CompiledSite) -> [String]? {
        let rules = site.definition.extraction
        for rule in rules.body {
            let containers = doc.nodes(rule)
            guard !containers.isEmpty else { continue }
            var collector = ParagraphCollector()
            for container in containers {
                for remove in rules.remove {
                    for node in doc.nodes(remove, context: container) { collector.skipped.insert(UnsafeMutableRawPointer(node)) }
                }
            }
            let selected = Set(containers.map { UnsafeMutableRawPointer($0) })
            // A container nested inside another selected one is already covered by its ancestor.
            let outermost = containers.filter { node in
                var parent = node.pointee.parent
                while let p = parent {
                    if selected.contains(UnsafeMutableRawPointer(p)) { return false }
                    parent = p.pointee.parent
                }
                return true
            }
            let texts = outermost.flatMap { collector.paragraphs(of: $0).map(\.text) }
            if !texts.isEmpty { return texts }
        }
        return nil
    }

    /// Drops boilerplate lines and strips the dateline prefix of the first paragraph.
    func clean(_ paragraphs: [String], site: CompiledSite) -> [String] {
        var out = paragraphs.filter { p in !site.dropLines.contains { Regex.matches($0, p) } }
        if var first = out.first {
            for prefix in site.stripPrefixes {
                if let range = Regex.prefixMatch(prefix, first) { first.removeSubrange(range) }
            }
            first = TextNormalizer.collapse(first)
            if first.isEmpty { out.removeFirst() } else { out[0] = first }
        }
        return out
    }

    private func firstText(_ doc: HTMLDocument, _ rules: [String]) -> String? {
        for rule in rules {
            if let text = doc.firstString(rule).map(TextNormalizer.collapse), !text.isEmpty { return text }
        }
        return nil
    }

    /// The date a `date` rule selects, read with the site's date patterns; then the URL path.
    private func findDate(_ doc: HTMLDocument, path: String, site: CompiledSite?) -> String? {
        let patterns = site?.datePatterns ?? GenericContentFinder.datePatterns
        let rules = site?.definition.extraction.date ?? GenericContentFinder.dateRules
        for rule in rules {
            guard let text = doc.firstString(rule) else { continue }
            if let date = DateReader.read(text, patterns: patterns) { return date }
        }
        if let date = DateReader.read(path, patterns: patterns) { return date }
        if site == nil, let body = doc.body {
            return DateReader.read(HTMLDocument.textContent(body), patterns: patterns)
        }
        return nil
    }

    private func pagePosition(_ doc: HTMLDocument, path: String, url: String, site: CompiledSite) -> PagePosition? {
        guard let (key, page) = site.continuation(path: path) else { return nil }
        var linked = page
        let base = URL(string: url)
        for href in doc.attributeValues("//a[@href]", attribute: "href") {
            guard let target = URL(string: href, relativeTo: base)?.absoluteURL.path,
                  let other = site.continuation(path: target), other.key == key else { continue }
            linked = max(linked, other.page)
        }
        return PagePosition(key: key, page: page, linkedPages: linked)
    }

    /// Reservation signals from the response headers and the page's `<meta>` tags.
    private func optOutSignals(_ fetched: FetchedPage, _ doc: HTMLDocument) -> [String] {
        var signals: [String] = []
        for (name, value) in fetched.httpHeaders {
            let lower = name.lowercased()
            if lower == "x-robots-tag" || lower == "tdm-reservation" || lower == "tdm-policy" {
                signals.append("\(lower): \(value)")
            }
        }
        for meta in doc.nodes("//meta[@name]") {
            guard let name = HTMLDocument.attribute(meta, "name")?.lowercased(),
                  let content = HTMLDocument.attribute(meta, "content") else { continue }
            switch name {
            case "robots":
                let directives = content.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if directives.contains(where: { !["index", "follow", "all", ""].contains($0) }) {
                    signals.append("meta robots: \(content)")
                }
            case "tdm-reservation", "tdm-policy":
                signals.append("meta \(name): \(content)")
            default:
                continue
            }
        }
        return signals
    }
}

/// Reads a calendar date with the site's patterns (capture groups year, month, day).
enum DateReader {
    static func read(_ text: String, patterns: [NSRegularExpression]) -> String? {
        for pattern in patterns {
            guard let groups = Regex.captures(pattern, text), groups.count >= 3,
                  let y = groups[0].flatMap({ Int($0) }), let m = groups[1].flatMap({ Int($0) }),
                  let d = groups[2].flatMap({ Int($0) }),
                  (1990...2100).contains(y), (1...12).contains(m), (1...31).contains(d) else { continue }
            return String(format: "%04d-%02d-%02d", y, m, d)
        }
        return nil
    }
}
