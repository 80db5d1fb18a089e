/// UTF-8 checks on raw bytes (no String allocation).
enum UTF8Validation {
    /// Strict UTF-8 as sentencepiece judges it (the encoder's scanner, one definition for both).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        UTF8Scanner.firstInvalidOffset(bytes) == nil
    }

    /// True when the text contains U+2585, the character spm reserves for unknown symbols.
    static func containsUnknownCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0xE2 && bytes[i + 1] == 0x96 && bytes[i + 2] == 0x85 { return true }
            i += 1
        }
        return false
    }

    /// Decodes valid UTF-8 into code points.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { out.append(UInt32(b)); i += 1; continue }
            let need = b & 0xE0 == 0xC0 ? 1 : b & 0xF0 == 0xE0 ? 2 : 3
            var scalar = UInt32(b) & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07)
            for k in 1...need { scalar = scalar << 6 | UInt32(bytes[i + k] & 0x3F) }
            out.append(scalar)
            i += need + 1
        }
    }

    static func encode(_ scalar: UInt32, into out: inout [UInt8]) {
        if scalar < 0x80 {
            out.append(UInt8(scalar))
        } else if scalar < 0x800 {
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
