import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// Encoder/decoder parity with the `sentencepiece` Python package on the committed fixtures.
final class SentencePieceProcessorTests: XCTestCase {
    private func assertParity(model path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let processor = try SentencePieceProcessor(path: path)
        let lines = try TokenizerFixtures.lines()
        let ours = try processor.encode(lines: lines, threads: 2)
        let theirs = try TokenizerFixtures.sentencepieceIds(model: path)
        XCTAssertEqual(ours.count, theirs.count, file: file, line: line)
        var mismatches = 0
        for (i, (a, b)) in zip(ours, theirs).enumerated() where a != b {
            mismatches += 1
            if mismatches <= 3 { XCTFail("line \(i + 1): ours \(a.prefix(20)) vs sentencepiece \(b.prefix(20))", file: file, line: line) }
        }
        XCTAssertEqual(mismatches, 0, "\(path)", file: file, line: line)
        // Decoding: the same text as sentencepiece's DecodeIds for every line.
        let decoded = try ours.map { try processor.decode($0) }
        XCTAssertEqual(decoded, try TokenizerFixtures.sentencepieceDecode(model: path, ids: ours), file: file, line: line)
    }

    func testMistralV1MatchesSentencepieceOnFixtures() throws {
        let model = try TokenizerFixtures.mistralModel()
        try assertParity(model: model)
        // Round trip: the identity normalizer with byte fallback gives back every line exactly,
        // except a literal `▁`, which sentencepiece (and so this decoder) turns into a space.
        let processor = try SentencePieceProcessor(path: model)
        var checked = 0
        for line in try TokenizerFixtures.lines() {
            let text = String(decoding: line, as: UTF8.self)
            if text.unicodeScalars.contains("\u{2581}") {
                XCTAssertEqual(try processor.decode(processor.encode(text)), text.replacingOccurrences(of: "\u{2581}", with: " "))
                continue
            }
            XCTAssertEqual(try processor.decode(processor.encode(text)), text)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 150)
    }

    func testKoreanNFKCModelWithUserSymbolsMatchesSentencepiece() throws {
        let dir = try TemporaryDirectory()
        // nmt_nfkc (precompiled charsmap, extra-whitespace removal), user-defined symbols, no byte
        // fallback (runs of unknown characters become one <unk>).
        let model = try TokenizerFixtures.trainKoreanModel(in: dir, name: "ko-nfkc", options:
            "vocab_size=1200, character_coverage=0.9995, user_defined_symbols=['<mask>', '대한민국', '▁서울']")
        try assertParity(model: model)
        let processor = try SentencePieceProcessor(path: model)
        let ids = processor.encode("대한민국의 수도는 서울이다 <mask>")
        XCTAssertTrue(ids.contains(processor.id(of: "대한민국")!))
        XCTAssertTrue(ids.contains(processor.id(of: "<mask>")!))
    }

    func testKoreanIdentityByteFallbackModelMatchesSentencepiece() throws {
        let dir = try TemporaryDirectory()
        let model = try TokenizerFixtures.trainKoreanModel(in: dir, name: "ko-bytes", options:
            "vocab_size=1500, character_coverage=0.999, byte_fallback=True, normalization_rule_name='identity', remove_extra_whitespaces=False")
        try assertParity(model: model)
    }

    /// The per-thread segment cache: more distinct segments than it holds (so it starts over)
    /// still encode exactly, and a model with a user symbol spanning the start of a `▁` run
    /// (where segments would be cut) encodes without it, exactly too.
    func testSegmentCacheKeepsParityAcrossEvictionAndStepsAsideForPiecesSpanningASpace() throws {
        let dir = try TemporaryDirectory()
        // 24,000 distinct three-syllable words (more than SegmentCache.maxEntries), each twice,
        // plus a few lines with the spanning symbol and runs of spaces.
        var text = ""
        var words: [String] = []
        for k in 0..<24_000 {
            let syllables = [k % 97, (k / 97) % 113, k / (97 * 113)].map { Character(Unicode.Scalar(0xAC00 + UInt32($0) * 37)!) }
            words.append(String(syllables))
        }
        XCTAssertGreaterThan(24_000, SegmentCache.maxEntries)
        for chunk in stride(from: 0, to: words.count, by: 40) { text += words[chunk..<min(chunk + 40, words.count)].joined(separator: " ") + "\n" }
        for chunk in stride(from: 0, to: words.count, by: 40) { text += words[chunk..<min(chunk + 40, words.count)].joined(separator: " ") + "\n" }
        text += "서울 시 서울  시 서울시   서울 시청\n  대한민국의 수도는 서울 시이다  \n"
        let input = dir.file("segments.txt")
        try AtomicFileWriter.write(text, to: input)
        for (name, options) in [("ko-cache", "vocab_size=1500, character_coverage=0.999, byte_fallback=True"),
                                ("ko-span", "vocab_size=1500, character_coverage=0.999, byte_fallback=True, remove_extra_whitespaces=False, user_defined_symbols=['서울▁시']")] {
            let model = try TokenizerFixtures.trainKoreanModel(in: dir, name: name, options: options)
            let processor = try SentencePieceProcessor(path: model)
            let ours = try processor.encode(lines: try TokenizerFixtures.lines([input]), threads: 1)
            let theirs = try TokenizerFixtures.sentencepieceIds(model: model, files: [input])
            XCTAssertEqual(ours.count, theirs.count, name)
            let mismatches = zip(ours, theirs).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(name): \(mismatches) lines differ from sentencepiece")
        }
    }

    func testWhitespaceAsSuffixModelMatchesSentencepiece() throws {
        let dir = try TemporaryDirectory()
        let model = try TokenizerFixtures.trainKoreanModel(in: dir, name: "ko-suffix", options:
            "vocab_size=1500, character_coverage=0.999, treat_whitespace_as_suffix=True, byte_fallback=True")
        try assertParity(model: model)
    }

    /// UNUSED pieces are resegmented into the pair that formed them, and equal scores merge the
    /// leftmost pair first: a hand-built model checked against sentencepiece.
    func testUnusedPiecesAndTieBreakMatchSentencepiece() throws {
        var proto = Sentencepiece_ModelProto()
        proto.trainerSpec.modelType = .bpe
        proto.normalizerSpec.name = "identity"
        proto.normalizerSpec.addDummyPrefix = true
        proto.normalizerSpec.removeExtraWhitespaces = false
        let spec: [(String, Sentencepiece_ModelProto.SentencePiece.TypeEnum, Float)] = [
            ("<unk>", .unknown, 0), ("<s>", .control, 0), ("</s>", .control, 0),
            ("ab", .normal, -1), ("bc", .normal, -1), ("abc", .unused, -2), ("▁a", .normal, -3), ("cd", .normal, -1),
            ("▁ab", .normal, -4), ("▁abc", .normal, -5),
            ("▁", .normal, -10), ("a", .normal, -10), ("b", .normal, -10), ("c", .normal, -10), ("d", .normal, -10),
        ]
        for (piece, type, score) in spec {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = piece
            p.type = type
            p.score = score
            proto.pieces.append(p)
        }
        let dir = try TemporaryDirectory()
        let path = dir.file("tiny.model")
        try SentencePieceModel(proto: proto).save(path: path)
        let texts = ["abc", "abcd", "bcab", "abcabc", "x abc y", "cdcd", "aabbcc dab", "ab  bc"]
        try AtomicFileWriter.write(texts.joined(separator: "\n") + "\n", to: dir.file("tiny.txt"))
        let processor = try SentencePieceProcessor(path: path)
        XCTAssertEqual(texts.map { processor.encode($0) }, try TokenizerFixtures.sentencepieceIds(model: path, files: [dir.file("tiny.txt")]))
    }

    func testBatchEncodingIsDeterministicAndOrdered() throws {
        let processor = try SentencePieceProcessor(path: try TokenizerFixtures.mistralModel())
        let lines = try TokenizerFixtures.lines()
        let sequential = try lines.map { try processor.encode(bytes: $0) }
        XCTAssertEqual(try processor.encode(lines: lines, threads: 2), sequential)
        XCTAssertEqual(try processor.encode(lines: lines, threads: 1), sequential)
        XCTAssertEqual(try processor.encode(lines: [], threads: 2), [])
    }

    func testInvalidUTF8NamesTheLine() throws {
        let processor = try SentencePieceProcessor(path: try TokenizerFixtures.mistralModel())
        let lines: [[UInt8]] = [Array("좋은 아침".utf8), Array("fine".utf8), [0x61, 0x62, 0xED, 0xA0, 0x80], [0xC3]]
        XCTAssertThrowsError(try processor.encode(lines: lines)) { error in
            XCTAssertEqual(error as? TokenizationError, .invalidUTF8(line: 3, byteOffset: 2))
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
        XCTAssertThrowsError(try processor.encode(bytes: [0x41, 0xFF])) { error in
            XCTAssertEqual(error as? TokenizationError, .invalidUTF8(line: nil, byteOffset: 1))
        }
        XCTAssertThrowsError(try processor.decode([40_000])) { error in
            XCTAssertEqual(error as? TokenizationError, .idOutOfRange(id: 40_000, vocabularySize: 32_000))
        }
    }

    func testUnsupportedAndCorruptModelsGiveClearErrors() throws {
        var proto = Sentencepiece_ModelProto()
        for (piece, type) in [("<unk>", Sentencepiece_ModelProto.SentencePiece.TypeEnum.unknown), ("a", .normal)] {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = piece
            p.type = type
            proto.pieces.append(p)
        }
        proto.trainerSpec.modelType = .unigram
        XCTAssertThrowsError(try SentencePieceProcessor(model: SentencePieceModel(proto: proto), path: "uni.model")) { error in
            XCTAssertTrue("\(error)".contains("uni.model") && "\(error)".contains("UNIGRAM"), "\(error)")
        }
        proto.trainerSpec.modelType = .bpe
        proto.normalizerSpec.precompiledCharsmap = Data([0xFF, 0xFF, 0x00, 0x00, 1, 2, 3])
        XCTAssertThrowsError(try SentencePieceProcessor(model: SentencePieceModel(proto: proto), path: "bad.model")) { error in
            XCTAssertTrue("\(error)".contains("bad.model") && "\(error)".contains("precompiled_charsmap"), "\(error)")
        }
    }
}
