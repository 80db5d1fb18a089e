import Corpus

/// Where a page came from in the archive.
public struct PageProvenance: Codable, Sendable, Equatable {
    public var warcFile: String
    public var recordID: String
    /// The record's WARC-Date (fetch time), ISO 8601.
    public var fetchDate: String

    public init(warcFile: String, recordID: String, fetchDate: String) {
        self.warcFile = warcFile
        self.recordID = recordID
        self.fetchDate = fetchDate
    }
}

/// A page of a multi-page article waiting for the rest of it; the extract state keeps these
/// between runs (the extracted page, the WARC file and record it came from, the run that read it).
public struct PendingPage: Codable, Sendable, Equatable {
    public var page: ExtractedPage
    public var provenance: PageProvenance
    public var run: Int
}

/// Turns extracted pages into documents, joining multi-page articles: pages that share a
/// continuation key wait until every page their navigation links to has arrived (in any order,
/// from any WARC file, in this run or a later one), then become one document in page order.
/// `release(readBy:)` and `finish()` give up on articles still missing pages: they become
/// documents marked with `missing_pages`.
///
/// Document ids: the first 16 bytes of SHA-1 over `"<source> <key>"`, hex (32 characters), where
/// the key is the continuation key for multi-page articles and the URL path plus query otherwise.
/// The host is left out on purpose, so the replica, a mirror and the live site agree.
public struct ArticleAssembler {
    private var pending: [String: [Int: PendingPage]] = [:]

    /// Starts with the pages earlier runs left waiting.
    public init(pending pages: [PendingPage] = []) {
        for p in pages { if let position = p.page.position { pending[position.key, default: [:]][position.page] = p } }
    }

    /// Pages still waiting for the rest of their article, in (key, page) order.
    public var pendingPages: [PendingPage] {
        pending.keys.sorted().flatMap { key in pending[key]!.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// Articles still waiting.
    public var pendingArticles: Int { pending.count }

    /// Adds a page read in `run`; returns the documents it completes (none while an article
    /// waits for pages).
    public mutating func add(_ page: ExtractedPage, _ provenance: PageProvenance, run: Int = 0) -> [Document] {
        guard let position = page.position else {
            let path = URLParts(page.url)?.pathAndQuery ?? page.url
            return [ArticleAssembler.document([(page, provenance)], key: path, missingPages: [])]
        }
        pending[position.key, default: [:]][position.page] = PendingPage(page: page, provenance: provenance, run: run)
        let pages = pending[position.key]!
        guard Self.missingPages(pages).isEmpty else { return [] }
        pending[position.key] = nil
        return [ArticleAssembler.document(pages.sorted { $0.key < $1.key }.map { ($0.value.page, $0.value.provenance) }, key: position.key, missingPages: [])]
    }

    /// Documents, in key order, for the waiting articles whose first page was read in `run` or
    /// earlier; they are marked with `missing_pages`.
    public mutating func release(readBy run: Int) -> [Document] {
        let keys = pending.keys.filter { key in pending[key]!.values.contains { $0.run <= run } }.sorted()
        return keys.map { key in
            let pages = pending.removeValue(forKey: key)!
            return ArticleAssembler.document(pages.sorted { $0.key < $1.key }.map { ($0.value.page, $0.value.provenance) },
                                             key: key, missingPages: Self.missingPages(pages))
        }
    }

    /// Documents for every article still waiting, in key order.
    public mutating func finish() -> [Document] { release(readBy: .max) }

    /// Pages 1...n (n: the highest page any page links to) not yet seen.
    private static func missingPages(_ pages: [Int: PendingPage]) -> [Int] {
        let expected = pages.values.reduce(1) { max($0, $1.page.position!.linkedPages) }
        return (1...expected).filter { pages[$0] == nil }
    }

    public static func documentID(source: String, key: String) -> String {
        DigestEncoding.hex(Array(SHA1.hash(Array("\(source) \(key)".utf8)).prefix(16)))
    }

    static func document(_ pages: [(ExtractedPage, PageProvenance)], key: String, missingPages: [Int]) -> Document {
        let (first, provenance) = pages[0]
        let source = first.site ?? URLParts(first.url)?.host ?? "unknown"
        var optOut: [String] = []
        for (page, _) in pages { for signal in page.optOut where !optOut.contains(signal) { optOut.append(signal) } }
        func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        var metadata: [String: JSONValue] = [
            "title": string(pages.lazy.compactMap(\.0.title).first),
            "section": string(pages.lazy.compactMap(\.0.section).first),
            "template": string(first.template),
            "charset": .string(first.charset),
            "charset_source": .string(first.charsetSource),
            "invalid_sequences": .number(Double(pages.reduce(0) { $0 + $1.0.invalidSequences })),
            "rights_notice": string(pages.lazy.compactMap(\.0.rightsNotice).first),
            "opt_out": .array(optOut.map(JSONValue.string)),
            "extractor": .string(first.extractor),
            "warc_record_id": .string(provenance.recordID),
            "warc_file": .string(provenance.warcFile),
        ]
        if pages.count > 1 || first.position != nil {
            metadata["pages"] = .number(Double(pages.count))
            metadata["page_urls"] = .array(pages.map { .string($0.0.url) })
            metadata["warc_record_ids"] = .array(pages.map { .string($0.1.recordID) })
        }
        if !missingPages.isEmpty { metadata["missing_pages"] = .array(missingPages.map { .number(Double($0)) }) }
        return Document(id: documentID(source: source, key: key),
                        text: pages.flatMap(\.0.paragraphs).joined(separator: "\n\n"),
                        source: source, url: first.url, created: pages.lazy.compactMap(\.0.date).first,
                        added: provenance.fetchDate, metadata: metadata)
    }
}
