import Foundation

/// Minimal JSON text writing for outputs whose keys are token strings: Swift dictionaries would
/// merge canonically equivalent but distinct pieces, so these files are written by hand.
public enum JSONText {
    /// The JSON string literal for `s` (quotes included), every scalar kept as it is.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
