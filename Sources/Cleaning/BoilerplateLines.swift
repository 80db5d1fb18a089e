import Corpus

/// Cross-document boilerplate: short normalized lines that recur in many documents of one source
/// within a run (a footer, a share bar, a "추천 기사" line that the site rules missed). Pass 1 keeps,
/// per candidate document, the hashes of its distinct short lines (bounded per document); after
/// dedup the lines found in at least `boilerplateLineMinDocuments` surviving documents of the same
/// source are removed from them in pass 2 (docs/CLEANING.md).
public enum BoilerplateLines {
    /// Lines a document contributes at most (memory stays bounded per document).
    public static let perDocumentLimit = 64

    /// A line's key: its hash qualified by the source, so one site's footer never strips another's text.
    public static func key(_ lineHash: UInt64, source: String) -> UInt64 {
        StableHash.mix(lineHash ^ StableHash.hash(source))
    }

    /// Distinct lines of normalized UTF-8 text with at most `maxCharacters` characters: their
    /// hashes and character counts, at most `perDocumentLimit`.
    public static func lines(_ b: UnsafeBufferPointer<UInt8>, maxCharacters: Int) -> [(hash: UInt64, characters: Int)] {
        var out: [(hash: UInt64, characters: Int)] = []
        var seen = Set<UInt64>()
        var start = 0, characters = 0
        for i in 0...b.count {
            if i == b.count || b[i] == 0x0A {
                if characters > 0 && characters <= maxCharacters {
                    let h = StableHash.hash(UnsafeBufferPointer(rebasing: b[start..<i]))
                    if seen.insert(h).inserted { out.append((h, characters)) }
                    if out.count == perDocumentLimit { break }
                }
                start = i + 1
                characters = 0
            } else if b[i] & 0xC0 != 0x80 {
                characters += 1
            }
        }
        return out
    }

    /// Keys listed by at least `minDocuments` documents (each document lists a key once).
    public static func frequent(_ keys: [UInt64], minDocuments: Int) -> Set<UInt64> {
        var result = Set<UInt64>()
        var i = 0
        let sorted = keys.sorted()
        while i < sorted.count {
            var j = i
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            if j - i >= minDocuments { result.insert(sorted[i]) }
            i = j
        }
        return result
    }

    /// Normalized text without its boilerplate lines (blank lines collapsed again), and how many
    /// lines were removed.
    public static func strip(_ text: String, source: String, boilerplate: Set<UInt64>) -> (text: String, removed: Int) {
        guard !boilerplate.isEmpty else { return (text, 0) }
        var kept: [Substring] = []
        var removed = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty && boilerplate.contains(key(StableHash.hash(line.utf8), source: source)) {
                removed += 1
            } else if !(line.isEmpty && (kept.last?.isEmpty ?? true)) {
                kept.append(line)
            }
        }
        while kept.last?.isEmpty == true { kept.removeLast() }
        return removed == 0 ? (text, 0) : (kept.joined(separator: "\n"), removed)
    }
}
