/// JSON string literals written by hand (safetensors headers, config.json, tokenizer.json, merge
/// reports: files whose key order or token spellings a Swift encoder would not keep), escaped as
/// serde_json escapes them, which is what safetensors and tokenizers write: quote, backslash and
/// control characters only; everything else, Hangul included, as UTF-8.
public enum JSONString {
    public static func literal(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 0xF, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
