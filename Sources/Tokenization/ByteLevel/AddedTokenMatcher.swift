/// One entry of tokenizer.json's `added_tokens`.
public struct AddedToken: Sendable, Equatable {
    public var id: Int32
    public var content: String
    public var singleWord = false
    public var lstrip = false
    public var rstrip = false
    public var normalized = false
    public var special = false

    public init(id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = false, special: Bool = false) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }
}

/// Finds added tokens in text as `tokenizers`' `AddedVocabulary::find_matches` does: the
/// leftmost-longest match (its Aho-Corasick `LeftmostLongest` kind), scanning on after each
/// match; a `single_word` token only counts when no `\w` character touches it; `lstrip` and
/// `rstrip` widen a match over the whitespace beside it (never back into an earlier match).
struct AddedTokenMatcher: Sendable {
    private let tokens: [AddedToken]
    private let table: PieceTable
    /// Distinct content byte lengths, longest first.
    private let lengths: [Int]
    private let startsToken: [Bool]

    init?(tokens: [AddedToken]) {
        let tokens = tokens.filter { !$0.content.isEmpty }
        if tokens.isEmpty { return nil }
        self.tokens = tokens
        table = PieceTable(byteStrings: tokens.map { Array($0.content.utf8) })
        lengths = Set(tokens.map(\.content.utf8.count)).sorted(by: >)
        var starts = [Bool](repeating: false, count: 256)
        for t in tokens { starts[Int(t.content.utf8.first!)] = true }
        startsToken = starts
    }

    /// Appends the segments of `[start, end)` of `t` (valid UTF-8): text (`token` -1) and added tokens.
    func split(_ t: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [(start: Int, end: Int, token: Int32)]) {
        let classes = UnicodeCharacterClasses.shared
        func flags(at k: Int) -> UInt8 { classes.flags(UnicodeCharacterClasses.decode(t + k).scalar) }
        func characterStart(before k: Int) -> Int {
            var j = k - 1
            while j > start && t[j] & 0xC0 == 0x80 { j -= 1 }
            return j
        }
        var previousEnd = start
        var i = start
        while i < end {
            guard startsToken[Int(t[i])] else { i += 1; continue }
            var found = -1
            for len in lengths where len <= end - i {
                let k = table.id(t + i, len)
                if k >= 0 { found = Int(k); break }
            }
            guard found >= 0 else { i += 1; continue }
            let token = tokens[found]
            var s = i, e = i + token.content.utf8.count
            if token.singleWord {
                let wordBefore = s > start && flags(at: characterStart(before: s)) & UnicodeCharacterClasses.word != 0
                let wordAfter = e < end && flags(at: e) & UnicodeCharacterClasses.word != 0
                if wordBefore || wordAfter {
                    i = e
                    continue
                }
            }
            if token.lstrip {
                while s > previousEnd {
                    let c = characterStart(before: s)
                    if flags(at: c) & UnicodeCharacterClasses.whitespace == 0 { break }
                    s = c
                }
            }
            if token.rstrip {
                while e < end && flags(at: e) & UnicodeCharacterClasses.whitespace != 0 { e += UnicodeCharacterClasses.decode(t + e).length }
            }
            if previousEnd < s { out.append((previousEnd, s, -1)) }
            out.append((s, e, token.id))
            previousEnd = e
            i = e
        }
        if previousEnd < end { out.append((previousEnd, end, -1)) }
    }
}
