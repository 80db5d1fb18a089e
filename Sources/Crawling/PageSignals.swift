import Corpus
import Foundation

/// What the crawler reads from a fetched page: its text (decoded by the header charset, else
/// `<meta charset>`/`http-equiv`, else the site's hint), the links it holds (`href` attributes, or
/// `<loc>` entries of a sitemap), and the opt-out signals it carries. Signals are recorded as
/// found, never guessed: `x-robots-tag: <value>`, `tdm-reservation: <value>`, `tdm-policy: <value>`
/// (headers), `meta robots: <content>`, `meta tdm-reservation: <content>`, `meta tdm-policy: <content>`
/// (HTML), and `rights notice: <matched text>` for the site's `rights.noticePatterns`.
public struct PageSignals: Sendable {
    public var charset: String
    public var links: [String]
    public var optOuts: [String]

    private static let hrefRegex = try! NSRegularExpression(pattern: "\\bhref\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", options: [.caseInsensitive])
    private static let locRegex = try! NSRegularExpression(pattern: "<loc>\\s*([^<\\s]+)\\s*</loc>", options: [.caseInsensitive])
    private static let metaRegex = try! NSRegularExpression(pattern: "<meta\\b[^>]*>", options: [.caseInsensitive])
    private static let attributeRegex = try! NSRegularExpression(pattern: "([a-zA-Z-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))")
    private static let charsetRegex = try! NSRegularExpression(pattern: "charset\\s*=\\s*[\"']?([A-Za-z0-9_.:-]+)", options: [.caseInsensitive])

    /// Inspects one response. `sitemap` selects `<loc>` links instead of `href`s.
    public init(headers: [(name: String, value: String)], body: [UInt8], sitemap: Bool, charsetHint: String?, noticePatterns: [NSRegularExpression]) {
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        let headPrefix = String(decoding: body.prefix(2048), as: UTF8.self)
        charset = PageSignals.firstCapture(PageSignals.charsetRegex, contentType)
            ?? PageSignals.firstCapture(PageSignals.charsetRegex, PageSignals.metaTags(headPrefix).joined(separator: " "))
            ?? charsetHint ?? "utf-8"
        // CP949 pages are labelled EUC-KR; ICU's own EUC-KR table drops the extra syllables (NOTES.md).
        let converter = ["euc-kr", "euc_kr", "ks_c_5601-1987", "cp949", "x-windows-949"].contains(charset.lowercased()) ? "windows-949" : charset
        let text: String
        if ["utf-8", "utf8"].contains(converter.lowercased()) {
            text = String(decoding: body, as: UTF8.self)
        } else {
            text = (try? ICU.decode(body, charset: converter).text) ?? String(decoding: body, as: UTF8.self)
        }

        var links: [String] = []
        let range = NSRange(text.startIndex..., in: text)
        if sitemap {
            for m in PageSignals.locRegex.matches(in: text, range: range) {
                if let r = Range(m.range(at: 1), in: text) { links.append(PageSignals.unescapeEntities(String(text[r]))) }
            }
        } else {
            for m in PageSignals.hrefRegex.matches(in: text, range: range) {
                for g in 1...3 where m.range(at: g).location != NSNotFound {
                    if let r = Range(m.range(at: g), in: text) { links.append(PageSignals.unescapeEntities(String(text[r]))) }
                }
            }
        }
        self.links = links

        var signals: [String] = []
        for (name, value) in headers {
            let lower = name.lowercased()
            if ["x-robots-tag", "tdm-reservation", "tdm-policy"].contains(lower) { signals.append("\(lower): \(value)") }
        }
        if !sitemap {
            for tag in PageSignals.metaTags(text) {
                var attributes: [String: String] = [:]
                let tagRange = NSRange(tag.startIndex..., in: tag)
                for m in PageSignals.attributeRegex.matches(in: tag, range: tagRange) {
                    guard let k = Range(m.range(at: 1), in: tag) else { continue }
                    for g in 2...4 where m.range(at: g).location != NSNotFound {
                        if let v = Range(m.range(at: g), in: tag) { attributes[tag[k].lowercased()] = String(tag[v]) }
                    }
                }
                if let name = attributes["name"]?.lowercased(), ["robots", "ko-llama", "tdm-reservation", "tdm-policy"].contains(name),
                   let content = attributes["content"] {
                    signals.append("meta \(name): \(content)")
                }
            }
            for regex in noticePatterns {
                if let m = regex.firstMatch(in: text, range: range), let r = Range(m.range, in: text) {
                    signals.append("rights notice: \(text[r])")
                }
            }
        }
        optOuts = signals
    }

    private static func metaTags(_ text: String) -> [String] {
        metaRegex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    private static func firstCapture(_ regex: NSRegularExpression, _ s: String) -> String? {
        guard let m = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)), let r = Range(m.range(at: 1), in: s) else { return nil }
        return String(s[r])
    }

    private static func unescapeEntities(_ s: String) -> String {
        s.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#38;", with: "&")
    }
}
