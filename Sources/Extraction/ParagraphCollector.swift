import CLibXML2

/// One paragraph of page text with the share of it that sat inside links (for the generic
/// extractor's link-density filter) and the block element it came from.
struct Paragraph {
    var text: String
    /// Unicode scalars in `text`.
    var characters: Int
    /// Unicode scalars that came from inside `<a>` elements.
    var linkCharacters: Int
    /// The element whose block ended this paragraph (`<p>`, `<li>`, or the container for
    /// `<br>`-separated text), as an address for scoring.
    var block: HTMLDocument.Node?

    var linkDensity: Double { characters == 0 ? 0 : Double(linkCharacters) / Double(characters) }
}

/// Turns a subtree into paragraphs the way a browser lays out text: block-level elements (p,
/// div, li, h1-h6, table rows, ...) and `<br>` end a paragraph; inline elements (a, span, b,
/// ...) flow into the current one. Script, style and form controls contribute nothing; nodes in
/// `skipped` (the site's `remove` rules) are left out with their subtrees.
struct ParagraphCollector {
    var skipped: Set<UnsafeMutableRawPointer> = []
    /// Also leave out page chrome (nav, header, footer, aside): used for unknown templates.
    var skipChrome = false

    private static let blockElements: Set<String> = [
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
        "td", "th", "tbody", "thead", "blockquote", "section", "article", "main", "figure", "pre", "header",
        "footer", "nav", "aside", "address", "hr", "center", "form",
    ]
    private static let silentElements: Set<String> = [
        "script", "style", "noscript", "iframe", "svg", "button", "select", "option", "textarea", "template",
        "input", "img", "video", "audio", "object", "embed", "head", "title", "meta", "link",
    ]
    private static let chromeElements: Set<String> = ["nav", "header", "footer", "aside", "form"]

    private struct State {
        var bytes: [UInt8] = []
        var pendingSpace = false
        var linkCharacters = 0
        var paragraphs: [Paragraph] = []
    }

    func paragraphs(of node: HTMLDocument.Node) -> [Paragraph] {
        var state = State()
        walk(node, inLink: false, state: &state)
        flush(&state, block: node)
        return state.paragraphs
    }

    private func walk(_ node: HTMLDocument.Node, inLink: Bool, state: inout State) {
        var child = node.pointee.children
        while let c = child {
            child = c.pointee.next
            if skipped.contains(UnsafeMutableRawPointer(c)) { continue }
            switch c.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard let content = c.pointee.content else { continue }
                let before = state.bytes.count
                let length = Int(xmlStrlen(content))
                TextNormalizer.append(UnsafeBufferPointer(start: content, count: length), to: &state.bytes, pendingSpace: &state.pendingSpace)
                if inLink { state.linkCharacters += TextNormalizer.scalarCount(state.bytes[before...]) }
            case XML_ELEMENT_NODE:
                guard let name = HTMLDocument.elementName(c) else { continue }
                if ParagraphCollector.silentElements.contains(name) { continue }
                if skipChrome && ParagraphCollector.chromeElements.contains(name) { continue }
                if name == "br" {
                    flush(&state, block: node)
                } else if ParagraphCollector.blockElements.contains(name) {
                    flush(&state, block: node)
                    walk(c, inLink: inLink, state: &state)
                    flush(&state, block: c)
                } else {
                    walk(c, inLink: inLink || name == "a", state: &state)
                }
            default:
                continue
            }
        }
    }

    private func flush(_ state: inout State, block: HTMLDocument.Node) {
        defer {
            state.bytes.removeAll(keepingCapacity: true)
            state.pendingSpace = false
            state.linkCharacters = 0
        }
        guard !state.bytes.isEmpty else { return }
        state.paragraphs.append(Paragraph(text: String(decoding: state.bytes, as: UTF8.self),
                                          characters: TextNormalizer.scalarCount(state.bytes),
                                          linkCharacters: state.linkCharacters, block: block))
    }
}
