import Corpus

/// The text normalization policy of the corpus, applied by `ko-llama clean` to every document it
/// writes (docs/CLEANING.md). The tokenizer trainer does not call it: it reads the clean shards,
/// already normalized here, and applies only its own SentencePiece rule (`identity` by default).
///
/// Policy, in order:
/// 1. Unicode NFC through ICU (not NFKC: NFKC turns compatibility jamo such as `ㅋㅋ` into
///    conjoining jamo and `㈜` into `(주)`, see NOTES.md). NFC recomposes decomposed Hangul.
/// 2. Conjoining jamo left over after NFC (U+1100..U+11FF that did not form a syllable) are
///    mapped to their compatibility jamo (`ᄏ` U+110F -> `ㅋ` U+314B); archaic ones stay.
/// 3. Full-width ASCII (U+FF01..U+FF5E) becomes ASCII.
/// 4. Unusual spaces (NBSP, U+2000..U+200A, U+202F, U+205F, ideographic space U+3000) become a space.
/// 5. Removed: control characters except newline and tab (a CR is dropped, so CRLF becomes LF),
///    ZWSP, word joiner, BOM, soft hyphen; ZWNJ/ZWJ except after a character of a script that
///    uses them (Arabic..Sinhala, U+0600..U+0DFF) or an emoji (>= U+1F000, for emoji sequences).
/// 6. Runs of spaces collapse to one; lines are trimmed of spaces and tabs; more than one blank
///    line collapses to one; leading and trailing blank lines go.
///
/// Fast path: text made only of ASCII, Hangul syllables and other characters that are NFC by
/// construction (`isNFCByConstruction`) skips ICU; the remaining rules run on its UTF-8 bytes in
/// one pass.
public struct TextNormalizer: Sendable {
    public init() {}

    /// Normalizes `text` under the policy above.
    public func normalize(_ text: String) -> String {
        String(decoding: normalizedBytes(text), as: UTF8.self)
    }

    /// Normalizes `text` and returns the normalized UTF-8 bytes.
    public func normalizedBytes(_ text: String) -> [UInt8] {
        var text = text
        if text.withUTF8({ Self.isNFCByConstruction($0) }) {
            return text.withUTF8 { Self.applyCharacterRules($0) }
        }
        // ICU's quick check answers "already NFC" for most text without building a copy.
        var nfc = ICU.isNormalized(text, .nfc) ? text : ((try? ICU.normalize(text, .nfc)) ?? text)
        return nfc.withUTF8 { Self.applyCharacterRules($0) }
    }

    /// True when the text is NFC by construction: every scalar has NFC quick-check "yes" and
    /// canonical combining class 0, so no composition can apply. Covered: U+0000..U+02FF
    /// (ASCII, Latin-1, Latin Extended), general punctuation U+2010..U+2027 and U+2030..U+205E,
    /// CJK punctuation U+3001..U+3029, compatibility jamo, enclosed CJK U+3200..U+32FF, CJK
    /// ideographs U+4E00..U+9FFF, Hangul syllables, full-width forms U+FF01..U+FFEF. Anything else
    /// (combining marks, conjoining jamo, compatibility ideographs, ...) takes the ICU path.
    static func isNFCByConstruction(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            if c < 0xE0 {
                // Two-byte scalars are U+0080..U+07FF; below U+0300 means lead byte C2..CB.
                guard c <= 0xCB else { return false }
                i += 2
                continue
            }
            guard c < 0xF0 && i + 2 < n else { return false }
            let u = (UInt32(c & 0x0F) << 12) | (UInt32(b[i + 1] & 0x3F) << 6) | UInt32(b[i + 2] & 0x3F)
            switch u {
            case 0xAC00...0xD7A3, 0x4E00...0x9FFF, 0x2010...0x2027, 0x2030...0x205E, 0x3001...0x3029,
                 0x3131...0x318E, 0x3200...0x32FF, 0xFF01...0xFFEF:
                i += 3
            default:
                return false
            }
        }
        return true
    }

    /// Compatibility jamo for the modern conjoining jamo; 0 where there is none.
    private static let choseong: [UInt32] = [0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145,
                                             0x3146, 0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E]
    private static let jongseong: [UInt32] = [0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136, 0x3137, 0x3139, 0x313A, 0x313B,
                                              0x313C, 0x313D, 0x313E, 0x313F, 0x3140, 0x3141, 0x3142, 0x3144, 0x3145, 0x3146,
                                              0x3147, 0x3148, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E]

    /// Maps one scalar under rules 2-5: returns nil to drop it, or the replacement.
    @inline(__always)
    static func mapScalar(_ u: UInt32, previous: UInt32) -> UInt32? {
        switch u {
        case 0x09, 0x0A: return u
        case 0x00...0x1F, 0x7F...0x9F: return nil
        case 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return 0x20
        case 0xAD, 0x200B, 0x2060, 0xFEFF: return nil
        case 0x200C, 0x200D:
            return (0x0600...0x0DFF).contains(previous) || previous >= 0x1F000 ? u : nil
        case 0xFF01...0xFF5E: return u - 0xFEE0
        case 0x1100...0x1112: return choseong[Int(u - 0x1100)]
        case 0x1161...0x1175: return 0x314F + (u - 0x1161)
        case 0x11A8...0x11C2: return jongseong[Int(u - 0x11A8)]
        default: return u
        }
    }

    /// Rules 2-6 in one pass over UTF-8 bytes.
    static func applyCharacterRules(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var pendingSpace = false
        var pendingTabs = 0
        var pendingNewlines = 0
        var lineHasContent = false
        var previous: UInt32 = 0
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            var u: UInt32
            var width: Int
            if c < 0x80 {
                u = UInt32(c); width = 1
            } else if c < 0xE0 {
                u = (UInt32(c & 0x1F) << 6) | UInt32(b[min(i + 1, n - 1)] & 0x3F); width = 2
            } else if c < 0xF0 {
                u = (UInt32(c & 0x0F) << 12) | (UInt32(b[min(i + 1, n - 1)] & 0x3F) << 6) | UInt32(b[min(i + 2, n - 1)] & 0x3F); width = 3
            } else {
                u = (UInt32(c & 0x07) << 18) | (UInt32(b[min(i + 1, n - 1)] & 0x3F) << 12)
                    | (UInt32(b[min(i + 2, n - 1)] & 0x3F) << 6) | UInt32(b[min(i + 3, n - 1)] & 0x3F); width = 4
            }
            let start = i
            i = min(i + width, n)
            // Hangul syllables and ordinary ASCII pass straight through.
            let mapped: UInt32
            if (c >= 0x21 && c < 0x7F) || (u >= 0xAC00 && u <= 0xD7A3) {
                mapped = u
            } else if let m = mapScalar(u, previous: previous) {
                mapped = m
            } else {
                continue
            }
            switch mapped {
            case 0x20:
                pendingSpace = true
            case 0x09:
                pendingTabs += 1
            case 0x0A:
                pendingSpace = false
                pendingTabs = 0
                if lineHasContent || !out.isEmpty { pendingNewlines += 1 }
                lineHasContent = false
            default:
                if !out.isEmpty && pendingNewlines > 0 {
                    out.append(0x0A)
                    if pendingNewlines > 1 { out.append(0x0A) }
                }
                pendingNewlines = 0
                if lineHasContent {
                    if pendingSpace { out.append(0x20) }
                    for _ in 0..<pendingTabs { out.append(0x09) }
                }
                pendingSpace = false
                pendingTabs = 0
                lineHasContent = true
                if mapped == u {
                    for k in start..<i { out.append(b[k]) }
                } else {
                    appendUTF8(mapped, to: &out)
                }
            }
            previous = mapped
        }
        return out
    }

    @inline(__always)
    static func appendUTF8(_ u: UInt32, to out: inout [UInt8]) {
        switch u {
        case 0..<0x80:
            out.append(UInt8(u))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (u >> 6))); out.append(UInt8(0x80 | (u & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (u >> 12))); out.append(UInt8(0x80 | ((u >> 6) & 0x3F))); out.append(UInt8(0x80 | (u & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (u >> 18))); out.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((u >> 6) & 0x3F))); out.append(UInt8(0x80 | (u & 0x3F)))
        }
    }
}
