import Foundation
import XCTest
import Modeling
import TestSupport

/// The byte-level BPE export against transformers' GGUF tokenizer conversion.
final class GGUFTokenizerExportTests: XCTestCase {
    static let texts = [
        "Hello world! It's the model's turn; they're done, we'll see.",
        "안녕하세요. 한국어 문장을 토큰으로 나눕니다. 서울은 한국의 수도입니다.",
        "Mixed 한국어 and English, 12345 numbers 3.14159 and   spaces\n\nnew lines\ttabs",
        "<|im_start|>user\n안녕 <think> hi<|im_end|>\n<|im_start|>assistant\n",
        "emoji 🙂 and accents: café naïve Ångström",
    ]

    /// Writes our folder for `path`, then in Python compares it with transformers' conversion of the
    /// same file: the whole `tokenizer.json` (vocab, merges, added tokens, pre-tokenizer, template,
    /// decoder), the ids `tokenizers` and `AutoTokenizer` give on `texts`, special tokens and the chat
    /// template.
    private func assertMatchesTransformers(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try PythonPeer.require("transformers", "tokenizers", "gguf")
        let ours = try TemporaryDirectory("gguf-tokenizer")
        try GGUFTokenizerExport.write(GGUFTokenizerExport.files(GGUFFile(path: path)), to: ours.path)
        let reference = try TemporaryDirectory("hf-tokenizer")
        let texts = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts), as: UTF8.self)
        let report = try PythonPeer.run("""
        import json, os, sys
        from tokenizers import Tokenizer
        from transformers import AutoTokenizer
        path, ours, ref_dir, texts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        ref = AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
        ref.save_pretrained(ref_dir)
        a = json.load(open(os.path.join(ours, "tokenizer.json"), encoding="utf-8"))
        b = json.load(open(os.path.join(ref_dir, "tokenizer.json"), encoding="utf-8"))
        problems = []
        for key in sorted(set(a) | set(b)):
            if key == "model":
                for sub in sorted(set(a[key]) | set(b[key])):
                    if a[key].get(sub) != b[key].get(sub):
                        problems.append(f"tokenizer.json model.{sub} differs")
            elif a.get(key) != b.get(key):
                problems.append(f"tokenizer.json {key}: ours {json.dumps(a.get(key))[:300]} theirs {json.dumps(b.get(key))[:300]}")
        raw = Tokenizer.from_file(os.path.join(ours, "tokenizer.json"))
        mine = AutoTokenizer.from_pretrained(ours)
        for text in texts:
            want = ref(text)["input_ids"]
            for who, got in (("tokenizers", raw.encode(text).ids), ("AutoTokenizer", mine(text)["input_ids"])):
                if got != want:
                    problems.append(f"{who} ids for {text!r}: {got} != {want}")
            if mine.decode(want) != ref.decode(want):
                problems.append(f"decode of {text!r} differs")
        for attr in ("bos_token", "eos_token", "pad_token", "unk_token", "chat_template"):
            if getattr(mine, attr) != getattr(ref, attr):
                problems.append(f"{attr}: {getattr(mine, attr)!r} != {getattr(ref, attr)!r}")
        print("\\n".join(problems) if problems else f"same on {len(texts)} texts")
        """, [path, ours.path, reference.path, texts])
        XCTAssertEqual(report.trimmingCharacters(in: .newlines), "same on \(Self.texts.count) texts", file: file, line: line)
    }

    /// `llama-bpe` (LLaMA-3's Split regex) with a BOS template, CONTROL and USER_DEFINED tokens.
    func testLlamaBPEFixtureMatchesTransformers() throws { try assertMatchesTransformers(GGUFFileTests.tinyLlama) }

    func testQwen2FixtureMatchesTransformers() throws {
        try assertMatchesTransformers(GGUFFileTests.fixtures + "/tokenizer-qwen2.gguf")
    }

    func testGPT2FixtureMatchesTransformers() throws {
        try assertMatchesTransformers(GGUFFileTests.fixtures + "/tokenizer-gpt2.gguf")
    }

    /// SmolLM2's real tokenizer (`smollm`, 49,152 tokens, 48,900 merges, ChatML template).
    func testSmolLM2MatchesTransformers() throws { try assertMatchesTransformers(try PythonPeer.smolLM2GGUF()) }

    func testConfigFilesNameTheSpecialTokens() throws {
        let files = Dictionary(uniqueKeysWithValues: try GGUFTokenizerExport.files(GGUFFile(path: GGUFFileTests.tinyLlama)).map { ($0.name, $0.contents) })
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(files["tokenizer_config.json"]).utf8)) as? [String: Any])
        XCTAssertEqual(config["add_bos_token"] as? Bool, true)
        XCTAssertEqual(config["bos_token"] as? String, "<|im_start|>")
        XCTAssertEqual(config["pad_token"] as? String, "<|im_end|>")
        XCTAssertEqual(config["model_max_length"] as? Int, 256)
        XCTAssertTrue((config["chat_template"] as? String)?.hasPrefix("{% for message in messages %}") ?? false)
        let map = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(files["special_tokens_map.json"]).utf8)) as? [String: String])
        XCTAssertEqual(map, ["bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>", "unk_token": "<|endoftext|>"])
    }

    func testUnsupportedTokenizersAreErrors() throws {
        func export(_ metadata: [(String, GGUFValue)]) throws {
            _ = try GGUFTokenizerExport.files(GGUFFile(bytes: GGUFBytes(metadata: metadata).bytes, path: "t.gguf"))
        }
        XCTAssertThrowsError(try export([("tokenizer.ggml.model", .string("llama"))])) { error in
            XCTAssertEqual(error as? GGUFError, .unsupported(path: "t.gguf", detail: "tokenizer.ggml.model 'llama' is SentencePiece, not byte-level BPE: read it with sentencePieceVocabulary"))
        }
        let base: [(String, GGUFValue)] = [("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .array(.string(["a", "b", "ab"]))),
                                           ("tokenizer.ggml.merges", .array(.string(["a b"])))]
        XCTAssertNoThrow(try export(base))
        XCTAssertThrowsError(try export(base + [("tokenizer.ggml.pre", .string("deepseek-coder"))])) { error in
            guard case let .unsupported(_, detail)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.hasPrefix("tokenizer.ggml.pre 'deepseek-coder'"), detail)
        }
        XCTAssertThrowsError(try export(base + [("tokenizer.ggml.bos_token_id", .uint32(3))])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.bos_token_id", detail: "id 3 is outside the vocabulary (0..<3)"))
        }
        XCTAssertThrowsError(try export([base[0], base[1], ("tokenizer.ggml.merges", .array(.string(["a b c"])))])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.merges", detail: "merge 0 'a b c' is not two tokens separated by one space"))
        }
    }

    /// `sentencePieceVocabulary` on hand-made SentencePiece metadata: what it reads, its defaults,
    /// and hostile arrays of the wrong length or ids outside the vocabulary, each naming the key.
    func testSentencePieceVocabularyIsReadAndChecked() throws {
        func read(_ metadata: [(String, GGUFValue)]) throws -> GGUFSentencePieceVocabulary {
            try GGUFTokenizerExport.sentencePieceVocabulary(GGUFFile(bytes: GGUFBytes(metadata: metadata).bytes, path: "t.gguf"))
        }
        let base: [(String, GGUFValue)] = [("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .array(.string(["<unk>", "<s>", "▁a"]))),
                                           ("tokenizer.ggml.scores", .array(.float32([0, 0, -1]))), ("tokenizer.ggml.token_type", .array(.int32([2, 3, 1])))]
        let v = try read(base + [("tokenizer.ggml.bos_token_id", .uint32(1)), ("tokenizer.ggml.add_space_prefix", .bool(false))])
        XCTAssertEqual(v.tokens, ["<unk>", "<s>", "▁a"])
        XCTAssertEqual(v.scores, [0, 0, -1])
        XCTAssertEqual(v.types, [2, 3, 1])
        XCTAssertEqual([v.bosId, v.eosId, v.unkId, v.padId], [1, nil, nil, nil])
        XCTAssertEqual([v.addBos, v.addEos, v.addSpacePrefix], [true, false, false])
        XCTAssertThrowsError(try read([base[0], base[1], base[2], ("tokenizer.ggml.token_type", .array(.int32([2, 3])))])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.token_type", detail: "2 values for 3 tokens"))
        }
        XCTAssertThrowsError(try read([base[0], base[1], ("tokenizer.ggml.scores", .array(.float32([0]))), base[3]])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.scores", detail: "1 values for 3 tokens"))
        }
        XCTAssertThrowsError(try read([base[0], base[1], base[3]])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.scores", detail: "missing"))
        }
        XCTAssertThrowsError(try read(base + [("tokenizer.ggml.eos_token_id", .uint32(7))])) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: "t.gguf", key: "tokenizer.ggml.eos_token_id", detail: "id 7 is outside the vocabulary (0..<3)"))
        }
        XCTAssertThrowsError(try read([("tokenizer.ggml.model", .string("gpt2"))])) { error in
            XCTAssertEqual(error as? GGUFError, .unsupported(path: "t.gguf", detail: "tokenizer.ggml.model 'gpt2' is not SentencePiece (llama)"))
        }
    }
}
