/// Why a document did not reach the splits; each reason is counted in the manifest.
public enum FilterReason: String, Codable, Sendable, CaseIterable, Comparable {
    case mojibake
    case tooShort = "too_short"
    case tooFewParagraphs = "too_few_paragraphs"
    case lowHangulShare = "low_hangul_share"
    case symbolDigitRatio = "symbol_digit_ratio"
    case markup
    case urlDensity = "url_density"
    case longLine = "long_line"
    case duplicateLines = "duplicate_lines"
    case duplicateParagraphs = "duplicate_paragraphs"
    case repeatedNGrams = "repeated_ngrams"
    case boilerplate
    case exactDuplicate = "exact_duplicate"
    case nearDuplicate = "near_duplicate"
    case alreadyInCorpus = "already_in_corpus"
    case rightsReserved = "rights_reserved"

    public static func < (a: FilterReason, b: FilterReason) -> Bool { a.rawValue < b.rawValue }
}
