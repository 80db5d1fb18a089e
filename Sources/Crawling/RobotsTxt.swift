import Foundation

/// A parsed robots.txt, matched the way RFC 9309 and Google's open-source robots parser do:
/// the group of the most specific matching user-agent (groups with the same agent merge; `*` is
/// the fallback), the longest matching rule wins, `Allow` wins a tie, `*` matches any run of
/// characters and a trailing `$` anchors the end. Paths and patterns are compared after
/// percent-encoding normalisation. Input is capped at 500 KiB like Google's parser, and any
/// bytes (binary junk, missing final newline, CR-only line ends) are tolerated.
public struct RobotsTxt: Sendable, Equatable {
    /// One Allow or Disallow line of the selected group.
    public struct Rule: Sendable, Equatable {
        public var allow: Bool
        public var pattern: String
    }

    /// The group that applies to our user agent (empty when none does: everything allowed).
    public private(set) var rules: [Rule]
    /// Crawl-delay of the selected group, in seconds.
    public private(set) var crawlDelay: Double?
    /// Every `Sitemap:` line in the file (they belong to no group), in file order.
    public private(set) var sitemaps: [String]
    /// The user-agent line that selected `rules` (`*`, a product token, or nil for none).
    public private(set) var matchedAgent: String?

    public static let maxBytes = 500 * 1024

    /// Everything allowed: what a missing (4xx) robots.txt means.
    public static let allowAll = RobotsTxt(rules: [], crawlDelay: nil, sitemaps: [], matchedAgent: nil)

    /// Parses `bytes` for the crawler whose product token is `userAgent` (e.g. `ko-llama`).
    public init(bytes: [UInt8], userAgent: String) {
        let text = String(decoding: bytes.prefix(RobotsTxt.maxBytes), as: UTF8.self)
        let token = userAgent.lowercased()
        struct Group { var agents: [String] = []; var rules: [Rule] = []; var delay: Double? }
        var groups: [Group] = []
        var current: Group?
        var lastWasAgent = false
        var sitemaps: [String] = []
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline }) {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "user-agent":
                if !lastWasAgent {
                    if let g = current { groups.append(g) }
                    current = Group()
                }
                current?.agents.append(value.lowercased())
                lastWasAgent = true
                continue
            case "allow", "disallow":
                // An empty Disallow allows everything: it is no rule at all.
                if !value.isEmpty { current?.rules.append(Rule(allow: key == "allow", pattern: RobotsTxt.normalize(value))) }
            case "crawl-delay":
                if let d = Double(value), d >= 0, d.isFinite { current?.delay = d }
            case "sitemap":
                if !value.isEmpty { sitemaps.append(value) }
            default:
                break
            }
            lastWasAgent = false
        }
        if let g = current { groups.append(g) }

        // Our product token (case-insensitive, a version suffix on the line ignored) beats `*`.
        func agentMatches(_ agent: String) -> Bool {
            agent == token || agent.hasPrefix(token + "/")
        }
        var selected = groups.filter { $0.agents.contains(where: agentMatches) }
        var matched = selected.isEmpty ? nil : token
        if selected.isEmpty {
            selected = groups.filter { $0.agents.contains("*") }
            matched = selected.isEmpty ? nil : "*"
        }
        self.rules = selected.flatMap(\.rules)
        self.crawlDelay = selected.compactMap(\.delay).first
        self.sitemaps = sitemaps
        self.matchedAgent = matched
    }

    private init(rules: [Rule], crawlDelay: Double?, sitemaps: [String], matchedAgent: String?) {
        self.rules = rules
        self.crawlDelay = crawlDelay
        self.sitemaps = sitemaps
        self.matchedAgent = matchedAgent
    }

    /// The rule that decides `pathAndQuery` (nil: no rule matched, so it is allowed).
    public func decidingRule(for pathAndQuery: String) -> Rule? {
        let path = Array(RobotsTxt.normalize(pathAndQuery.isEmpty ? "/" : pathAndQuery).utf8)
        var best: Rule?
        var bestLength = -1
        for rule in rules where RobotsTxt.matches(pattern: Array(rule.pattern.utf8), path: path) {
            let length = rule.pattern.utf8.count
            if length > bestLength || (length == bestLength && rule.allow && !(best?.allow ?? false)) {
                best = rule
                bestLength = length
            }
        }
        return best
    }

    public func isAllowed(_ pathAndQuery: String) -> Bool {
        if pathAndQuery == "/robots.txt" { return true }
        return decidingRule(for: pathAndQuery)?.allow ?? true
    }

    /// The rules as robots.txt lines, for the crawl state (what was in force for a fetch).
    public var summary: String {
        var lines = ["user-agent: \(matchedAgent ?? "(none)")"]
        lines += rules.map { "\($0.allow ? "allow" : "disallow"): \($0.pattern)" }
        if let crawlDelay { lines.append("crawl-delay: \(crawlDelay)") }
        return lines.joined(separator: "\n")
    }

    /// `*` matches any run, a final `$` anchors the end, otherwise a pattern matches a prefix.
    /// Iterative matcher with one backtrack point: linear in practice, O(n·m) worst case, so a
    /// hostile pattern like `/*a*a*a*...` cannot blow up.
    static func matches(pattern rawPattern: [UInt8], path: [UInt8]) -> Bool {
        var pattern = rawPattern
        let anchored = pattern.last == UInt8(ascii: "$")
        if anchored { pattern.removeLast() } else { pattern.append(UInt8(ascii: "*")) }
        var p = 0, s = 0
        var starP = -1, starS = 0
        while s < path.count {
            if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                starP = p
                starS = s
                p += 1
            } else if p < pattern.count && pattern[p] == path[s] {
                p += 1
                s += 1
            } else if starP >= 0 {
                p = starP + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// Percent-encoding normalisation: escapes of unreserved characters are decoded, other
    /// escapes get upper-case hex, and bytes outside printable ASCII are escaped.
    static func normalize(_ s: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let hex = Array("0123456789ABCDEF".utf8)
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        func unreserved(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                let decoded = hi << 4 | lo
                if unreserved(decoded) { out.append(decoded) } else { out += [b, hex[Int(hi)], hex[Int(lo)]] }
                i += 3
                continue
            }
            if b <= 0x20 || b >= 0x7F {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
