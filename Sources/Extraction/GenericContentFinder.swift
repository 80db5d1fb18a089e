import CLibXML2
import Foundation

/// Main-content detection for pages no site rule covers (unknown templates), in the spirit of
/// Readability / jusText: every paragraph of reasonable length and low link density scores its
/// container (fully) and the container's parent (half) by its non-link characters plus a bonus
/// per comma or full stop; the best-scoring container is the article body. Navigation, header,
/// footer and aside elements never count, and link-heavy paragraphs are dropped from the result.
enum GenericContentFinder {
    static let titleRules = ["//meta[@property='og:title']/@content", "//h1", "//title"]
    static let dateRules = [
        "//meta[@property='article:published_time']/@content", "//meta[@name='publishdate']/@content",
        "//meta[@name='date']/@content", "//meta[@name='pubdate']/@content", "//time/@datetime", "//time",
    ]
    static let datePatterns = [try! NSRegularExpression(pattern: "([0-9]{4})[-./년 ]+([0-9]{1,2})[-./월 ]+([0-9]{1,2})")]

    private static let paragraphElements: Set<String> = ["p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "td"]
    private static let minimumCharacters = 20
    private static let maximumLinkDensity = 0.5

    /// A `<title>` usually reads "headline - section - site name": keeps the longest part.
    static func withoutSiteName(_ title: String) -> String {
        let parts = title.components(separatedBy: " - ").flatMap { $0.components(separatedBy: " | ") }
            .flatMap { $0.components(separatedBy: " :: ") }.map(TextNormalizer.collapse).filter { !$0.isEmpty }
        return parts.max { $0.count < $1.count } ?? title
    }

    static func paragraphs(_ doc: HTMLDocument) -> [Paragraph] {
        guard let body = doc.body else { return [] }
        let collector = ParagraphCollector(skipChrome: true)
        var scores: [UnsafeMutableRawPointer: Double] = [:]
        var order: [HTMLDocument.Node] = []
        func add(_ node: HTMLDocument.Node, _ score: Double) {
            let key = UnsafeMutableRawPointer(node)
            if scores[key] == nil { order.append(node) }
            scores[key, default: 0] += score
        }
        for p in collector.paragraphs(of: body) where p.characters >= minimumCharacters && p.linkDensity < maximumLinkDensity {
            guard var target = p.block else { continue }
            if let name = HTMLDocument.elementName(target), paragraphElements.contains(name), let parent = target.pointee.parent,
               parent.pointee.type == XML_ELEMENT_NODE {
                target = parent
            }
            let punctuation = p.text.utf8.reduce(0) { $0 + ($1 == 0x2C || $1 == 0x2E ? 1 : 0) }
            let score = Double(p.characters - p.linkCharacters) + 10 * Double(punctuation)
            add(target, score)
            if let parent = target.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE { add(parent, score / 2) }
        }
        var best: HTMLDocument.Node?
        var bestScore = 0.0
        for node in order where scores[UnsafeMutableRawPointer(node)]! > bestScore {
            best = node
            bestScore = scores[UnsafeMutableRawPointer(node)]!
        }
        guard let best else { return [] }
        return collector.paragraphs(of: best).filter { $0.linkDensity <= maximumLinkDensity }
    }
}
