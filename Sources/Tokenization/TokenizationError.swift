/// Errors from loading a tokenizer or encoding/decoding with it. Each names the model file
/// or the input position it concerns.
public enum TokenizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model is valid SentencePiece but uses something this encoder does not implement.
    case unsupportedModel(path: String, detail: String)
    /// The model's contents contradict themselves (bad charsmap, missing byte pieces, ...).
    case invalidModel(path: String, detail: String)
    /// Input text that is not valid UTF-8; `line` is 1-based when the text came from a line list.
    case invalidUTF8(line: Int?, byteOffset: Int)
    /// An id outside the vocabulary given to `decode`.
    case idOutOfRange(id: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .unsupportedModel(path, detail): return "\(path): unsupported model: \(detail)"
        case let .invalidModel(path, detail): return "\(path): invalid model: \(detail)"
        case let .invalidUTF8(line, offset):
            let at = line.map { "line \($0), " } ?? ""
            return "invalid UTF-8 at \(at)byte \(offset) of the line"
        case let .idOutOfRange(id, size): return "token id \(id) is outside the vocabulary (0..<\(size))"
        }
    }
}

/// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), as sentencepiece's
/// `IsValidDecodeUTF8` judges a character.
enum UTF8Scanner {
    /// The length of the valid character at `p` (at most `count` bytes available), or 0 when
    /// the bytes there are not a valid UTF-8 character.
    @inline(__always)
    static func characterLength(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let b0 = p[0]
        if b0 < 0x80 { return 1 }
        if b0 < 0xC2 { return 0 }
        if b0 < 0xE0 {
            return count >= 2 && p[1] & 0xC0 == 0x80 ? 2 : 0
        }
        if b0 < 0xF0 {
            guard count >= 3, p[1] & 0xC0 == 0x80, p[2] & 0xC0 == 0x80 else { return 0 }
            if b0 == 0xE0 && p[1] < 0xA0 { return 0 }
            if b0 == 0xED && p[1] >= 0xA0 { return 0 }
            return 3
        }
        if b0 < 0xF5 {
            guard count >= 4, p[1] & 0xC0 == 0x80, p[2] & 0xC0 == 0x80, p[3] & 0xC0 == 0x80 else { return 0 }
            if b0 == 0xF0 && p[1] < 0x90 { return 0 }
            if b0 == 0xF4 && p[1] >= 0x90 { return 0 }
            return 4
        }
        return 0
    }

    /// The offset of the first byte that does not start a valid character, or nil.
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        let n = bytes.count
        while i < n {
            if base[i] < 0x80 {
                i += 1
                continue
            }
            let len = characterLength(base + i, n - i)
            if len == 0 { return i }
            i += len
        }
        return nil
    }
}
