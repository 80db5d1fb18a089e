import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// `ko-llama tokenizer encode` on a byte-level tokenizer.json, and a seeded mutation fuzz of the
/// tokenizer.json parser and the tokenizer built from it.
final class ByteLevelCommandAndFuzzTests: XCTestCase {
    func testEncodeCommandWritesTheLibraryIdsAndPieces() throws {
        let dir = try TemporaryDirectory("encode-json")
        let model = TokenizerFixtures.directory + "/llama3-style-tokenizer.json"
        let tokenizer = try ByteLevelBPETokenizer(path: model)
        let lines = try TokenizerFixtures.lines()
        let input = dir.file("in.txt")
        try AtomicFileWriter.write(lines.flatMap { $0 + [0x0A] }, to: input)
        let ids = try KoLlamaExecutable.run(["tokenizer", "encode", "--model", model, "--input", input], stdout: dir.file("ids.txt"))
        XCTAssertEqual(ids.status, 0, ids.stderr)
        let expected = try tokenizer.encode(lines: lines, threads: 1)
        XCTAssertEqual(TokenizerFixtures.parseIdLines(try String(contentsOfFile: dir.file("ids.txt"), encoding: .utf8)), expected)

        let pieces = try KoLlamaExecutable.run(["tokenizer", "encode", "--model", model, "--input", input, "--format", "pieces", "--threads", "1"],
                                               stdout: dir.file("pieces.txt"))
        XCTAssertEqual(pieces.status, 0, pieces.stderr)
        let pieceLines = try String(contentsOfFile: dir.file("pieces.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(pieceLines.map(String.init), expected.map { $0.map { tokenizer.piece(Int($0)) }.joined(separator: " ") })

        // A non-UTF-8 line is an error naming the file and line.
        try AtomicFileWriter.write(Array("ok\n".utf8) + [0x61, 0xFF, 0x0A], to: dir.file("bad.txt"))
        let bad = try KoLlamaExecutable.run(["tokenizer", "encode", "--model", model, "--input", dir.file("bad.txt")])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains(dir.file("bad.txt") + ":2: invalid UTF-8 at byte 1"), bad.stderr)
    }

    /// A small valid tokenizer.json exercising every parsed field: added tokens of each kind, a
    /// Sequence of Split (LLaMA-3 regex), Digits and ByteLevel, merges in both spellings.
    static let small = #"""
    {"version": "1.0", "truncation": null, "padding": null,
     "added_tokens": [{"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                      {"id": 9, "content": " x", "single_word": true, "lstrip": true, "rstrip": true, "normalized": true, "special": false}],
     "normalizer": {"type": "NFC"},
     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false},
        {"type": "Digits", "individual_digits": true},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
     "post_processor": null, "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
     "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
               "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
               "vocab": {"<s>": 0, "a": 1, "b": 2, "Ġ": 3, "ab": 4, "Ġa": 5, "Ġab": 6, "1": 7, "ì": 8, " x": 9},
               "merges": [["a", "b"], "Ġ a", ["Ġa", "b"]]}}
    """#

    /// Thousands of seeded mutations of `small`: each either loads, encodes and decodes in
    /// bounds, or is a typed error naming the file; the process never traps.
    func testMutatedTokenizerFilesAreTypedErrorsNeverCrashes() throws {
        let original = Array(Self.small.utf8)
        XCTAssertNoThrow(try ByteLevelBPETokenizer(file: HuggingFaceTokenizerFile.parse(Data(original), path: "t.json"), path: "t.json"))
        var random = SplitMix64(seed: 12)
        let significant = Array("{}[]\",:0123456789-.eE\\ntfu ".utf8)
        let fragments = [#""type""#, #"""#, "-1", "99999999", "1e309", "null", "[]", "{}", #""Ġab""#, #""\ud800""#, #"\p{L}"#, "(?!", "true"].map { Array($0.utf8) }
        var loaded = 0, rejected = 0
        let mutations = 20_000
        for _ in 0..<mutations {
            var bytes = original
            for _ in 0..<(1 + random.next() % 3) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 5 {
                case 0: bytes[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                case 1: bytes[at] = significant[Int(random.next() % UInt64(significant.count))]
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.next() % 12)))
                case 3: bytes.insert(contentsOf: fragments[Int(random.next() % UInt64(fragments.count))], at: at)
                default:  // duplicate a span elsewhere
                    let length = 1 + Int(random.next() % 40), from = Int(random.next() % UInt64(bytes.count))
                    bytes.insert(contentsOf: bytes[from..<min(bytes.count, from + length)], at: at)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            do {
                let tokenizer = try ByteLevelBPETokenizer(file: HuggingFaceTokenizerFile.parse(Data(bytes), path: "t.json"), path: "t.json")
                for text in ["ab ab 123 x", "<s>한국 x\n\n  ab's", "", "ì"] {
                    let ids = tokenizer.encode(text)
                    XCTAssertTrue(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
                    _ = try tokenizer.decode(ids)
                }
                XCTAssertThrowsError(try tokenizer.decode([Int32(tokenizer.vocabularySize)]))
                loaded += 1
            } catch let error as TokenizationError {
                XCTAssertTrue("\(error)".hasPrefix("t.json: "), "\(error)")
                rejected += 1
            }
        }
        XCTAssertEqual(loaded + rejected, mutations)
        XCTAssertGreaterThan(rejected, mutations / 2)
        XCTAssertGreaterThan(loaded, 50, "some mutations leave a loadable file (spaces, flags, merges)")
        print("tokenizer.json fuzz: \(mutations) mutations, \(loaded) loaded, \(rejected) typed errors, 0 crashes")
    }
}
