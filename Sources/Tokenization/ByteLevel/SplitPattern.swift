/// A `Split` pre-tokenizer regex of the families byte-level BPE models use, matched by hand over
/// UTF-8 bytes with the same results as `tokenizers`' Oniguruma `find_iter`: GPT-2's (also the
/// `ByteLevel` pre-tokenizer's built-in pattern), LLaMA-3's, Qwen2's and the variants built from
/// the same alternatives. The pattern is parsed into its top-level alternatives, each of which
/// must be one this type knows (`Alternative`); at each position the alternatives are tried in
/// order, the first that matches wins (Oniguruma's ordered alternation, not the longest match),
/// and characters no alternative matches form the spans between matches.
struct SplitPattern: Sendable, Equatable {
    /// The regex building blocks these families are made of (spelled as in tokenizer.json).
    enum Alternative: Sendable, Equatable {
        /// A literal such as `'s`; `caseInsensitive` inside `(?i:...)` (Unicode simple case
        /// folding: `s` also matches `ſ` U+017F, `k` the Kelvin sign U+212A).
        case literal([UInt8], caseInsensitive: Bool)
        /// ` ?\p{L}+`
        case optionalSpaceLetters
        /// `[^\r\n\p{L}\p{N}]?\p{L}+`
        case optionalOtherLetters
        /// ` ?\p{N}+`
        case optionalSpaceNumbers
        /// `\p{N}{1,k}` (`\p{N}` is k = 1, `\p{N}+` is unbounded)
        case numbers(maximum: Int)
        /// ` ?[^\s\p{L}\p{N}]+`, with `[\r\n]*` after it when `trailingNewlines`
        case optionalSpaceSymbols(trailingNewlines: Bool)
        /// `\s*[\r\n]+`
        case whitespaceToNewline
        /// `\s+(?!\S)`
        case whitespaceNotBeforeText
        /// `\s+`
        case whitespace
    }

    /// The pattern `tokenizers`' ByteLevel pre-tokenizer uses when `use_regex` is set (GPT-2's).
    static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    let alternatives: [Alternative]

    private static let known: [String: Alternative] = [
        #" ?\p{L}+"#: .optionalSpaceLetters,
        #"[^\r\n\p{L}\p{N}]?\p{L}+"#: .optionalOtherLetters,
        #" ?\p{N}+"#: .optionalSpaceNumbers,
        #"\p{N}"#: .numbers(maximum: 1),
        #"\p{N}{1,3}"#: .numbers(maximum: 3),
        #"\p{N}{1,2}"#: .numbers(maximum: 2),
        #"\p{N}+"#: .numbers(maximum: Int.max),
        #" ?[^\s\p{L}\p{N}]+"#: .optionalSpaceSymbols(trailingNewlines: false),
        #" ?[^\s\p{L}\p{N}]+[\r\n]*"#: .optionalSpaceSymbols(trailingNewlines: true),
        #"\s*[\r\n]+"#: .whitespaceToNewline,
        #"\s+(?!\S)"#: .whitespaceNotBeforeText,
        #"\s+"#: .whitespace,
    ]

    /// Parses `regex`; an alternative outside the supported families is an error naming it.
    init(regex: String) throws(UnsupportedPattern) {
        var result: [Alternative] = []
        for part in Self.topLevelAlternatives(regex) {
            if part.hasPrefix("(?i:") && part.hasSuffix(")") {
                for inner in Self.topLevelAlternatives(String(part.dropFirst(4).dropLast())) {
                    guard let literal = Self.literal(inner) else { throw UnsupportedPattern(pattern: regex, alternative: part) }
                    result.append(.literal(literal, caseInsensitive: true))
                }
            } else if let alternative = Self.known[part] {
                result.append(alternative)
            } else if let literal = Self.literal(part) {
                result.append(.literal(literal, caseInsensitive: false))
            } else {
                throw UnsupportedPattern(pattern: regex, alternative: part)
            }
        }
        if result.isEmpty { throw UnsupportedPattern(pattern: regex, alternative: regex) }
        alternatives = result
    }

    /// An alternative that is a plain literal: ASCII letters, digits and `'` only.
    private static func literal(_ s: String) -> [UInt8]? {
        let bytes = Array(s.utf8)
        let plain = !bytes.isEmpty && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x27 }
        return plain ? bytes : nil
    }

    /// `regex` cut at each `|` outside groups and character classes.
    private static func topLevelAlternatives(_ regex: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var inClass = false
        var escaped = false
        for c in regex {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            switch c {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "(" where !inClass: depth += 1
            case ")" where !inClass: depth -= 1
            case "|" where depth == 0 && !inClass:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(c)
        }
        parts.append(current)
        return parts
    }

    /// Calls `body(start, end, isMatch)` for consecutive spans covering `[start, end)` of `text`
    /// (valid UTF-8): the matches and the unmatched text between them.
    func forEachSpan(_ text: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ body: (Int, Int, Bool) -> Void) {
        let classes = UnicodeCharacterClasses.shared
        var gapStart = start
        var i = start
        while i < end {
            var matchEnd = -1
            for alternative in alternatives {
                matchEnd = match(alternative, text, i, end, classes)
                if matchEnd > i { break }
            }
            if matchEnd > i {
                if gapStart < i { body(gapStart, i, false) }
                body(i, matchEnd, true)
                i = matchEnd
                gapStart = i
            } else {
                i += UnicodeCharacterClasses.decode(text + i).length
            }
        }
        if gapStart < end { body(gapStart, end, false) }
    }

    /// The end of `alternative`'s match at `i`, or -1.
    @inline(__always)
    private func match(_ alternative: Alternative, _ t: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ classes: UnicodeCharacterClasses) -> Int {
        @inline(__always) func at(_ k: Int) -> (flags: UInt8, length: Int, scalar: UInt32) {
            let d = UnicodeCharacterClasses.decode(t + k)
            return (classes.flags(d.scalar), d.length, d.scalar)
        }
        /// The end of the run of characters from `k` whose flags satisfy `accept`, at most `limit` of them.
        @inline(__always) func run(from k: Int, limit: Int = Int.max, _ accept: (UInt8) -> Bool) -> Int {
            var j = k, n = 0
            while j < end && n < limit {
                let c = at(j)
                if !accept(c.flags) { break }
                j += c.length
                n += 1
            }
            return j
        }
        let letter = UnicodeCharacterClasses.letter, number = UnicodeCharacterClasses.number, space = UnicodeCharacterClasses.whitespace
        let isLetter = { (f: UInt8) in f & letter != 0 }
        let isSymbol = { (f: UInt8) in f & (letter | number | space) == 0 }
        let isSpace = { (f: UInt8) in f & space != 0 }
        switch alternative {
        case let .literal(bytes, caseInsensitive):
            var j = i
            for b in bytes {
                if j >= end { return -1 }
                let c = at(j)
                let folded = b | 0x20
                let ok = caseInsensitive && b >= 0x41
                    ? (c.scalar | 0x20 == UInt32(folded) && c.scalar < 0x80) || (folded == 0x73 && c.scalar == 0x17F) || (folded == 0x6B && c.scalar == 0x212A)
                    : c.scalar == UInt32(b)
                if !ok { return -1 }
                j += c.length
            }
            return j
        case .optionalSpaceLetters, .optionalSpaceNumbers, .optionalSpaceSymbols:
            let accept: (UInt8) -> Bool
            switch alternative {
            case .optionalSpaceLetters: accept = isLetter
            case .optionalSpaceNumbers: accept = { $0 & number != 0 }
            default: accept = isSymbol
            }
            var k = i
            if t[i] == 0x20 && i + 1 < end && accept(at(i + 1).flags) { k = i + 1 }
            let j = run(from: k, accept)
            if j == k { return -1 }
            if case .optionalSpaceSymbols(true) = alternative {
                var e = j
                while e < end && (t[e] == 0x0A || t[e] == 0x0D) { e += 1 }
                return e
            }
            return j
        case .optionalOtherLetters:
            let c = at(i)
            var k = i
            if c.flags & (letter | number) == 0 && c.scalar != 0x0A && c.scalar != 0x0D && i + c.length < end && isLetter(at(i + c.length).flags) {
                k = i + c.length
            }
            let j = run(from: k, isLetter)
            return j == k ? -1 : j
        case let .numbers(maximum):
            let j = run(from: i, limit: maximum) { $0 & number != 0 }
            return j == i ? -1 : j
        case .whitespaceToNewline:
            // Greedy `\s*` backs off to the last newline of the run; `[\r\n]+` then takes it.
            var j = i, lastNewline = -1
            while j < end {
                let c = at(j)
                if !isSpace(c.flags) { break }
                if c.scalar == 0x0A || c.scalar == 0x0D { lastNewline = j }
                j += c.length
            }
            return lastNewline < 0 ? -1 : lastNewline + 1
        case .whitespaceNotBeforeText:
            // `\s+` backs off one character when text follows the run.
            var j = i, last = i
            while j < end {
                let c = at(j)
                if !isSpace(c.flags) { break }
                last = j
                j += c.length
            }
            if j == i { return -1 }
            if j == end { return j }
            return last > i ? last : -1
        case .whitespace:
            let j = run(from: i, isSpace)
            return j == i ? -1 : j
        }
    }
}

/// A pre-tokenizer regex with an alternative outside the families `SplitPattern` implements.
struct UnsupportedPattern: Error, Sendable {
    var pattern: String
    var alternative: String
}
