/// The character classes the byte-level pre-tokenizer patterns use, for every code point: `\p{L}`,
/// `\p{N}` (also Rust's `char::is_numeric` behind the `Digits` pre-tokenizer), `\s` and the `\w`
/// that `tokenizers` tests for `single_word` added tokens, exactly as `tokenizers`' regex engine
/// matches them (`UnicodeClassRanges`, generated from it: the system ICU is an older Unicode
/// version, and 9,000 letters added since would split differently). Built once into a two-stage
/// table (256-code-point blocks, identical blocks shared), so a lookup is two loads.
struct UnicodeCharacterClasses: Sendable {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 4
    static let word: UInt8 = 8

    static let shared = UnicodeCharacterClasses()

    private let blockOfPage: [UInt16]
    private let blocks: [UInt8]

    private init() {
        var flat = [UInt8](repeating: 0, count: 0x110000)
        for (ranges, flag) in [(UnicodeClassRanges.letters, Self.letter), (UnicodeClassRanges.numbers, Self.number),
                               (UnicodeClassRanges.whitespace, Self.whitespace), (UnicodeClassRanges.word, Self.word)] {
            for r in ranges { for c in r { flat[Int(c)] |= flag } }
        }
        var blockOfPage = [UInt16](repeating: 0, count: 0x1100)
        var blocks: [UInt8] = []
        var known: [ArraySlice<UInt8>: UInt16] = [:]
        for p in 0..<0x1100 {
            let page = flat[(p << 8)..<((p + 1) << 8)]
            if let b = known[page] {
                blockOfPage[p] = b
            } else {
                let b = UInt16(blocks.count >> 8)
                known[page] = b
                blocks += page
                blockOfPage[p] = b
            }
        }
        self.blockOfPage = blockOfPage
        self.blocks = blocks
    }

    @inline(__always)
    func flags(_ scalar: UInt32) -> UInt8 {
        blocks.withUnsafeBufferPointer { $0[Int(blockOfPage[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)] }
    }

    /// The code point and byte length of the valid UTF-8 character at `p` (whole, already validated).
    @inline(__always)
    static func decode(_ p: UnsafePointer<UInt8>) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(p[0])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(p[1] & 0x3F) << 6 | UInt32(p[2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(p[1] & 0x3F) << 12 | UInt32(p[2] & 0x3F) << 6 | UInt32(p[3] & 0x3F), 4)
    }
}
