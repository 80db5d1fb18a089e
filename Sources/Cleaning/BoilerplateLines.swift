import Corpus

/// Cross-document boilerplate: short normalized lines that recur in many documents of one source
/// within a run (a footer, a share bar, a "추천 기사" line that the site rules missed). Pass 1 keeps,
/// per candidate document, the hashes of its distinct short lines (bounded per document); after
/// dedup the lines found in at least `boilerplateLineMinDocuments` surviving documents of the same
/// source are removed from them in pass 2 (docs/CLEANING.md).
public enum BoilerplateLines {
    /// Lines a document contributes at most (memory stays bounded per document).
    public static let perDocumentLimit = 64

    /// A line's key: its hash qualified by `StableHash.hash(source)` (computed once per document),
    /// so one site's footer never strips another's text.
    public static func key(_ lineHash: UInt64, sourceHash: UInt64) -> UInt64 {
        StableHash.mix(lineHash ^ sourceHash)
    }

    /// The distinct lines with at most `maxCharacters` characters among a document's lines (as
    /// `QualitySignals.measureWithLines` returns them), at most `perDocumentLimit`; none when
    /// `maxCharacters` is 0 (the filter is off).
    public static func candidates(_ lines: [(hash: UInt64, characters: Int)], maxCharacters: Int) -> [(hash: UInt64, characters: Int)] {
        guard maxCharacters > 0 else { return [] }
        var out: [(hash: UInt64, characters: Int)] = []
        var seen = Set<UInt64>()
        for line in lines where line.characters <= maxCharacters && seen.insert(line.hash).inserted {
            out.append(line)
            if out.count == perDocumentLimit { break }
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

    /// Normalized UTF-8 text without its boilerplate lines (every occurrence; blank lines collapsed
    /// again), and how many lines were removed. Lines are hashed as `QualitySignals` hashes them;
    /// lines longer than `maxCharacters` can never be boilerplate and are not hashed.
    public static func strip(_ text: [UInt8], sourceHash: UInt64, maxCharacters: Int, boilerplate: Set<UInt64>) -> (text: String, removed: Int) {
        guard !boilerplate.isEmpty else { return (String(decoding: text, as: UTF8.self), 0) }
        return text.withUnsafeBufferPointer { b in
            var kept: [Range<Int>] = []
            var removed = 0
            var start = 0, characters = 0
            for i in 0...b.count {
                if i < b.count && b[i] != 0x0A {
                    if b[i] & 0xC0 != 0x80 { characters += 1 }
                    continue
                }
                let line = start..<i
                if characters > 0 && characters <= maxCharacters
                    && boilerplate.contains(key(StableHash.hash(UnsafeBufferPointer(rebasing: b[line])), sourceHash: sourceHash)) {
                    removed += 1
                } else if !(line.isEmpty && (kept.last?.isEmpty ?? true)) {
                    kept.append(line)
                }
                start = i + 1
                characters = 0
            }
            guard removed > 0 else { return (String(decoding: b, as: UTF8.self), 0) }
            while kept.last?.isEmpty == true { kept.removeLast() }
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            for (k, line) in kept.enumerated() {
                if k > 0 { out.append(0x0A) }
                out.append(contentsOf: b[line])
            }
            return (String(decoding: out, as: UTF8.self), removed)
        }
    }
}
