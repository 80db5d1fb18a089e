import Corpus

/// Where a page came from in the archive.
public struct PageProvenance: Sendable {
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

/// Turns extracted pages into documents, joining multi-page articles: pages that share a
/// continuation key wait until every page their navigation links to has arrived (in any order,
/// from any WARC file), then become one document in page order. `finish()` releases articles
/// still missing pages, marked with `missing_pages`.
///
/// Document ids: the first 16 bytes of SHA-1 over `"<source> <key>"`, hex (32 characters), where
/// the key is the continuation key for multi-page articles and the URL path plus query otherwise.
/// The host is left out on purpose, so the replica, a mirror and the live site agree.
public struct ArticleAssembler {
    private var pending: [String: [Int: (ExtractedPage, PageProvenance)]] = [:]

    public init() {}

    /// Pages still waiting for the rest of their article.
    public var pendingPages: Int { pending.values.reduce(0) { $0 + $1.count } }

    /// Adds a page; returns the documents it completes (none while an article waits for pages).
    public mutating func add(_ page: ExtractedPage, _ provenance: PageProvenance) -> [Document] {
        guard let position = page.position else {
            let path = URLParts(page.url)?.pathAndQuery ?? page.url
            return [ArticleAssembler.document([(page, provenance)], key: path, missingPages: [])]
        }
        pending[position.key, default: [:]][position.page] = (page, provenance)
        let pages = pending[position.key]!
        let expected = pages.values.reduce(1) { max($0, $1.0.position!.linkedPages) }
        guard (1...expected).allSatisfy({ pages[$0] != nil }) else { return [] }
        pending[position.key] = nil
        return [ArticleAssembler.document(pages.sorted { $0.key < $1.key }.map(\.value), key: position.key, missingPages: [])]
    }

    /// Documents for every article still waiting, in key order.
    public mutating func finish() -> [Document] {
        let keys = pending.keys.sorted()
        defer { pending.removeAll() }
        return keys.map { key in
            let pages = pending[key]!
            let expected = pages.values.reduce(1) { max($0, $1.0.position!.linkedPages) }
            let missing = (1...expected).filter { pages[$0] == nil }
            return ArticleAssembler.document(pages.sorted { $0.key < $1.key }.map(\.value), key: key, missingPages: missing)
        }
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
