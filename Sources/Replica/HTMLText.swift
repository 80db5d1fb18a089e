/// Small HTML helpers for the replica's page templates.
enum HTMLText {
    /// Escapes text for element content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A link to `path` as written on the page at `from`: real sites mix root-relative,
    /// document-relative (`../20240305/…`) and absolute links, so the replica does too.
    /// `style` 0 = root-relative, 1 = absolute with `origin`, 2 = document-relative.
    static func href(_ path: String, from: String, origin: String, style: Int) -> String {
        switch style % 3 {
        case 1: return origin + path
        case 2:
            let depth = from.split(separator: "/", omittingEmptySubsequences: false).count - 2
            return String(repeating: "../", count: max(0, depth)) + path.dropFirst()
        default: return path
        }
    }
}
