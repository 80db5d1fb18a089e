/// Undoes HTTP/1.1 chunked transfer coding on a stored response body (WARC keeps the bytes as
/// received). Returns nil when the framing is broken.
enum HTTPBody {
    static func dechunk(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            var size = 0
            var digits = 0
            while i < bytes.endIndex, let v = hexValue(bytes[i]) {
                size = size * 16 + v
                digits += 1
                i += 1
                if size > 1 << 30 { return nil }
            }
            guard digits > 0 else { return nil }
            while i < bytes.endIndex, bytes[i] != 0x0A { i += 1 } // chunk extensions, CR
            i += 1
            if size == 0 { return out }
            guard i + size <= bytes.endIndex else { return nil }
            out += bytes[i..<(i + size)]
            i += size
            if i < bytes.endIndex, bytes[i] == 0x0D { i += 1 }
            if i < bytes.endIndex, bytes[i] == 0x0A { i += 1 }
        }
        return nil
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }
}
