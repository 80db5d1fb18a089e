/// GPT-2's `bytes_to_unicode` table, which `tokenizers`' ByteLevel pre-tokenizer and decoder use:
/// printable bytes (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) stand for themselves and the other 68 bytes for
/// U+0100 upward in byte order, so every byte string is spelled with printable characters
/// (a space is `Ġ` U+0120, a newline `Ċ` U+010A).
enum ByteLevelAlphabet {
    /// The character of each byte.
    static let scalarOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 0x100
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each character U+0000..U+0143 stands for, or -1.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, s) in scalarOfByte.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// The bytes `token` stands for, or nil when some character is outside the table (the
    /// decoder then uses the token's own UTF-8, and BPE can never form it from text).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            guard s.value < 0x144, byteOfScalar[Int(s.value)] >= 0 else { return nil }
            out.append(UInt8(byteOfScalar[Int(s.value)]))
        }
        return out
    }

    /// `bytes` spelled in byte-level characters (how tokenizer.json writes tokens).
    static func token(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(scalarOfByte[Int(b)])!) }
        return String(s)
    }
}
