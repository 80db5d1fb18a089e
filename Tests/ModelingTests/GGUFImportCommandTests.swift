import Foundation
import XCTest
import Modeling
import TestSupport

/// `ko-llama model import` end to end: transformers loads the folder we write, and its logits
/// equal those of transformers' own load of the same GGUF (`from_pretrained(dir, gguf_file=...)`);
/// `ko-llama tokenizer encode` reads the exported tokenizer.json as `tokenizers` does.
final class GGUFImportCommandTests: XCTestCase {
    static let texts = ["The capital of France is Paris, and the capital of Korea is Seoul.",
                        "대한민국의 수도는 서울이고, 한국어는 한글로 씁니다."]

    /// Imports `path` with `--dtype dtype`, then in Python compares configs, tokenizer ids and
    /// logits with transformers' GGUF load; returns the measured worst relative logit difference
    /// (max |a - b| over max |a|, per text).
    private func importAndCompare(_ path: String, dtype: String, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        try PythonPeer.require("torch", "transformers", "gguf")
        let out = try TemporaryDirectory("model-import")
        let folder = out.file("model")
        let run = try KoLlamaExecutable.run(["model", "import", "--gguf", path, "--out", folder, "--dtype", dtype, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("model import: \(path) (GGUF v"), run.stderr, file: file, line: line)
        for name in ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + name), name, file: file, line: line)
        }
        let texts = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts), as: UTF8.self)
        let report = try PythonPeer.run("""
        import json, os, subprocess, sys, torch
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging
        logging.disable_progress_bar()
        torch.set_num_threads(2)
        gguf, ours, dtype, texts, ko_llama = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
        where, name = os.path.dirname(gguf), os.path.basename(gguf)
        ref = AutoModelForCausalLM.from_pretrained(where, gguf_file=name, dtype=torch.float32).eval()
        ref_tok = AutoTokenizer.from_pretrained(where, gguf_file=name)
        mine = AutoModelForCausalLM.from_pretrained(ours, dtype=torch.float32).eval()
        mine_tok = AutoTokenizer.from_pretrained(ours)
        problems = []
        for key in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                    "num_key_value_heads", "head_dim", "max_position_embeddings", "tie_word_embeddings",
                    "bos_token_id", "eos_token_id", "pad_token_id", "hidden_act", "model_type"):
            if getattr(ref.config, key) != getattr(mine.config, key):
                problems.append(f"config {key}: {getattr(mine.config, key)!r} != {getattr(ref.config, key)!r}")
        for key, a, b in (("rms_norm_eps", mine.config.rms_norm_eps, ref.config.rms_norm_eps),
                          ("rope_theta", mine.config.rope_parameters["rope_theta"], ref.config.rope_parameters["rope_theta"])):
            if abs(a - b) > 1e-6 * abs(b):
                problems.append(f"config {key}: {a} != {b}")
        if dtype == "bf16":
            theirs = ref.state_dict()
            for key, value in mine.state_dict().items():
                if not torch.equal(value, theirs[key].to(torch.bfloat16).to(torch.float32)):
                    problems.append(f"{key} is not transformers' weight rounded to bf16")
        worst = 0.0
        for text in texts:
            ids = ref_tok(text, return_tensors="pt")["input_ids"]
            if mine_tok(text)["input_ids"] != ids[0].tolist():
                problems.append(f"token ids differ for {text!r}")
            with torch.no_grad():
                a, b = ref(ids).logits, mine(ids).logits
            worst = max(worst, ((a - b).abs().max() / a.abs().max()).item())
        # The Swift byte-level encoder on the exported tokenizer.json, as `tokenizers` encodes it.
        raw = Tokenizer.from_file(os.path.join(ours, "tokenizer.json"))
        swift = subprocess.run([ko_llama, "tokenizer", "encode", "--model", ours], input="\\n".join(texts) + "\\n",
                               capture_output=True, text=True, check=True).stdout.splitlines()
        if swift != [" ".join(map(str, raw.encode(t, add_special_tokens=False).ids)) for t in texts]:
            problems.append(f"ko-llama tokenizer encode differs: {swift}")
        print(json.dumps({"problems": problems, "worst": worst}))
        """, [path, folder, dtype, texts, koLlamaExecutable])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], report)
        XCTAssertEqual(result["problems"] as? [String], [], report, file: file, line: line)
        let worst = try XCTUnwrap(result["worst"] as? Double, report)
        print("model import \(URL(fileURLWithPath: path).lastPathComponent) --dtype \(dtype): worst relative logit difference \(worst)")
        return worst
    }

    func testTinyLlamaLogitsMatchTransformersGGUFLoad() throws {
        XCTAssertLessThan(try importAndCompare(GGUFFileTests.tinyLlama, dtype: "f32"), 1e-5)
        // bf16 weights are transformers' rounded ones (checked in Python); the logits move by the rounding.
        XCTAssertLessThan(try importAndCompare(GGUFFileTests.tinyLlama, dtype: "bf16"), 0.05)
    }

    func testSmolLM2LogitsMatchTransformersGGUFLoad() throws {
        XCTAssertLessThan(try importAndCompare(try PythonPeer.smolLM2GGUF(), dtype: "f32"), 1e-5)
    }

    /// A SentencePiece GGUF (mistral_common's LLaMA-style tokenizer.model.v1, 32,000 pieces, on a
    /// tiny LLaMA built at test time by scripts/make-gguf-fixtures.py): the imported
    /// tokenizer.model encodes Korean, English and mixed text as `sentencepiece` encodes the
    /// original, and so do `ko-llama tokenizer encode` and transformers on the folder (with BOS).
    func testSentencePieceGGUFImportEncodesLikeTheOriginalModel() throws {
        try PythonPeer.require("sentencepiece", "gguf", "mistral_common", "transformers")
        let dir = try TemporaryDirectory("model-import-spm")
        let original = try PythonPeer.run("import mistral_common, os; print(os.path.join(os.path.dirname(mistral_common.__file__), 'data', 'tokenizer.model.v1'))", [])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try PythonPeer.run("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                               [repositoryRoot + "/scripts/make-gguf-fixtures.py", "--sentencepiece", original, dir.file("spm.gguf")])
        let folder = dir.file("model")
        let run = try KoLlamaExecutable.run(["model", "import", "--gguf", dir.file("spm.gguf"), "--out", folder, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("tokenizer tokenizer.model, tokenizer.json, tokenizer_config.json, special_tokens_map.json\n"), run.stderr)
        let texts = ["kowiki-heldout.txt", "english.txt", "chinese-mixed.txt"].map { repositoryRoot + "/Tests/Fixtures/tokenizer/" + $0 }
        let report = try PythonPeer.run("""
        import json, subprocess, sys
        import sentencepiece as spm
        from transformers import AutoTokenizer
        original, ours, ko_llama, texts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
        ref = spm.SentencePieceProcessor(model_file=original)
        mine = spm.SentencePieceProcessor(model_file=ours + "/tokenizer.model")
        hf = AutoTokenizer.from_pretrained(ours)
        problems, lines = [], 0
        for path in texts:
            text = open(path, encoding="utf-8").read().splitlines()
            want = [ref.encode(t) for t in text]
            if [mine.encode(t) for t in text] != want:
                problems.append(f"{path}: the written tokenizer.model encodes differently")
            if [hf(t)["input_ids"] for t in text] != [[ref.bos_id()] + w for w in want]:
                problems.append(f"{path}: transformers on the folder encodes differently")
            swift = subprocess.run([ko_llama, "tokenizer", "encode", "--model", ours, "--input", path],
                                   capture_output=True, text=True, check=True).stdout.splitlines()
            if swift != [" ".join(map(str, w)) for w in want]:
                problems.append(f"{path}: ko-llama tokenizer encode differs")
            lines += len(text)
        for i in range(ref.get_piece_size()):
            if (ref.id_to_piece(i), ref.get_score(i), ref.is_control(i), ref.is_byte(i), ref.is_unknown(i)) != \
               (mine.id_to_piece(i), mine.get_score(i), mine.is_control(i), mine.is_byte(i), mine.is_unknown(i)):
                problems.append(f"piece {i} differs")
                break
        print(json.dumps({"problems": problems, "lines": lines, "pieces": mine.get_piece_size()}))
        """, [original, folder, koLlamaExecutable] + texts)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], report)
        XCTAssertEqual(result["problems"] as? [String], [], report)
        XCTAssertEqual(result["pieces"] as? Int, 32000, report)
        XCTAssertEqual(result["lines"] as? Int, 170, report)
    }

    func testSkipTokenizerWritesTheModelOnly() throws {
        let out = try TemporaryDirectory("model-import")
        let run = try KoLlamaExecutable.run(["model", "import", "--gguf", GGUFFileTests.tinyLlama, "--out", out.file("m"), "--skip-tokenizer", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("2 layers, 122688 parameters (f32), no tokenizer\n"), run.stderr)
        XCTAssertEqual(try HFModelFolder(path: out.file("m")).config, try GGUFLlamaImporter(file: GGUFFile(path: GGUFFileTests.tinyLlama)).config)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.file("m/tokenizer.json")))
    }

    func testUnconvertibleFilesAreErrorsAndWriteNothing() throws {
        let out = try TemporaryDirectory("model-import")
        let missing = try KoLlamaExecutable.run(["model", "import", "--gguf", out.file("absent.gguf"), "--out", out.file("a"), "--quiet"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("\(out.file("absent.gguf")): open failed"), missing.stderr)
        let noModel = try KoLlamaExecutable.run(["model", "import", "--gguf", GGUFFileTests.quantTypes, "--out", out.file("b"), "--quiet"])
        XCTAssertNotEqual(noModel.status, 0)
        XCTAssertTrue(noModel.stderr.contains("\(GGUFFileTests.quantTypes): metadata llama.embedding_length: missing"), noModel.stderr)
        let badDtype = try KoLlamaExecutable.run(["model", "import", "--gguf", GGUFFileTests.tinyLlama, "--out", out.file("c"), "--dtype", "f16"])
        XCTAssertNotEqual(badDtype.status, 0)
        XCTAssertTrue(badDtype.stderr.contains("--dtype must be f32 or bf16"), badDtype.stderr)
        for name in ["a", "b", "c"] { XCTAssertFalse(FileManager.default.fileExists(atPath: out.file(name)), name) }
    }
}
