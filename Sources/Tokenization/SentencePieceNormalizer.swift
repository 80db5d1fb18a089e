import Foundation

/// The text normalizer of a SentencePiece model, mirroring sentencepiece's `normalizer.cc`:
/// the precompiled charsmap (a darts-clone trie over UTF-8 byte sequences plus a blob of
/// NUL-terminated replacements, longest prefix wins), user-defined symbols copied verbatim,
/// and the whitespace rules `add_dummy_prefix`, `remove_extra_whitespaces`,
/// `escape_whitespaces` (space → `▁`) and the trainer's `treat_whitespace_as_suffix`.
/// Input must be valid UTF-8 (the processor checks it first).
struct SentencePieceNormalizer: Sendable {
    private let trie: DoubleArrayTrie?
    private let replacements: [UInt8]
    private let userSymbols: UserDefinedSymbolMatcher?
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool

    init(spec: Sentencepiece_NormalizerSpec, treatWhitespaceAsSuffix: Bool,
         userSymbols: UserDefinedSymbolMatcher?, path: String) throws {
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userSymbols = userSymbols
        let blob = [UInt8](spec.precompiledCharsmap)
        if blob.isEmpty {
            trie = nil
            replacements = []
            return
        }
        // Layout: uint32 little-endian trie size in bytes, the trie units, then the replacements.
        guard blob.count >= 4 else {
            throw TokenizationError.invalidModel(path: path, detail: "precompiled_charsmap is shorter than its header")
        }
        let trieSize = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieSize % 4 == 0, trieSize >= 4, 4 + trieSize <= blob.count else {
            throw TokenizationError.invalidModel(path: path, detail: "precompiled_charsmap trie size \(trieSize) does not fit its \(blob.count) bytes")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for k in 0..<units.count {
            let o = 4 + 4 * k
            units[k] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        trie = DoubleArrayTrie(units: units)
        replacements = Array(blob[(4 + trieSize)...])
    }

    private static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]

    /// The common LLaMA/Mistral case (no charsmap, no user symbols, spaces kept): the dummy
    /// prefix, then the input with each space escaped, written in one pass.
    private func identity(_ base: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        var spaces = 0
        for i in 0..<n where base[i] == 0x20 { spaces += 1 }
        let dummy = addDummyPrefix ? 3 : 0
        let origin = out.count
        out.append(contentsOf: repeatElement(0, count: dummy + n + 2 * spaces))
        out.withUnsafeMutableBufferPointer { o in
            var w = origin
            func space() {
                o[w] = 0xE2
                o[w + 1] = 0x96
                o[w + 2] = 0x81
                w += 3
            }
            if addDummyPrefix && !treatWhitespaceAsSuffix { space() }
            for i in 0..<n {
                if base[i] == 0x20 {
                    space()
                } else {
                    o[w] = base[i]
                    w += 1
                }
            }
            if addDummyPrefix && treatWhitespaceAsSuffix { space() }
        }
    }

    /// Appends the normalized form of `input` to `out` (which the caller clears).
    func normalize(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        let n = input.count
        if trie == nil && userSymbols == nil && !removeExtraWhitespaces && escapeWhitespaces {
            identity(base, n, into: &out)
            return
        }
        replacements.withUnsafeBufferPointer { repl in
            // One normalization step at `i`: the replacement bytes and how many input bytes it consumes.
            func prefix(_ i: Int) -> (UnsafePointer<UInt8>, Int, Int) {
                let p = base + i
                if let userSymbols {
                    let m = userSymbols.match(p, n - i)
                    if m > 0 { return (p, m, m) }
                }
                if let trie, let hit = trie.longestPrefix(p, n - i), hit.value < repl.count {
                    let r = repl.baseAddress! + hit.value
                    var len = 0
                    while hit.value + len < repl.count && r[len] != 0 { len += 1 }
                    return (r, len, hit.length)
                }
                let len = max(1, UTF8Scanner.characterLength(p, n - i))
                return (p, len, len)
            }
            func appendSpace() {
                if escapeWhitespaces { out.append(contentsOf: SentencePieceNormalizer.spaceSymbol) } else { out.append(0x20) }
            }

            var i = 0
            if removeExtraWhitespaces {
                while i < n {
                    let (s, len, consumed) = prefix(i)
                    if !(len == 1 && s[0] == 0x20) { break }
                    i += consumed
                }
                if i == n { return }
            }
            if !treatWhitespaceAsSuffix && addDummyPrefix { appendSpace() }
            var isPreviousSpace = removeExtraWhitespaces
            while i < n {
                var (s, len, consumed) = prefix(i)
                if isPreviousSpace {
                    while len > 0 && s[0] == 0x20 {
                        s += 1
                        len -= 1
                    }
                }
                if len > 0 {
                    for k in 0..<len {
                        if escapeWhitespaces && s[k] == 0x20 {
                            out.append(contentsOf: SentencePieceNormalizer.spaceSymbol)
                        } else {
                            out.append(s[k])
                        }
                    }
                    isPreviousSpace = s[len - 1] == 0x20
                }
                i += consumed
                if !removeExtraWhitespaces { isPreviousSpace = false }
            }
            if removeExtraWhitespaces {
                let space: [UInt8] = escapeWhitespaces ? SentencePieceNormalizer.spaceSymbol : [0x20]
                while out.count >= space.count && out[(out.count - space.count)...].elementsEqual(space) {
                    out.removeLast(space.count)
                }
            }
            if treatWhitespaceAsSuffix && addDummyPrefix { appendSpace() }
        }
    }
}
