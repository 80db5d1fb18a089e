/// The quality rules of `CleaningPolicy` applied to `QualitySignals`; the first failing rule is
/// the document's counted reason. Order: encoding damage, size, leftovers (markup, URLs),
/// language, then Gopher-style content and repetition rules (datatrove's GopherQuality/GopherRepetition, eojeol as words).
public struct QualityFilter: Sendable {
    public let policy: CleaningPolicy

    public init(policy: CleaningPolicy) {
        self.policy = policy
    }

    /// The reason to drop a document with these signals, or nil to keep it.
    public func reason(for s: QualitySignals) -> FilterReason? {
        let p = policy
        if s.mojibakeRatio > p.maxMojibakeRatio { return .mojibake }
        if s.characters < p.minCharacters { return .tooShort }
        if s.paragraphs < p.minParagraphs { return .tooFewParagraphs }
        if Double(s.markupHits) * 1000 / Double(max(s.characters, 1)) > p.maxMarkupPerThousandCharacters { return .markup }
        if Double(s.urlCharacters) / Double(max(s.nonSpaceCharacters, 1)) > p.maxURLCharacterFraction { return .urlDensity }
        if s.hangulShare < p.minHangulShare { return .lowHangulShare }
        if s.symbolDigitRatio > p.maxSymbolDigitRatio { return .symbolDigitRatio }
        if s.longestLine > p.maxLineCharacters { return .longLine }
        if s.lines > 0 {
            if Double(s.duplicateLines) / Double(s.lines) > p.maxDuplicateLineFraction { return .duplicateLines }
            if Double(s.duplicateLineCharacters) / Double(max(s.characters, 1)) > p.maxDuplicateLineCharacterFraction { return .duplicateLines }
        }
        if s.paragraphs > 0 {
            if Double(s.duplicateParagraphs) / Double(s.paragraphs) > p.maxDuplicateParagraphFraction { return .duplicateParagraphs }
            if Double(s.duplicateParagraphCharacters) / Double(max(s.characters, 1)) > p.maxDuplicateParagraphCharacterFraction { return .duplicateParagraphs }
        }
        if s.eojeolCharacters > 0 {
            for k in 0..<3 where Double(s.topNGramCharacters[k]) / Double(s.eojeolCharacters) > p.maxTopNGramCharacterFraction[k] {
                return .repeatedNGrams
            }
        }
        return nil
    }
}
