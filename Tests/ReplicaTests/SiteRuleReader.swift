import CLibXML2
import Corpus
import Foundation

/// Applies a site definition's extraction rules (crawlers/<site>.json) to a page with libxml2's
/// HTML parser and XPath, the way the pipeline's extractor is specified to: first rule that
/// matches wins; the body container loses its `remove` nodes, its block children become
/// paragraphs, `dropLines` are dropped and `stripPrefixes` cut from the first paragraph.
/// Test-only: it proves the replica's templates fit the rules, not how extraction is built.
final class SiteRuleReader {
    private let doc: htmlDocPtr
    private let rules: SiteDefinition.ExtractionRules

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(utf8 html: [UInt8], rules: SiteDefinition.ExtractionRules) throws {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        guard let doc = html.withUnsafeBytes({ htmlReadMemory($0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count), "page.html", "UTF-8", options) }) else {
            throw Failure(description: "libxml2 could not parse the page")
        }
        self.doc = doc
        self.rules = rules
    }

    deinit { xmlFreeDoc(doc) }

    private func nodes(_ xpath: String, under node: xmlNodePtr? = nil) -> [xmlNodePtr] {
        guard let context = xmlXPathNewContext(doc) else { return [] }
        defer { xmlXPathFreeContext(context) }
        if let node { context.pointee.node = node }
        let result = xpath.withCString { $0.withMemoryRebound(to: xmlChar.self, capacity: xpath.utf8.count + 1) { xmlXPathEvalExpression($0, context) } }
        guard let result else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let set = result.pointee.nodesetval, set.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { set.pointee.nodeTab[$0] }
    }

    private static func text(_ node: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { kl_xml_free(content) }
        let raw = String(cString: content)
        return raw.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private func first(_ xpaths: [String]) -> String? {
        for xpath in xpaths {
            if let value = nodes(xpath).map(Self.text).first(where: { !$0.isEmpty }) { return value }
        }
        return nil
    }

    var title: String? { first(rules.title) }
    var section: String? { first(rules.section) }

    /// YYYY-MM-DD from the first date rule that matches, through the first date pattern that matches.
    var date: String? {
        guard let text = first(rules.date) else { return nil }
        for pattern in rules.datePatterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges >= 4 else { continue }
            let parts = (1...3).map { Int(text[Range(m.range(at: $0), in: text)!])! }
            return String(format: "%04d-%02d-%02d", parts[0], parts[1], parts[2])
        }
        return nil
    }

    /// Number of nodes the first matching body rule selects (a template should yield one).
    var bodyContainerCount: Int {
        for xpath in rules.body {
            let found = nodes(xpath)
            if !found.isEmpty { return found.count }
        }
        return 0
    }

    /// The clean paragraphs of the first matching body container.
    func paragraphs(stripPrefix: Bool) -> [String] {
        guard let container = rules.body.lazy.compactMap({ self.nodes($0).first }).first else { return [] }
        for xpath in rules.remove {
            for node in nodes(xpath, under: container) {
                xmlUnlinkNode(node)
                xmlFreeNode(node)
            }
        }
        var out: [String] = []
        var child = container.pointee.children
        while let node = child {
            child = node.pointee.next
            let text = Self.text(node)
            if text.isEmpty { continue }
            if rules.dropLines.contains(where: { Self.matches($0, text) }) { continue }
            out.append(text)
        }
        if stripPrefix, let firstParagraph = out.first {
            for pattern in rules.stripPrefixes {
                let regex = try! NSRegularExpression(pattern: pattern)
                let range = NSRange(firstParagraph.startIndex..., in: firstParagraph)
                if let m = regex.firstMatch(in: firstParagraph, range: range) {
                    out[0] = String(firstParagraph[Range(m.range, in: firstParagraph)!.upperBound...])
                    break
                }
            }
        }
        return out
    }

    /// True when the page's whole text matches one of the site's rights-notice patterns.
    func rightsNotice(_ patterns: [String]) -> String? {
        let all = Self.text(xmlDocGetRootElement(doc))
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            if let m = regex.firstMatch(in: all, range: NSRange(all.startIndex..., in: all)) {
                return String(all[Range(m.range, in: all)!])
            }
        }
        return nil
    }

    private static func matches(_ pattern: String, _ text: String) -> Bool {
        (try! NSRegularExpression(pattern: pattern)).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
