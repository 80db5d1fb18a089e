import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

/// `ko-llama model resize` to the 600-token fixture tokenizer from a 590-row model: old rows
/// bit-identical, new rows as each init defines them, checked in transformers; bad inputs fail
/// naming the file and write nothing.
final class ModelResizeTests: XCTestCase {
    static let tokenizer = repositoryRoot + "/Tests/Fixtures/tokenizer/llama3-style-tokenizer.json"

    static func config(vocab: Int, tied: Bool) -> LlamaConfig {
        LlamaConfig(vocabSize: vocab, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 2,
                    maxPositionEmbeddings: 64, tieWordEmbeddings: tied, initializerRange: 0.5, bosTokenId: 0, eosTokenId: 1)
    }

    /// A tokenizer folder: the fixture tokenizer.json and `lines` as new_token_init.jsonl.
    static func tokenizerFolder(_ dir: TemporaryDirectory, _ name: String, lines: [String]?) throws -> String {
        let folder = dir.file(name)
        try FileSystem.createDirectory(folder)
        try FileManager.default.copyItem(atPath: tokenizer, toPath: folder + "/tokenizer.json")
        if let lines { try AtomicFileWriter.write(lines.map { $0 + "\n" }.joined(), to: folder + "/new_token_init.jsonl") }
        return folder
    }

    /// Lines as `tokenizer merge` writes them for ids 590..<600.
    static let initLines = (0..<10).map { k in
        "{\"id\": \(590 + k), \"piece\": \"▁p\(k)\", \"base_ids\": [\(k + 3), \(2 * k + 10), 7\(k == 4 ? ", 7" : "")]}"
    }

    func resize(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        try KoLlamaExecutable.run(["model", "resize", "--quiet"] + arguments)
    }

    func testNewRowsFollowTheirInitAndOldRowsStay() throws {
        try PythonPeer.require("torch", "transformers", "numpy")
        let dir = try TemporaryDirectory()
        let tokenizer = try Self.tokenizerFolder(dir, "tok", lines: Self.initLines)
        for tied in [false, true] {
            let base = dir.file("base-\(tied)")
            try HFModelFolder.write(config: Self.config(vocab: 590, tied: tied),
                                    tensors: ModelInitializer.initialize(config: Self.config(vocab: 590, tied: tied), seed: 5), to: base)
            for (name, extra) in [("subword", [String]()), ("mean", ["--init", "mean"]), ("random", ["--init", "random", "--seed", "3"]),
                                  ("random-again", ["--init", "random", "--seed", "3"])] {
                let run = try resize(["--model", base, "--tokenizer", tokenizer, "--out", dir.file("\(name)-\(tied)")] + extra)
                XCTAssertEqual(run.status, 0, run.stderr)
            }
            XCTAssertEqual(FileManager.default.contents(atPath: dir.file("random-\(tied)/model.safetensors")),
                           FileManager.default.contents(atPath: dir.file("random-again-\(tied)/model.safetensors")), "a seed repeats its rows")
            let record = try XCTUnwrap(try ResizeRecord.load(folder: dir.file("subword-\(tied)")))
            XCTAssertEqual(record, ResizeRecord(baseVocabSize: 590, vocabSize: 600, initialization: "subword-mean", tokenizer: tokenizer))
            XCTAssertEqual(record.newTokens, 10)
            XCTAssertEqual(try ResizeRecord.load(folder: dir.file("random-\(tied)"))?.seed, 3)
        }
        try PythonPeer.run(#"""
            import sys, json, torch, numpy as np
            from transformers import LlamaForCausalLM
            d = sys.argv[1]
            pieces = [json.loads(l)["base_ids"] for l in open(d + "/tok/new_token_init.jsonl")]
            for tied in ("false", "true"):
                base = LlamaForCausalLM.from_pretrained(d + "/base-" + tied)
                matrices = lambda m: [m.model.embed_tokens.weight] + ([] if tied == "true" else [m.lm_head.weight])
                loaded = {}
                for name in ("subword", "mean", "random"):
                    m, info = LlamaForCausalLM.from_pretrained(d + "/" + name + "-" + tied, output_loading_info=True)
                    assert not any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
                    assert m.config.vocab_size == 600 and m.config.tie_word_embeddings == (tied == "true")
                    for old, new in zip(matrices(base), matrices(m)):
                        assert new.shape == (600, 16) and torch.equal(new[:590], old), name
                    loaded[name] = m
                for old, new in zip(matrices(base), matrices(loaded["subword"])):
                    o = old.detach().double().numpy()
                    want = np.stack([o[p].mean(axis=0) for p in pieces]).astype(np.float32)
                    assert np.allclose(new[590:].detach().numpy(), want, rtol=0, atol=1e-6), "subword-mean"
                # transformers' mean resizing: the mean plus N(0, 1e-9 cov) noise (std ~1.6e-5 here).
                torch.manual_seed(0)
                base.resize_token_embeddings(600, mean_resizing=True)
                for theirs, new in zip(matrices(base), matrices(loaded["mean"])):
                    err = (theirs[590:] - new[590:]).abs().max().item()
                    assert err < 2e-4, ("mean", err)
                    assert torch.equal(new[590], new[599])
                for new in matrices(loaded["random"]):
                    std = new[590:].std().item()
                    assert abs(std - 0.5) < 0.15, ("random std", std)
            """#, [dir.path])
    }

    func testBadTokenizersAndInitFilesNameTheFileAndWriteNothing() throws {
        let dir = try TemporaryDirectory()
        let base = dir.file("base")
        try HFModelFolder.write(config: Self.config(vocab: 590, tied: false),
                                tensors: ModelInitializer.initialize(config: Self.config(vocab: 590, tied: false), seed: 5), to: base)
        let big = dir.file("big")
        try HFModelFolder.write(config: Self.config(vocab: 610, tied: false),
                                tensors: ModelInitializer.initialize(config: Self.config(vocab: 610, tied: false), seed: 5), to: big)
        var lines = Self.initLines
        lines[2] = lines[2].replacingOccurrences(of: "\"id\": 592", with: "\"id\": 600")
        var baseOutside = Self.initLines
        baseOutside[6] = baseOutside[6].replacingOccurrences(of: "[9,", with: "[590,")
        let cases: [(String, String, [String], String)] = [
            ("smaller", big, ["--tokenizer", try Self.tokenizerFolder(dir, "t1", lines: Self.initLines)],
             "t1: the tokenizer has 600 tokens, fewer than the 610 rows"),
            ("missing", base, ["--tokenizer", try Self.tokenizerFolder(dir, "t2", lines: nil) + "/tokenizer.json"],
             "t2/new_token_init.jsonl: missing"),
            ("out-of-range", base, ["--tokenizer", try Self.tokenizerFolder(dir, "t3", lines: lines)],
             "t3/new_token_init.jsonl: line 3: id 600 is not one of the new rows 590..<600"),
            ("base-outside", base, ["--tokenizer", try Self.tokenizerFolder(dir, "t4", lines: baseOutside)],
             "t4/new_token_init.jsonl: line 7: base id 590 of id 596 is outside"),
            ("short", base, ["--tokenizer", try Self.tokenizerFolder(dir, "t5", lines: Array(Self.initLines.dropLast()))],
             "t5/new_token_init.jsonl: lists 9 of the 10 new rows; id 599 is missing"),
            ("not-json", base, ["--tokenizer", try Self.tokenizerFolder(dir, "t6", lines: ["{\"id\": 590"])],
             "t6/new_token_init.jsonl: line 1: not a JSON object"),
        ]
        for (name, model, arguments, message) in cases {
            let run = try resize(["--model", model, "--out", dir.file("out-" + name)] + arguments)
            XCTAssertNotEqual(run.status, 0, name)
            XCTAssertTrue(run.stderr.contains(message), "\(name): \(run.stderr)")
            XCTAssertFalse(FileSystem.exists(dir.file("out-" + name)), name)
        }
    }
}
