import Corpus
import Foundation

/// The text of a fetched page and how its charset was decided.
public struct DecodedPage: Sendable {
    public var text: String
    /// The ICU converter used, e.g. `utf-8` or `windows-949`.
    public var charset: String
    /// Where the charset came from: `header`, `meta`, `hint`, `detected` or `default`.
    public var charsetSource: String
    /// Byte sequences the converter could not decode (each became U+FFFD).
    public var invalidSequences: Int
}

/// Decides a page's charset the way browsers do (WHATWG "encoding sniffing", simplified): the HTTP
/// `Content-Type` charset, then `<meta charset>` / `http-equiv`, then the site's hint, then ICU's
/// detector. Korean legacy labels (EUC-KR, KS_C_5601-1987, CP949, UHC) decode through ICU's
/// "windows-949", as browsers do: ICU's own "EUC-KR" silently passes undefined bytes (NOTES.md).
public enum CharsetResolver {
    private static let koreanLabels: Set<String> = [
        "euc-kr", "euckr", "cseuckr", "cp949", "ms949", "uhc", "x-windows-949", "windows-949", "ks_c_5601-1987",
        "ks_c_5601-1989", "ks_c_5601", "ksc5601", "ksc_5601", "iso-ir-149", "korean", "x-uhc",
    ]
    private static let metaCharset = try! NSRegularExpression(
        pattern: "<meta[^>]*?charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9_:.\\-]+)", options: [.caseInsensitive])
    private static let headerCharset = try! NSRegularExpression(
        pattern: "charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9_:.\\-]+)", options: [.caseInsensitive])

    /// The ICU converter name for a declared label, or nil when ICU does not know it.
    public static func converterName(for label: String) -> String? {
        let lower = label.trimmingCharacters(in: .whitespaces).lowercased()
        if koreanLabels.contains(lower) { return "windows-949" }
        if lower == "utf8" || lower == "unicode-1-1-utf-8" { return "utf-8" }
        return ICU.isKnownCharset(lower) ? lower : nil
    }

    /// The charset parameter of a `Content-Type` value.
    public static func charsetParameter(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        return firstCapture(headerCharset, in: contentType)
    }

    /// The charset a `<meta>` tag in the first 4 KiB declares.
    public static func metaDeclaration<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        firstCapture(metaCharset, in: String(decoding: bytes.prefix(4096), as: UTF8.self))
    }

    private static func firstCapture(_ regex: NSRegularExpression, in text: String) -> String? {
        let ns = text as NSString
        guard let m = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)),
              m.range(at: 1).location != NSNotFound else { return nil }
        return ns.substring(with: m.range(at: 1))
    }

    /// Decodes `bytes` following the order above. A hinted charset that leaves invalid sequences
    /// gives way to the detector's guess when that guess decodes more cleanly.
    public static func decode(_ bytes: [UInt8], contentType: String?, hint: String?) throws -> DecodedPage {
        let declared: [(String?, String)] = [
            (charsetParameter(contentType), "header"),
            (metaDeclaration(bytes), "meta"),
        ]
        for (label, source) in declared {
            if let label, let name = converterName(for: label) {
                return try decode(bytes, charset: name, source: source)
            }
        }
        var hinted: DecodedPage?
        if let hint, let name = converterName(for: hint) {
            let page = try decode(bytes, charset: name, source: "hint")
            if page.invalidSequences == 0 { return page }
            hinted = page
        }
        // Valid UTF-8 is almost never an accident in Korean text; ICU's detector can still
        // mistake short pages for a legacy charset, so clean UTF-8 is taken before guessing.
        if hinted == nil, String(validating: bytes, as: UTF8.self) != nil {
            return try decode(bytes, charset: "utf-8", source: "detected")
        }
        if let guess = ICU.detectCharset(bytes), let name = converterName(for: guess.name) {
            let page = try decode(bytes, charset: name, source: "detected")
            if hinted == nil || page.invalidSequences < hinted!.invalidSequences { return page }
        }
        return try hinted ?? decode(bytes, charset: "utf-8", source: "default")
    }

    private static func decode(_ bytes: [UInt8], charset: String, source: String) throws -> DecodedPage {
        var (text, invalid) = try ICU.decode(bytes, charset: charset)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return DecodedPage(text: text, charset: charset, charsetSource: source, invalidSequences: invalid)
    }
}
