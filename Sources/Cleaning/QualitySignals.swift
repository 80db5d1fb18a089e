import Corpus

/// Measurements of one normalized document that the quality rules judge; computed in one pass
/// over its UTF-8 bytes (plus a hash pass over its lines, paragraphs and eojeol).
/// Mirrors the signals of datatrove's Gopher filters, with eojeol (whitespace units) as words.
public struct QualitySignals: Sendable, Equatable {
    public var characters = 0
    public var nonSpaceCharacters = 0
    public var letters = 0
    public var hangulLetters = 0
    public var symbolsAndDigits = 0
    public var replacementCharacters = 0
    public var mojibakeCharacters = 0
    public var lines = 0
    public var duplicateLines = 0
    public var duplicateLineCharacters = 0
    public var paragraphs = 0
    public var duplicateParagraphs = 0
    public var duplicateParagraphCharacters = 0
    public var longestLine = 0
    public var markupHits = 0
    public var urlCharacters = 0
    public var eojeolCharacters = 0
    /// Characters covered by the most frequent repeated 2-, 3-, 4-gram of eojeol.
    public var topNGramCharacters = [0, 0, 0]

    public var hangulShare: Double { letters == 0 ? 0 : Double(hangulLetters) / Double(letters) }
    public var mojibakeRatio: Double { nonSpaceCharacters == 0 ? 0 : Double(replacementCharacters + mojibakeCharacters) / Double(nonSpaceCharacters) }
    public var symbolDigitRatio: Double { nonSpaceCharacters == 0 ? 0 : Double(symbolsAndDigits) / Double(nonSpaceCharacters) }

    /// Characters that CP1252 puts in 0x80..0x9F: the second half of a UTF-8 sequence read as CP1252.
    private static let cp1252High: Set<UInt32> = [0x152, 0x153, 0x160, 0x161, 0x178, 0x17D, 0x17E, 0x192, 0x2C6, 0x2DC,
                                                  0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2020,
                                                  0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122]

    private static let markupPatterns: [[UInt8]] = ["<div", "</", "<p>", "<p ", "<br", "<span", "<a ", "<img", "<table", "<td",
                                                    "<tr", "<li", "&nbsp;", "&amp;", "&lt;", "&gt;", "&quot;", "&#", "{{", "}}", "[[",
                                                    "<!--", "<script", "<style"].map { Array($0.utf8) }

    /// ICU general categories of the BMP, looked up once: the per-character ICU call was the
    /// hottest part of `measure` on Korean text with Hanja and punctuation.
    private static let bmpCategory: [UInt8] = (0..<0x10000).map { UInt8(truncatingIfNeeded: ICU.category(of: UInt32($0))) }

    public init() {}

    /// Measures normalized UTF-8 text.
    public static func measure(_ b: UnsafeBufferPointer<UInt8>) -> QualitySignals {
        measureWithLines(b).signals
    }

    /// Measures normalized UTF-8 text; also returns its non-empty lines in order: the
    /// `StableHash` of each line's bytes (newline excluded) and its characters.
    public static func measureWithLines(_ b: UnsafeBufferPointer<UInt8>) -> (signals: QualitySignals, lines: [(hash: UInt64, characters: Int)]) {
        var s = QualitySignals()
        let n = b.count
        var lineHashes: [(hash: UInt64, characters: Int)] = []
        var paragraphHashes: [(hash: UInt64, characters: Int)] = []
        var eojeol: [(hash: UInt64, characters: Int)] = []
        var lineStart = 0, lineChars = 0
        var paragraphStart = 0, paragraphChars = 0
        var wordHash: UInt64 = 0xCBF2_9CE4_8422_2325, wordChars = 0
        var previous: UInt32 = 0
        var inURL = false
        var i = 0

        func endWord() {
            if wordChars > 0 { eojeol.append((StableHash.mix(wordHash), wordChars)); s.eojeolCharacters += wordChars }
            wordHash = 0xCBF2_9CE4_8422_2325
            wordChars = 0
        }
        func endLine(at end: Int) {
            if lineChars > 0 {
                lineHashes.append((StableHash.hash(UnsafeBufferPointer(rebasing: b[lineStart..<end])), lineChars))
                s.longestLine = max(s.longestLine, lineChars)
            }
        }
        func endParagraph(at end: Int) {
            if paragraphChars > 0 {
                paragraphHashes.append((StableHash.hash(UnsafeBufferPointer(rebasing: b[paragraphStart..<end])), paragraphChars))
            }
            paragraphChars = 0
        }

        while i < n {
            let c = b[i]
            let u: UInt32
            let width: Int
            if c < 0x80 { u = UInt32(c); width = 1 }
            else if c < 0xE0 { u = (UInt32(c & 0x1F) << 6) | UInt32(b[min(i + 1, n - 1)] & 0x3F); width = 2 }
            else if c < 0xF0 { u = (UInt32(c & 0x0F) << 12) | (UInt32(b[min(i + 1, n - 1)] & 0x3F) << 6) | UInt32(b[min(i + 2, n - 1)] & 0x3F); width = 3 }
            else { u = (UInt32(c & 0x07) << 18) | (UInt32(b[min(i + 1, n - 1)] & 0x3F) << 12) | (UInt32(b[min(i + 2, n - 1)] & 0x3F) << 6) | UInt32(b[min(i + 3, n - 1)] & 0x3F); width = 4 }
            let next = min(i + width, n)
            s.characters += 1
            if u == 0x0A {
                endWord()
                endLine(at: i)
                if lineChars == 0 { endParagraph(at: max(paragraphStart, i - 1)) ; paragraphStart = next }
                lineChars = 0
                lineStart = next
                inURL = false
            } else if u == 0x20 || u == 0x09 {
                endWord()
                lineChars += 1
                paragraphChars += 1
                inURL = false
            } else {
                s.nonSpaceCharacters += 1
                lineChars += 1
                if paragraphChars == 0 { paragraphStart = i }
                paragraphChars += 1
                for k in i..<next { wordHash = (wordHash ^ UInt64(b[k])) &* 0x0000_0100_0000_01B3 }
                wordChars += 1
                if u < 0x80 {
                    if (u | 0x20) >= 0x61 && (u | 0x20) <= 0x7A { s.letters += 1 }
                    else { s.symbolsAndDigits += 1 }
                    if c == 0x3C || c == 0x26 || c == 0x7B || c == 0x7D || c == 0x5B { s.markupHits += matchesMarkup(b, at: i) ? 1 : 0 }
                    if !inURL && (c == 0x68 || c == 0x77) && startsURL(b, at: i) { inURL = true }
                } else if (0xAC00...0xD7A3).contains(u) || (0x3131...0x318E).contains(u) || (0x1100...0x11FF).contains(u) {
                    s.letters += 1
                    s.hangulLetters += 1
                } else {
                    let category = u < 0x10000 ? Int32(bmpCategory[Int(u)]) : ICU.category(of: u)
                    if (1...5).contains(category) { s.letters += 1 }
                    else if (9...11).contains(category) || (19...29).contains(category) { s.symbolsAndDigits += 1 }
                    if u == 0xFFFD { s.replacementCharacters += 1 }
                    if (0xC0...0xFF).contains(previous) && ((0x80...0xBF).contains(u) || cp1252High.contains(u)) {
                        s.mojibakeCharacters += 2
                    }
                }
                if inURL { s.urlCharacters += 1 }
            }
            previous = u
            i = next
        }
        endWord()
        endLine(at: n)
        if lineChars > 0 || paragraphChars > 0 { endParagraph(at: n) }
        s.lines = lineHashes.count
        s.paragraphs = paragraphHashes.count
        (s.duplicateLines, s.duplicateLineCharacters) = repeats(lineHashes)
        (s.duplicateParagraphs, s.duplicateParagraphCharacters) = repeats(paragraphHashes)
        for (k, size) in [2, 3, 4].enumerated() { s.topNGramCharacters[k] = topNGram(eojeol, size: size) }
        return (s, lineHashes)
    }

    /// Occurrences (and their characters) of items that repeat an earlier item.
    private static func repeats(_ items: [(hash: UInt64, characters: Int)]) -> (Int, Int) {
        var seen = Set<UInt64>()
        var count = 0, chars = 0
        for item in items where !seen.insert(item.hash).inserted {
            count += 1
            chars += item.characters
        }
        return (count, chars)
    }

    /// Characters covered by all occurrences of the most frequent n-gram that occurs more than once.
    /// Counted in an open-addressing table keyed by the (already mixed) n-gram hash.
    private static func topNGram(_ words: [(hash: UInt64, characters: Int)], size: Int) -> Int {
        guard words.count >= size * 2 else { return 0 }
        let grams = words.count - size + 1
        var capacity = 16
        while capacity < grams * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var keys = [UInt64](repeating: 0, count: capacity)
        var counts = [Int32](repeating: 0, count: capacity)
        var best = 0
        for start in 0..<grams {
            var h: UInt64 = UInt64(size)
            var chars = 0
            for k in start..<(start + size) {
                h = StableHash.mix(h ^ words[k].hash)
                chars += words[k].characters
            }
            var slot = Int(truncatingIfNeeded: h) & mask
            while counts[slot] != 0 && keys[slot] != h { slot = (slot + 1) & mask }
            keys[slot] = h
            counts[slot] += 1
            if counts[slot] > 1 { best = max(best, Int(counts[slot]) * chars) }
        }
        return best
    }

    private static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ p: [UInt8]) -> Bool {
        guard i + p.count <= b.count else { return false }
        for k in 0..<p.count where (b[i + k] | (p[k] >= 0x61 ? 0x20 : 0)) != p[k] { return false }
        return true
    }

    private static func matchesMarkup(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        markupPatterns.contains { $0[0] == b[i] && hasPrefix(b, at: i, $0) }
    }

    private static let urlPrefixes: [[UInt8]] = ["http://", "https://", "www."].map { Array($0.utf8) }

    private static func startsURL(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        urlPrefixes.contains { hasPrefix(b, at: i, $0) }
    }
}
