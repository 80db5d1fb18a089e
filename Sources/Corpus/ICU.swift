import CICUShim

/// Swift face of the ICU shim: normalization, charset conversion and detection, scripts.
/// ICU headers never reach Swift (NOTES.md); everything passes through `CICUShim`'s C API.
public enum ICU {
    public enum NormalizationForm: Int32, Sendable {
        case nfc = 0, nfkc = 1, nfd = 2, nfkd = 3, nfkcCasefold = 4
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let operation: String
        public let code: Int32
        public var description: String { "ICU \(operation) failed (UErrorCode \(code))" }
    }

    /// Runs a shim call that fills a byte buffer, growing the buffer once if it was too small.
    private static func withGrowingBuffer(initial: Int, operation: String,
                                          _ call: (UnsafeMutablePointer<CChar>, Int32, inout Int32) -> Int32) throws -> [UInt8] {
        var capacity = max(initial, 16)
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var err: Int32 = 0
            let n = out.withUnsafeMutableBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: capacity) { call($0, Int32(capacity), &err) }
            }
            if n < 0 { throw Failure(operation: operation, code: err) }
            if Int(n) <= capacity {
                out.removeSubrange(Int(n)...)
                return out
            }
            capacity = Int(n)
        }
        throw Failure(operation: operation, code: -1)
    }

    /// Normalizes UTF-8 text.
    public static func normalize(_ text: String, _ form: NormalizationForm) throws -> String {
        var text = text
        let bytes = try text.withUTF8 { src in
            try withGrowingBuffer(initial: src.count + src.count / 2 + 16, operation: "normalize") { dst, cap, err in
                src.withMemoryRebound(to: CChar.self) { kl_icu_normalize_utf8(form.rawValue, $0.baseAddress, Int32($0.count), dst, cap, &err) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when ICU's quick check says `text` is definitely in `form` already.
    public static func isNormalized(_ text: String, _ form: NormalizationForm) -> Bool {
        var text = text
        return text.withUTF8 { src in
            var err: Int32 = 0
            return src.withMemoryRebound(to: CChar.self) { kl_icu_is_normalized_utf8(form.rawValue, $0.baseAddress, Int32($0.count), &err) } == 1
        }
    }

    /// Decodes bytes in `charset` (an ICU converter name such as "windows-949") to a String.
    /// Undecodable sequences become U+FFFD and are counted.
    public static func decode<C: Collection>(_ bytes: C, charset: String) throws -> (text: String, invalidSequences: Int) where C.Element == UInt8 {
        let src = Array(bytes)
        var invalid: Int32 = 0
        let out = try src.withUnsafeBufferPointer { s in
            try withGrowingBuffer(initial: s.count * 3 / 2 + 16, operation: "decode \(charset)") { dst, cap, err in
                s.withMemoryRebound(to: CChar.self) { kl_icu_convert_to_utf8(charset, $0.baseAddress, Int32($0.count), dst, cap, &invalid, &err) }
            }
        }
        return (String(decoding: out, as: UTF8.self), Int(invalid))
    }

    /// Encodes text into `charset`; characters it lacks are substituted and counted.
    public static func encode(_ text: String, charset: String) throws -> (bytes: [UInt8], unmappable: Int) {
        var text = text
        var unmappable: Int32 = 0
        let out = try text.withUTF8 { s in
            try withGrowingBuffer(initial: s.count + 16, operation: "encode \(charset)") { dst, cap, err in
                s.withMemoryRebound(to: CChar.self) { kl_icu_convert_from_utf8(charset, $0.baseAddress, Int32($0.count), dst, cap, &unmappable, &err) }
            }
        }
        return (out, Int(unmappable))
    }

    public static func isKnownCharset(_ name: String) -> Bool {
        kl_icu_charset_known(name) == 1
    }

    /// ICU's charset guess for raw bytes, with its confidence (0-100).
    public static func detectCharset<C: Collection>(_ bytes: C) -> (name: String, confidence: Int)? where C.Element == UInt8 {
        let src = Array(bytes)
        var name = [CChar](repeating: 0, count: 64)
        var confidence: Int32 = 0
        var err: Int32 = 0
        let ok = src.withUnsafeBufferPointer { s in
            s.withMemoryRebound(to: CChar.self) { kl_icu_detect_charset($0.baseAddress, Int32($0.count), &name, 64, &confidence, &err) }
        }
        guard ok == 1 else { return nil }
        return (String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), Int(confidence))
    }

    /// ICU script codes used by the pipeline.
    public enum Script {
        public static let common: Int32 = 0
        public static let inherited: Int32 = 1
        public static let han: Int32 = 17
        public static let hangul: Int32 = 18
        public static let hiragana: Int32 = 20
        public static let katakana: Int32 = 22
        public static let latin: Int32 = 25
    }

    /// The ICU UScriptCode of a code point.
    public static func script(of scalar: UInt32) -> Int32 {
        kl_icu_script(scalar)
    }

    /// The ICU general category (UCharCategory) of a code point.
    public static func category(of scalar: UInt32) -> Int32 {
        kl_icu_char_category(scalar)
    }
}
