import Corpus
/// Extends a base byte-level BPE tokenizer.json with the tokens of a second one (a Korean BPE
/// trained with `ByteLevelBPETrainer`): the byte-level counterpart of `VocabularyMerger`'s
/// `below-base` policy. Every base id, merge rank, added token, normalizer and pre-tokenizer
/// stays; new merges are ranked after every base merge and new tokens take ids after every base
/// id (after added tokens that sit beyond the model vocabulary, as LLaMA-3's do; SmolLM2's
/// specials are inside it, ids 0-16).
///
/// Policy: a token of the added model is appended only when its bytes imply Hangul — they hold
/// a character start whose every valid UTF-8 completion lies in a Hangul block (a whole
/// syllable, or a partial one such as `EB 8B`, the first two bytes of U+B2C0...U+B2FF). The
/// added model's merges are taken in rank order; when its own pair for a token is not
/// available (a part the policy left out, such as the continuation bytes `8B A4` shared with
/// other scripts), the token is built from what the merged tokenizer makes of its bytes, adding
/// the Hangul-implying merges it needs. Since the first new merge that fires in any text creates
/// a Hangul-implying token, text without Hangul never meets a new merge and tokenizes exactly as
/// with the base.
public enum ByteLevelVocabularyMerger {
    public struct Result: Sendable {
        public var file: HuggingFaceTokenizerFile
        public var basePath: String
        public var addPath: String
        /// New tokens in id order, with the base ids their bytes encode to.
        public var added: [AddedPiece]
        /// New merges that are the added model's own pair for their token.
        public var mergesAsLearned: Int
        /// Tokens of the added model (made by its merges) that the base already has.
        public var overlap: Int
        /// Tokens left out because their bytes do not imply Hangul.
        public var skippedByPolicy: Int
        /// Hangul tokens that cannot be built: a byte the base has no token for, or no
        /// Hangul-implying pair left to merge.
        public var skippedUnreachable: Int
        /// Added tokens (specials) of the added model, never appended.
        public var skippedSpecial: Int
    }

    /// Merges `add` into `base`; the paths name the files in errors and reports.
    public static func merge(base: HuggingFaceTokenizerFile, basePath: String, add: HuggingFaceTokenizerFile, addPath: String) throws -> Result {
        var merged = try Simulator(base, path: basePath)
        let baseOnly = merged
        let addIds = try Simulator(add, path: addPath)
        // The added model's tokens by bytes -> its merge rank, to follow its structure.
        var addRank: [[UInt8]: Int] = [:]
        for (rank, m) in addIds.mergeBytes.enumerated() where addRank[m.left + m.right] == nil { addRank[m.left + m.right] = rank }

        var file = base
        var added: [AddedPiece] = []
        var mergesAsLearned = 0, overlap = 0, skippedByPolicy = 0, skippedUnreachable = 0
        var seen = Set<[UInt8]>()
        for m in addIds.mergeBytes {
            let token = m.left + m.right
            guard seen.insert(token).inserted else { continue }
            if let id = merged.id[token] {
                if id < baseOnly.vocabularyCount { overlap += 1 }
                continue
            }
            guard impliesHangul(token) else {
                skippedByPolicy += 1
                continue
            }
            guard token.allSatisfy({ merged.byteToken[Int($0)] >= 0 }) else {
                skippedUnreachable += 1
                continue
            }
            while true {
                let sequence = merged.encode(token)
                if sequence.count == 1 { break }
                // The pair to merge: the only one, else the added model's earliest token among
                // the Hangul-implying pairs, else the leftmost Hangul-implying pair.
                var best = -1, bestRank = Int.max
                for k in 0..<(sequence.count - 1) {
                    let joined = merged.bytes[Int(sequence[k])] + merged.bytes[Int(sequence[k + 1])]
                    guard impliesHangul(joined) else { continue }
                    let rank = addRank[joined] ?? Int.max - 1
                    if best < 0 || rank < bestRank { best = k; bestRank = rank }
                }
                guard best >= 0 else {
                    skippedUnreachable += 1
                    break
                }
                let l = sequence[best], r = sequence[best + 1]
                let bytes = merged.bytes[Int(l)] + merged.bytes[Int(r)]
                if merged.bytes[Int(l)] == m.left && merged.bytes[Int(r)] == m.right { mergesAsLearned += 1 }
                let newId = merged.addMerge(l, r)
                file.merges.append((file.vocabulary[Int(l)], file.vocabulary[Int(r)]))
                if Int(newId) == file.vocabulary.count {
                    let spelling = ByteLevelAlphabet.token(of: bytes)
                    file.vocabulary.append(spelling)
                    file.inModel.append(true)
                    added.append(AddedPiece(id: Int(newId), piece: spelling, baseIds: baseOnly.encode(bytes)))
                }
            }
        }
        return Result(file: file, basePath: basePath, addPath: addPath, added: added, mergesAsLearned: mergesAsLearned, overlap: overlap,
                      skippedByPolicy: skippedByPolicy, skippedUnreachable: skippedUnreachable, skippedSpecial: add.addedTokens.count)
    }

    /// Hangul Jamo, Hangul Compatibility Jamo, Jamo Extended-A, Hangul Syllables and Jamo
    /// Extended-B, as whole blocks (unassigned U+D7A4...U+D7AF included, so that `ED 9E`, the
    /// start of U+D780...U+D7BF, counts).
    static let hangulBlocks: [ClosedRange<UInt32>] = [0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7FF]

    /// Whether every valid UTF-8 text holding `bytes` contiguously holds a Hangul character:
    /// some character start in `bytes` begins only code points of `hangulBlocks`, given the
    /// continuation bytes that follow it in `bytes`.
    public static func impliesHangul(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0
            if length < 2 {
                i += 1
                continue
            }
            // The code points this start may begin: the known bits, the rest free.
            var low = UInt32(b) & (0xFF >> (length + 1)), high = low
            var k = 1
            while k < length && i + k < bytes.count && bytes[i + k] & 0xC0 == 0x80 {
                low = low << 6 | UInt32(bytes[i + k] & 0x3F)
                high = high << 6 | UInt32(bytes[i + k] & 0x3F)
                k += 1
            }
            let free = 6 * (length - k)
            low <<= UInt32(free)
            high = high << UInt32(free) | ((1 << UInt32(free)) - 1)
            // A start cut short by a non-continuation byte is never in valid text: skip it.
            if k == length || i + k == bytes.count {
                // Valid completions: not overlong, at most U+10FFFF, no surrogates.
                low = max(low, [0, 0, 0x80, 0x800, 0x10000][length])
                high = min(high, 0x10FFFF)
                var parts: [ClosedRange<UInt32>] = []
                if low <= min(high, 0xD7FF) { parts.append(low...min(high, 0xD7FF)) }
                if max(low, 0xE000) <= high { parts.append(max(low, 0xE000)...high) }
                if !parts.isEmpty && parts.allSatisfy({ part in hangulBlocks.contains { $0.contains(part.lowerBound) && $0.contains(part.upperBound) } }) {
                    return true
                }
            }
            i += k
        }
        return false
    }

    /// Byte-level BPE over raw bytes with a growing merge list: `tokenizers`' `merge_word` on a
    /// single word (lowest rank first, leftmost on ties), used to see what a token's bytes become.
    struct Simulator {
        /// Bytes of every id (empty for ids outside the model vocabulary).
        var bytes: [[UInt8]] = []
        var id: [[UInt8]: Int32] = [:]
        var byteToken = [Int32](repeating: -1, count: 256)
        /// (left id, right id) -> (rank, merged id).
        var ranks: [UInt64: (rank: Int32, id: Int32)] = [:]
        var mergeBytes: [(left: [UInt8], right: [UInt8])] = []
        let vocabularyCount: Int

        init(_ file: HuggingFaceTokenizerFile, path: String) throws {
            vocabularyCount = file.vocabulary.count
            for (i, token) in file.vocabulary.enumerated() {
                let b = file.inModel[i] ? ByteLevelAlphabet.bytes(of: token) ?? [] : []
                bytes.append(b)
                if !b.isEmpty && id[b] == nil { id[b] = Int32(i) }
                if b.count == 1 && byteToken[Int(b[0])] < 0 { byteToken[Int(b[0])] = Int32(i) }
            }
            for (rank, m) in file.merges.enumerated() {
                guard let l = ByteLevelAlphabet.bytes(of: m.left), let r = ByteLevelAlphabet.bytes(of: m.right), let li = id[l], let ri = id[r], let mi = id[l + r] else {
                    throw TokenizationError.invalidModel(path: path, detail: "merge \(rank) (\(JSONString.literal(m.left)) \(JSONString.literal(m.right))) names a token that model.vocab lacks")
                }
                let key = PairSymbolTable.key(li, ri)
                if ranks[key] == nil { ranks[key] = (Int32(rank), mi) }
                mergeBytes.append((l, r))
            }
        }

        /// Appends the merge `l` + `r` after every existing one; returns the merged token's id
        /// (a new one, `bytes.count` before the call, unless the bytes already have a token).
        mutating func addMerge(_ l: Int32, _ r: Int32) -> Int32 {
            let joined = bytes[Int(l)] + bytes[Int(r)]
            let merged: Int32
            if let existing = id[joined] { merged = existing } else {
                merged = Int32(bytes.count)
                bytes.append(joined)
                id[joined] = merged
            }
            ranks[PairSymbolTable.key(l, r)] = (Int32(mergeBytes.count), merged)
            mergeBytes.append((bytes[Int(l)], bytes[Int(r)]))
            return merged
        }

        /// The ids BPE makes of `word` (bytes without a token are dropped, as the encoder does).
        func encode(_ word: [UInt8]) -> [Int32] {
            var symbols = word.compactMap { byteToken[Int($0)] >= 0 ? byteToken[Int($0)] : nil }
            while symbols.count > 1 {
                var best = -1
                var bestRank = Int32.max, bestId: Int32 = 0
                for k in 0..<(symbols.count - 1) {
                    if let m = ranks[PairSymbolTable.key(symbols[k], symbols[k + 1])], m.rank < bestRank {
                        best = k; bestRank = m.rank; bestId = m.id
                    }
                }
                if best < 0 { break }
                symbols[best] = bestId
                symbols.remove(at: best + 1)
            }
            return symbols
        }
    }
}
