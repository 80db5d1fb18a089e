import Corpus
import Foundation

/// Numbers that describe a vocabulary merge (written as `merge-report.json` beside the merged
/// model): sizes, Hangul coverage, and tokenization statistics on held-out text before and after.
/// The same report for both families; "byte tokens" are byte-fallback pieces for SentencePiece
/// and, for byte-level BPE, tokens that are one byte of a multi-byte character.
public struct MergeReport: Sendable {
    public struct TextStatistics: Sendable {
        public var lines = 0
        public var characters = 0
        public var hangulSyllables = 0
        public var tokens = 0
        public var byteTokens = 0
        public var tokensPerCharacter: Double { characters == 0 ? 0 : Double(tokens) / Double(characters) }
        public var tokensPerHangulSyllable: Double { hangulSyllables == 0 ? 0 : Double(tokens) / Double(hangulSyllables) }
        public var byteFallbackShare: Double { tokens == 0 ? 0 : Double(byteTokens) / Double(tokens) }
    }

    /// `below-base` / `chinese-llama` (SentencePiece) or `hangul-below-base` (byte-level).
    public var policy: String
    public var basePieces: Int
    public var addedModelPieces: Int
    public var mergedPieces: Int
    public var piecesAdded: Int
    public var overlap: Int
    public var skippedByPolicy: Int
    public var skippedSpecial: Int
    /// Appended pieces that BPE with the merged model produces from their own spelling.
    public var reachableAddedPieces: Int
    /// Of the 11,172 precomposed Hangul syllables, how many are single pieces.
    public var hangulSyllablesInBase: Int
    public var hangulSyllablesInMerged: Int
    /// Byte-level merges only: new merge rules, how many are the added model's own pair, and
    /// Hangul tokens that could not be built.
    public var byteLevel: (mergesAdded: Int, mergesAsLearned: Int, skippedUnreachable: Int)?
    public var korean: (base: TextStatistics, merged: TextStatistics)?
    /// Per held-out file of other languages: lines, and lines tokenized identically to the base,
    /// over all lines and over the lines without Hangul.
    public var identical: [(name: String, lines: Int, identical: Int, linesWithoutHangul: Int, identicalWithoutHangul: Int)] = []

    /// Measures `result` against `base`; `korean` and `others` are held-out lines.
    public static func measure(base: SentencePieceModel, addedModel: SentencePieceModel, result: VocabularyMerger.Result,
                               policy: MergeScorePolicy, korean: [[UInt8]]?, others: [(name: String, lines: [[UInt8]])]) throws -> MergeReport {
        let baseP = try SentencePieceProcessor(model: base, path: result.basePath)
        let mergedP = try SentencePieceProcessor(model: result.model, path: "\(result.basePath) merged with \(result.addPath)")
        var reachable = 0
        for a in result.added where mergedP.encodeNormalized(Array(a.piece.utf8)) == [Int32(a.id)] { reachable += 1 }
        func syllableCoverage(_ p: SentencePieceProcessor) -> Int {
            (0xAC00...0xD7A3).reduce(0) { n, v in n + (p.id(of: String(UnicodeScalar(UInt32(v))!)) != nil ? 1 : 0) }
        }
        var report = MergeReport(
            policy: policy.rawValue, basePieces: base.pieces.count, addedModelPieces: addedModel.pieces.count,
            mergedPieces: result.model.pieces.count, piecesAdded: result.added.count, overlap: result.overlap,
            skippedByPolicy: result.skippedByPolicy, skippedSpecial: result.skippedSpecial, reachableAddedPieces: reachable,
            hangulSyllablesInBase: syllableCoverage(baseP), hangulSyllablesInMerged: syllableCoverage(mergedP))
        try report.compare(base: baseP, merged: mergedP, isByte: { $0.isByte($1) }, korean: korean, others: others)
        return report
    }

    /// Measures a byte-level merge: `base` and `addedModel` are the two tokenizer.json files.
    public static func measure(byteLevel result: ByteLevelVocabularyMerger.Result, base: HuggingFaceTokenizerFile, addedModel: HuggingFaceTokenizerFile,
                               korean: [[UInt8]]?, others: [(name: String, lines: [[UInt8]])]) throws -> MergeReport {
        let baseT = try ByteLevelBPETokenizer(file: base, path: result.basePath)
        let mergedT = try ByteLevelBPETokenizer(file: result.file, path: "\(result.basePath) merged with \(result.addPath)")
        var reachable = 0
        for a in result.added where mergedT.encodeWord(bytes: Array(mergedT.bytes(of: a.id))) == [Int32(a.id)] { reachable += 1 }
        func syllableCoverage(_ t: ByteLevelBPETokenizer) -> Int {
            (0xAC00...0xD7A3).reduce(0) { n, v in n + (t.id(of: ByteLevelAlphabet.token(of: String(UnicodeScalar(UInt32(v))!).utf8)) != nil ? 1 : 0) }
        }
        var report = MergeReport(
            policy: "hangul-below-base", basePieces: base.vocabulary.count, addedModelPieces: addedModel.vocabulary.count,
            mergedPieces: result.file.vocabulary.count, piecesAdded: result.added.count, overlap: result.overlap,
            skippedByPolicy: result.skippedByPolicy, skippedSpecial: result.skippedSpecial, reachableAddedPieces: reachable,
            hangulSyllablesInBase: syllableCoverage(baseT), hangulSyllablesInMerged: syllableCoverage(mergedT))
        report.byteLevel = (result.file.merges.count - base.merges.count, result.mergesAsLearned, result.skippedUnreachable)
        func isByte(_ t: ByteLevelBPETokenizer, _ id: Int32) -> Bool {
            let b = t.bytes(of: Int(id))
            return b.count == 1 && b.first! >= 0x80
        }
        try report.compare(base: baseT, merged: mergedT, isByte: isByte, korean: korean, others: others)
        return report
    }

    /// Fills the held-out figures: Korean statistics before and after, and lines identical to the base.
    private mutating func compare<T: TextTokenizer>(base: T, merged: T, isByte: (T, Int32) -> Bool, korean: [[UInt8]]?,
                                                    others: [(name: String, lines: [[UInt8]])]) throws {
        if let korean {
            self.korean = (try Self.statistics(base, korean, isByte), try Self.statistics(merged, korean, isByte))
        }
        for (name, lines) in others {
            let a = try base.encode(lines: lines, threads: 2), b = try merged.encode(lines: lines, threads: 2)
            let noHangul = lines.indices.filter { !VocabularyMerger.containsHangul(String(decoding: lines[$0], as: UTF8.self)) }
            identical.append((name, lines.count, zip(a, b).filter { $0 == $1 }.count,
                              noHangul.count, noHangul.filter { a[$0] == b[$0] }.count))
        }
    }

    private static func statistics<T: TextTokenizer>(_ p: T, _ lines: [[UInt8]], _ isByte: (T, Int32) -> Bool) throws -> TextStatistics {
        var s = TextStatistics()
        let encoded = try p.encode(lines: lines, threads: 2)
        for (line, ids) in zip(lines, encoded) {
            s.lines += 1
            for scalar in String(decoding: line, as: UTF8.self).unicodeScalars {
                s.characters += 1
                if (0xAC00...0xD7A3).contains(scalar.value) { s.hangulSyllables += 1 }
            }
            s.tokens += ids.count
            s.byteTokens += ids.filter { isByte(p, $0) }.count
        }
        return s
    }

    /// The report as JSON (keys in a fixed order).
    public func json() -> String {
        func stats(_ s: TextStatistics) -> String {
            String(format: "{\"lines\": %d, \"characters\": %d, \"hangul_syllables\": %d, \"tokens\": %d, \"byte_tokens\": %d, \"tokens_per_character\": %.4f, \"tokens_per_hangul_syllable\": %.4f, \"byte_fallback_share\": %.4f}",
                   s.lines, s.characters, s.hangulSyllables, s.tokens, s.byteTokens, s.tokensPerCharacter, s.tokensPerHangulSyllable, s.byteFallbackShare)
        }
        var out = "{\n"
        out += "  \"policy\": \"\(policy)\",\n"
        out += "  \"base_pieces\": \(basePieces),\n  \"added_model_pieces\": \(addedModelPieces),\n"
        out += "  \"merged_pieces\": \(mergedPieces),\n  \"pieces_added\": \(piecesAdded),\n  \"overlap\": \(overlap),\n"
        out += "  \"skipped_by_policy\": \(skippedByPolicy),\n  \"skipped_special\": \(skippedSpecial),\n"
        out += "  \"reachable_added_pieces\": \(reachableAddedPieces),\n"
        out += "  \"hangul_syllables_in_base\": \(hangulSyllablesInBase),\n  \"hangul_syllables_in_merged\": \(hangulSyllablesInMerged)"
        if let byteLevel {
            out += ",\n  \"merges_added\": \(byteLevel.mergesAdded),\n  \"merges_as_learned\": \(byteLevel.mergesAsLearned),\n  \"skipped_unreachable\": \(byteLevel.skippedUnreachable)"
        }
        if let korean {
            out += ",\n  \"korean_heldout\": {\"base\": \(stats(korean.base)), \"merged\": \(stats(korean.merged))}"
        }
        if !identical.isEmpty {
            out += ",\n  \"identical_to_base\": {"
            func percent(_ a: Int, _ n: Int) -> String { String(format: "%.2f", n == 0 ? 100 : 100 * Double(a) / Double(n)) }
            out += identical.map {
                "\(JSONString.literal($0.name)): {\"lines\": \($0.lines), \"identical\": \($0.identical), \"percent\": \(percent($0.identical, $0.lines)), "
                    + "\"lines_without_hangul\": \($0.linesWithoutHangul), \"identical_without_hangul\": \($0.identicalWithoutHangul), \"percent_without_hangul\": \(percent($0.identicalWithoutHangul, $0.linesWithoutHangul))}"
            }.joined(separator: ",\n    ")
            out += "}"
        }
        return out + "\n}\n"
    }
}
