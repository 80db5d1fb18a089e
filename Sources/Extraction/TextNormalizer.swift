/// Whitespace normalisation on UTF-8 bytes: every run of ASCII whitespace, NO-BREAK SPACE
/// (U+00A0), IDEOGRAPHIC SPACE (U+3000) or zero-width space (U+200B) becomes one space; ends are
/// trimmed. Mirrors what lxml's `text_content()` plus `" ".join(s.split())` gives.
enum TextNormalizer {
    /// Appends `text` to `out`, collapsing whitespace; `pendingSpace` carries a run across calls.
    static func append(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], pendingSpace: inout Bool) {
        var i = 0
        let n = text.count
        while i < n {
            let b = text[i]
            var width = 0
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C {
                width = 1
            } else if b == 0xC2, i + 1 < n, text[i + 1] == 0xA0 {
                width = 2
            } else if b == 0xE3, i + 2 < n, text[i + 1] == 0x80, text[i + 2] == 0x80 {
                width = 3
            } else if b == 0xE2, i + 2 < n, text[i + 1] == 0x80, text[i + 2] == 0x8B {
                i += 3 // zero-width space: no visible gap
                continue
            }
            if width > 0 {
                if !out.isEmpty { pendingSpace = true }
                i += width
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(b)
            i += 1
        }
    }

    /// `text` with whitespace runs collapsed and ends trimmed.
    static func collapse(_ text: String) -> String {
        var out: [UInt8] = []
        var pending = false
        var copy = text
        copy.withUTF8 { append($0, to: &out, pendingSpace: &pending) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Characters (Unicode scalars) in UTF-8 bytes, counting lead bytes only.
    static func scalarCount<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }
}
