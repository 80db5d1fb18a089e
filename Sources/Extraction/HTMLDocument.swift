import CLibXML2

/// A parsed HTML page: libxml2's forgiving HTML parser (the parser behind lxml.html), in recover
/// mode, with no network access and no diagnostics on stderr. The input is already UTF-8 (the
/// charset was resolved beforehand), so the parser is told to ignore `<meta charset>`.
final class HTMLDocument {
    typealias Node = UnsafeMutablePointer<xmlNode>
    private let doc: htmlDocPtr

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// nil when the page holds no markup at all (libxml2 returns no document).
    init?(utf8 bytes: [UInt8], url: String?) {
        _ = HTMLDocument.initialized
        guard !bytes.isEmpty else { return nil }
        let options = HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_IGNORE_ENC.rawValue | HTML_PARSE_COMPACT.rawValue
        let parsed = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                htmlReadMemory($0, Int32(buf.count), url, "UTF-8", Int32(options))
            }
        }
        guard let parsed else { return nil }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    var root: Node? { xmlDocGetRootElement(doc) }

    /// The `<body>` element, or the root when the parser produced none.
    var body: Node? { nodes("//body").first ?? root }

    /// Nodes an XPath expression selects (relative to `context` when given), in document order.
    /// An invalid expression selects nothing.
    func nodes(_ xpath: String, context: Node? = nil) -> [Node] {
        evaluate(xpath, context: context) { result in
            guard result.pointee.type == XPATH_NODESET, let set = result.pointee.nodesetval else { return [] }
            return (0..<Int(set.pointee.nodeNr)).compactMap { set.pointee.nodeTab[$0] }
        } ?? []
    }

    /// The text an XPath expression yields: a string result, or the text of the first selected
    /// node (attribute value for `@attr`) that is not blank.
    func firstString(_ xpath: String) -> String? {
        evaluate(xpath, context: nil) { result -> String? in
            switch result.pointee.type {
            case XPATH_STRING:
                return result.pointee.stringval.map { String(cString: $0) }
            case XPATH_NODESET:
                guard let set = result.pointee.nodesetval else { return nil }
                for i in 0..<Int(set.pointee.nodeNr) {
                    if let node = set.pointee.nodeTab[i] {
                        let text = HTMLDocument.textContent(node)
                        if !TextNormalizer.collapse(text).isEmpty { return text }
                    }
                }
                return nil
            default:
                return nil
            }
        } ?? nil
    }

    private func evaluate<T>(_ xpath: String, context: Node?, _ body: (xmlXPathObjectPtr) -> T) -> T? {
        guard let ctx = xmlXPathNewContext(doc) else { return nil }
        defer { xmlXPathFreeContext(ctx) }
        // A bad rule in a site definition must not print libxml2's diagnostics.
        ctx.pointee.error = { _, _ in }
        if let context { ctx.pointee.node = context }
        guard let result = xmlXPathEvalExpression(xpath, ctx) else { return nil }
        defer { xmlXPathFreeObject(result) }
        return body(result)
    }

    /// All text below a node (an attribute's value for attribute nodes).
    static func textContent(_ node: Node) -> String {
        guard let raw = xmlNodeGetContent(node) else { return "" }
        defer { kl_xml_free(raw) }
        return String(cString: raw)
    }

    /// Lower-case element name, or nil for non-elements.
    static func elementName(_ node: Node) -> String? {
        guard node.pointee.type == XML_ELEMENT_NODE, let name = node.pointee.name else { return nil }
        return String(cString: name).lowercased()
    }

    static func attribute(_ node: Node, _ name: String) -> String? {
        guard let raw = xmlGetProp(node, name) else { return nil }
        defer { kl_xml_free(raw) }
        return String(cString: raw)
    }

    /// Values of `attribute` on every element matching `xpath` (e.g. every link's href).
    func attributeValues(_ xpath: String, attribute: String) -> [String] {
        nodes(xpath).compactMap { HTMLDocument.attribute($0, attribute) }
    }
}
