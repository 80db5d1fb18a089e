import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// The byte-level merge: SmolLM2 (from the shipped GGUF) extended with a Korean BPE trained on
/// the committed kowiki text, through the command line; base ids, ranks and added tokens kept,
/// text without Hangul tokenized exactly as by the base, and the output folder loaded by
/// `tokenizers` and transformers' AutoTokenizer with our ids.
final class ByteLevelVocabularyMergerTests: XCTestCase {
    /// Text without Hangul beyond the fixture files: code, digits, markup.
    static let codeAndDigits = [
        "func f(x: Int) -> Int { return x * 2 } // 42", "for i in range(10):\n    print(i ** 2)", "<div class=\"a\">&nbsp;</div>",
        "SELECT id, name FROM users WHERE id = 12345;", "0123456789 3.14159e-10 0xDEADBEEF", "$ ls -la /tmp | grep \"x\" && echo $?",
        "日本語のテキスト、中文文本。", "Привет, мир! Ελληνικά. עברית", "ꀀꀁ ꥠ (Yi, and Jamo Extended-A's neighbours) 㐀",
    ]

    static func textsWithoutHangul() throws -> [String] {
        (try ByteLevelBPETokenizerTests.texts() + codeAndDigits).filter { !$0.unicodeScalars.contains { s in ByteLevelVocabularyMerger.hangulBlocks.contains { $0.contains(s.value) } } }
    }

    /// Trains a Korean byte-level BPE on kowiki-train.txt under `base`'s pipeline, then merges it
    /// into `base` with the ko-llama command line; returns the output folder.
    private func extend(base: String, vocabSize: Int, in dir: TemporaryDirectory) throws -> String {
        let train = try KoLlamaExecutable.run(["tokenizer", "train", "--type", "byte-bpe", "--base", base, "--input", ByteLevelBPETrainerTests.kowiki,
                                               "--vocab-size", String(vocabSize), "--out", dir.file("ko.json"), "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let merge = try KoLlamaExecutable.run(["tokenizer", "merge", "--base", base, "--add", dir.file("ko.json"), "--out", dir.file("merged"),
                                               "--heldout-korean", TokenizerFixtures.directory + "/kowiki-heldout.txt",
                                               "--heldout-other", TokenizerFixtures.directory + "/english.txt", "--quiet"])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        return dir.file("merged")
    }

    /// Base ids, merge ranks and added tokens unchanged; new ids after every base id; text
    /// without Hangul encoded as by the base; new_token_init.jsonl decomposes each new token.
    private func assertExtendsBase(_ base: String, merged: String, file: StaticString = #filePath, line: UInt = #line) throws -> (ByteLevelBPETokenizer, ByteLevelBPETokenizer) {
        let b = try HuggingFaceTokenizerFile.load(path: base), m = try HuggingFaceTokenizerFile.load(path: merged + "/tokenizer.json")
        XCTAssertGreaterThan(m.vocabulary.count, b.vocabulary.count, file: file, line: line)
        XCTAssertEqual(Array(m.vocabulary.prefix(b.vocabulary.count)), b.vocabulary, "base ids", file: file, line: line)
        XCTAssertEqual(Array(m.inModel.prefix(b.vocabulary.count)), b.inModel, file: file, line: line)
        XCTAssertEqual(m.merges.prefix(b.merges.count).map { $0.left + " " + $0.right }, b.merges.map { $0.left + " " + $0.right }, "base merge ranks", file: file, line: line)
        XCTAssertEqual(m.addedTokens, b.addedTokens, file: file, line: line)
        XCTAssertEqual(m.verbatim.map(\.json), b.verbatim.map(\.json), file: file, line: line)

        let baseT = try ByteLevelBPETokenizer(path: base), mergedT = try ByteLevelBPETokenizer(path: merged + "/tokenizer.json")
        let plain = try Self.textsWithoutHangul().map { Array($0.utf8) }
        XCTAssertGreaterThan(plain.count, 60, file: file, line: line)
        let before = try baseT.encode(lines: plain, threads: 2), after = try mergedT.encode(lines: plain, threads: 2)
        let identical = zip(before, after).filter { $0 == $1 }.count
        XCTAssertEqual(identical, plain.count, "text without Hangul must tokenize exactly as with the base (100%)", file: file, line: line)

        let lines = try String(contentsOfFile: merged + "/new_token_init.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, m.vocabulary.count - b.vocabulary.count, file: file, line: line)
        struct Entry: Decodable { var id: Int; var piece: String; var base_ids: [Int32] }
        for (k, text) in lines.enumerated() {
            let e = try JSONDecoder().decode(Entry.self, from: Data(text.utf8))
            XCTAssertEqual(e.id, b.vocabulary.count + k, file: file, line: line)
            XCTAssertEqual(e.piece, m.vocabulary[e.id], file: file, line: line)
            let bytes = ByteLevelAlphabet.bytes(of: e.piece)!
            XCTAssertTrue(ByteLevelVocabularyMerger.impliesHangul(bytes), "\(e.piece) added without Hangul", file: file, line: line)
            XCTAssertEqual(e.base_ids, baseT.encodeWord(bytes: bytes), file: file, line: line)
            XCTAssertEqual(e.base_ids.flatMap { baseT.bytes(of: Int($0)) }, bytes, "base_ids spell the token", file: file, line: line)
            XCTAssertEqual(mergedT.encodeWord(bytes: bytes), [Int32(e.id)], "every new token is reachable from its bytes", file: file, line: line)
        }
        return (baseT, mergedT)
    }

    /// tokenizers and AutoTokenizer load the folder and encode every fixture text with our ids.
    private func assertPeersAgree(_ merged: String, _ mergedT: ByteLevelBPETokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        try PythonPeer.require("tokenizers", "transformers")
        let texts = try ByteLevelBPETokenizerTests.texts() + Self.codeAndDigits
        let ours = try mergedT.encode(lines: texts.map { Array($0.utf8) }, threads: 2)
        let dir = try TemporaryDirectory("merged-peer")
        try JSONEncoder().encode(texts).write(to: URL(fileURLWithPath: dir.file("texts.json")))
        let out = try PythonPeer.run("""
        import json, sys
        from tokenizers import Tokenizer
        from transformers import AutoTokenizer
        texts = json.load(open(sys.argv[2]))
        t = Tokenizer.from_file(sys.argv[1] + '/tokenizer.json')
        a = AutoTokenizer.from_pretrained(sys.argv[1])
        print(json.dumps({'tokenizers': [e.ids for e in t.encode_batch(texts, add_special_tokens=False)],
                          'auto': [a.encode(x, add_special_tokens=False) for x in texts], 'size': len(a)}))
        """, [merged, dir.file("texts.json")])
        struct Peer: Decodable { var tokenizers: [[Int32]]; var auto: [[Int32]]; var size: Int }
        let peer = try JSONDecoder().decode(Peer.self, from: Data(out.utf8))
        XCTAssertEqual(peer.size, mergedT.vocabularySize, file: file, line: line)
        for (name, ids) in [("tokenizers", peer.tokenizers), ("AutoTokenizer", peer.auto)] {
            XCTAssertEqual(ids.count, ours.count, file: file, line: line)
            let differing = zip(ours, ids).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            XCTAssertEqual(differing, [], "\(name) encodes these texts differently: \(differing.prefix(3).map { texts[$0].prefix(40) })", file: file, line: line)
        }
    }

    func testSmolLM2ExtendedWithKoreanBPE() throws {
        let smol = try ByteLevelBPETokenizerTests.smolLM2()
        let dir = try TemporaryDirectory("smollm2-merge")
        let merged = try extend(base: smol.file("tokenizer.json"), vocabSize: 4000, in: dir)
        let (baseT, mergedT) = try assertExtendsBase(smol.file("tokenizer.json"), merged: merged)
        try assertPeersAgree(merged, mergedT)
        XCTAssertEqual(mergedT.bosId, baseT.bosId)
        XCTAssertEqual(mergedT.eosId, baseT.eosId)
        for name in ["tokenizer_config.json", "special_tokens_map.json", "merge-report.json"] { XCTAssertTrue(FileSystem.exists(merged + "/" + name), name) }

        // Fewer tokens per Hangul syllable on held-out Korean (SmolLM2: 2.98).
        struct Report: Decodable {
            struct Side: Decodable { var tokens_per_hangul_syllable: Double }
            struct Korean: Decodable { var base: Side; var merged: Side }
            var korean_heldout: Korean
            var pieces_added: Int
            var reachable_added_pieces: Int
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: merged + "/merge-report.json")))
        XCTAssertEqual(report.korean_heldout.base.tokens_per_hangul_syllable, 2.9779, accuracy: 0.001)
        XCTAssertLessThan(report.korean_heldout.merged.tokens_per_hangul_syllable, 1.2)
        XCTAssertEqual(report.reachable_added_pieces, report.pieces_added)
    }

    /// A base whose added tokens sit after the model vocabulary (as LLaMA-3's): new tokens come
    /// after them, and the added token keeps its id.
    func testNewIdsFollowAddedTokensOutsideTheModelVocabulary() throws {
        let dir = try TemporaryDirectory("llama3-style-merge")
        var base = try HuggingFaceTokenizerFile.load(path: ByteLevelBPETrainerTests.llama3Style)
        let modelSize = base.vocabulary.count
        base.vocabulary.append("<|reserved_special_token_0|>")
        base.inModel.append(false)
        base.addedTokens.append(AddedToken(id: Int32(modelSize), content: "<|reserved_special_token_0|>", special: true))
        try AtomicFileWriter.write(base.json(), to: dir.file("base.json"))
        let merged = try extend(base: dir.file("base.json"), vocabSize: 1500, in: dir)
        let (_, mergedT) = try assertExtendsBase(dir.file("base.json"), merged: merged)
        XCTAssertEqual(mergedT.encode("<|reserved_special_token_0|>한국어"), [Int32(modelSize)] + mergedT.encode("한국어"))
        let base600 = try ByteLevelBPETokenizer(path: ByteLevelBPETrainerTests.llama3Style)
        let korean = try TokenizerFixtures.lines([TokenizerFixtures.directory + "/kowiki-heldout.txt"])
        let before = try base600.encode(lines: korean, threads: 2).joined(), after = try mergedT.encode(lines: korean, threads: 2).joined()
        XCTAssertGreaterThan(after.max()!, Int32(modelSize), "Korean now uses new tokens")
        XCTAssertLessThan(Double(after.count), 0.8 * Double(before.count))
        try assertPeersAgree(merged, mergedT)
    }

    func testHangulImplyingBytes() {
        let cases: [([UInt8], Bool)] = [
            (Array("가".utf8), true), (Array("a한".utf8), true), (Array("abc".utf8), false),
            ([0xEB, 0x8B], true),        // U+B2C0...U+B2FF: syllables only
            ([0x8B, 0xA4], false),       // continuation bytes of 다, 실 and of Yi U+A2E4
            ([0xEA], false),             // EA also starts Yi, Vai, Lisu
            ([0xEA, 0xB0], true), ([0xEA, 0xA5], false), ([0xEA, 0xA5, 0xA0], true),  // U+A960 Jamo Extended-A
            ([0x20, 0xEB], true),        // a space and the start of U+B000...U+BFFF
            ([0xED, 0x9E], true),        // U+D780...U+D7BF, unassigned D7A4...D7AF counted with its block
            ([0xED, 0xA0], false),       // a surrogate: no valid completion
            ([0xE3, 0x84], false),       // U+3100...U+313F: Bopomofo too
            ([0xE3, 0x85], true), ([0xE1, 0x84], true), ([0xE1], false),
            ([0xB0, 0x80, 0xEB], true), ([0xB0, 0x80, 0x20], false), ([0xEB, 0x41], false),
        ]
        for (bytes, expected) in cases {
            XCTAssertEqual(ByteLevelVocabularyMerger.impliesHangul(bytes), expected, bytes.map { String($0, radix: 16) }.joined(separator: " "))
        }
    }

    func testMixedFamiliesAndSentencePieceOptionsAreRejected() throws {
        let dir = try TemporaryDirectory("merge-args")
        let model = dir.file("ko.model")  // the families are compared before anything is read
        let mixed = try KoLlamaExecutable.run(["tokenizer", "merge", "--base", ByteLevelBPETrainerTests.llama3Style, "--add", model, "--out", dir.file("out")])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.stderr.contains("different tokenizer families"), mixed.stderr)
        let policy = try KoLlamaExecutable.run(["tokenizer", "merge", "--base", ByteLevelBPETrainerTests.llama3Style, "--add", ByteLevelBPETrainerTests.llama3Style,
                                                "--out", dir.file("out"), "--score-policy", "chinese-llama"])
        XCTAssertNotEqual(policy.status, 0)
        XCTAssertTrue(policy.stderr.contains("--score-policy applies to SentencePiece models"), policy.stderr)
        XCTAssertFalse(FileSystem.exists(dir.file("out")))
    }
}
