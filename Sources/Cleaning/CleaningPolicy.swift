import Foundation
import Corpus

/// Every threshold of `ko-llama clean`, loadable from a JSON file (`--policy`); keys left out
/// keep their defaults. The policy in force is written into the manifest of each run.
/// Quality defaults follow Gopher's rules (Rae et al. 2021, as in datatrove's GopherRepetition
/// and GopherQuality filters), with whitespace units read as Korean eojeol.
public struct CleaningPolicy: Codable, Sendable, Equatable {
    /// Minimum share of Hangul among letters.
    public var minHangulShare = 0.5
    /// Minimum characters (Unicode scalars, whitespace included) after normalization.
    public var minCharacters = 100
    /// Minimum paragraphs (blocks separated by a blank line).
    public var minParagraphs = 1
    /// Maximum share of lines that repeat another line of the document (Gopher 0.30).
    public var maxDuplicateLineFraction = 0.30
    /// Maximum share of characters in repeated lines (Gopher 0.20).
    public var maxDuplicateLineCharacterFraction = 0.20
    /// Maximum share of paragraphs that repeat another paragraph (Gopher 0.30).
    public var maxDuplicateParagraphFraction = 0.30
    /// Maximum share of characters in repeated paragraphs (Gopher 0.20).
    public var maxDuplicateParagraphCharacterFraction = 0.20
    /// Maximum share of eojeol characters covered by the most frequent 2-, 3-, 4-gram of eojeol
    /// (Gopher 0.20, 0.18, 0.16).
    public var maxTopNGramCharacterFraction: [Double] = [0.20, 0.18, 0.16]
    /// Maximum share of digits, punctuation and symbols among non-space characters.
    public var maxSymbolDigitRatio = 0.35
    /// Maximum markup leftovers (`<div`, `&nbsp;`, `{{`, ...) per 1,000 characters.
    public var maxMarkupPerThousandCharacters = 2.0
    /// Maximum share of characters inside URLs.
    public var maxURLCharacterFraction = 0.10
    /// Longest line allowed, in characters.
    public var maxLineCharacters = 10_000
    /// A short line (at most `boilerplateLineMaxCharacters`) found in at least this many kept
    /// documents of one source in a run is boilerplate and removed from them; 0 turns it off.
    public var boilerplateLineMinDocuments = 5
    public var boilerplateLineMaxCharacters = 200
    /// Mojibake score above which a document is rejected: (U+FFFD + characters in Latin-1/CP1252
    /// mojibake pairs such as `Ã©`, `ì•`) per non-space character.
    public var maxMojibakeRatio = 0.01

    /// MinHash permutations; must equal `bands * rows`.
    public var minHashPermutations = 128
    public var minHashBands = 16
    public var minHashRows = 8
    /// Characters per shingle.
    public var shingleCharacters = 5
    /// Estimated Jaccard similarity at or above which a candidate is a near duplicate.
    public var nearDuplicateThreshold = 0.8
    /// Seed of the MinHash permutations (persisted with the index; changing it needs a rebuild).
    public var minHashSeed: UInt64 = 0x6B6F_6C6C_616D_6121

    /// Share of the id-hash space for the validation split (the rest of train/valid is train).
    public var validFraction = 0.1
    /// Share of the id-hash space whose documents are test candidates (0.1: the test split is
    /// full once about `testDocuments / testHashFraction` = 2,300 documents have been added).
    public var testHashFraction = 0.1
    /// Size of the test split (the paper's 230 held-out articles); candidates beyond it go to
    /// train/valid.
    public var testDocuments = 230
    /// Keep documents with a rights reservation out of the splits unless the site says otherwise.
    public var excludeReservedByDefault = true
    /// Documents per output shard before a new one is started.
    public var documentsPerShard = 50_000

    public init() {}

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.minHangulShare, &minHangulShare)
        try take(.minCharacters, &minCharacters)
        try take(.minParagraphs, &minParagraphs)
        try take(.maxDuplicateLineFraction, &maxDuplicateLineFraction)
        try take(.maxDuplicateLineCharacterFraction, &maxDuplicateLineCharacterFraction)
        try take(.maxDuplicateParagraphFraction, &maxDuplicateParagraphFraction)
        try take(.maxDuplicateParagraphCharacterFraction, &maxDuplicateParagraphCharacterFraction)
        try take(.maxTopNGramCharacterFraction, &maxTopNGramCharacterFraction)
        try take(.maxSymbolDigitRatio, &maxSymbolDigitRatio)
        try take(.maxMarkupPerThousandCharacters, &maxMarkupPerThousandCharacters)
        try take(.maxURLCharacterFraction, &maxURLCharacterFraction)
        try take(.maxLineCharacters, &maxLineCharacters)
        try take(.maxMojibakeRatio, &maxMojibakeRatio)
        try take(.boilerplateLineMinDocuments, &boilerplateLineMinDocuments)
        try take(.boilerplateLineMaxCharacters, &boilerplateLineMaxCharacters)
        try take(.minHashPermutations, &minHashPermutations)
        try take(.minHashBands, &minHashBands)
        try take(.minHashRows, &minHashRows)
        try take(.shingleCharacters, &shingleCharacters)
        try take(.nearDuplicateThreshold, &nearDuplicateThreshold)
        try take(.minHashSeed, &minHashSeed)
        try take(.validFraction, &validFraction)
        try take(.testHashFraction, &testHashFraction)
        try take(.testDocuments, &testDocuments)
        try take(.excludeReservedByDefault, &excludeReservedByDefault)
        try take(.documentsPerShard, &documentsPerShard)
        try validate(path: "policy")
    }

    /// Rejects inconsistent settings with a message naming the file.
    public func validate(path: String) throws {
        func fail(_ detail: String) -> CleaningError { .invalidPolicy(path: path, detail: detail) }
        if minHashBands * minHashRows != minHashPermutations { throw fail("minHashBands * minHashRows must equal minHashPermutations") }
        if minHashPermutations < 1 || shingleCharacters < 1 { throw fail("minHashPermutations and shingleCharacters must be positive") }
        if maxTopNGramCharacterFraction.count != 3 { throw fail("maxTopNGramCharacterFraction needs 3 values (2-, 3-, 4-grams)") }
        if !(0...1).contains(validFraction) || !(0...1).contains(testHashFraction) { throw fail("split fractions must be in 0...1") }
        if documentsPerShard < 1 { throw fail("documentsPerShard must be positive") }
    }

    /// Loads a policy file; keys left out keep their defaults.
    public static func load(path: String) throws -> CleaningPolicy {
        let bytes = try FileSystem.readAll(path)
        do {
            return try JSONDecoder().decode(CleaningPolicy.self, from: Data(bytes))
        } catch let error as CleaningError {
            if case let .invalidPolicy(_, detail) = error { throw CleaningError.invalidPolicy(path: path, detail: detail) }
            throw error
        } catch {
            throw CleaningError.invalidPolicy(path: path, detail: "\(error)")
        }
    }
}
