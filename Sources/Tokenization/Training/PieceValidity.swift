import Corpus

/// Which merged pieces may exist: SentencePiece's `TrainerInterface::IsValidSentencePiece`
/// (src/trainer_interface.cc, v0.2.3) for the BPE settings this trainer supports
/// (split_by_whitespace on, whitespace as prefix, no whitespace-only pieces).
struct PieceValidity {
    static let unknownCharacter: UInt32 = 0x2585
    static let whitespaceCharacter: UInt32 = 0x2581
    static let boundaryCharacter: UInt32 = 0x1F

    let maxLength: Int
    let splitByUnicodeScript: Bool
    let splitByNumber: Bool
    let splitDigits: Bool

    private static let anyScript: Int32 = -1

    static func isDecimalDigit(_ c: UInt32) -> Bool {
        (0x30...0x39).contains(c) || (0xFF10...0xFF19).contains(c)
    }

    /// The script spm's table assigns (unassigned code points count as Common), with
    /// Hiragana, Katakana and the prolonged sound mark merged into Han.
    static func script(of c: UInt32) -> Int32 {
        let s = ICU.script(of: c)
        if s == ICU.Script.hiragana || s == ICU.Script.katakana || c == 0x30FC { return ICU.Script.han }
        if s >= 103 { return ICU.Script.common }  // USCRIPT_UNKNOWN and beyond: not in spm's map
        return s
    }

    /// Checks the code points of a candidate piece.
    func isValid(_ chars: UnsafeBufferPointer<UInt32>) -> Bool {
        if chars.isEmpty || chars.count > maxLength { return false }
        var previous = Self.anyScript
        for (pos, c) in chars.enumerated() {
            if c == Self.unknownCharacter || c == 0 || c == Self.boundaryCharacter || c == 0x20 { return false }
            if c >= 0xD800 && (c < 0xE000 || c > 0x10FFFF) { return false }
            if c == Self.whitespaceCharacter {
                if pos > 0 { return false }
                continue
            }
            var s = Self.script(of: c)
            if s == ICU.Script.inherited { s = previous }
            let digit = Self.isDecimalDigit(c)
            if !splitByNumber && digit { s = Self.anyScript }
            if splitDigits && digit && chars.count > 1 { return false }
            if splitByUnicodeScript && s != Self.anyScript && previous != Self.anyScript && previous != s { return false }
            previous = s
        }
        return true
    }
}
