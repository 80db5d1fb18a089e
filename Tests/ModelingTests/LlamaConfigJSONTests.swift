import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

final class LlamaConfigJSONTests: XCTestCase {
    private let base: [String: String] = [
        "model_type": "\"llama\"", "vocab_size": "64", "hidden_size": "16", "intermediate_size": "40",
        "num_hidden_layers": "2", "num_attention_heads": "4",
    ]

    /// Writes a config.json from `base` with `changes` (value nil removes the key) and loads it.
    private func load(_ changes: [String: String?] = [:], in dir: TemporaryDirectory) throws -> LlamaConfig {
        var fields = base
        for (key, value) in changes { fields[key] = value }
        let text = "{" + fields.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        try AtomicFileWriter.write(text, to: dir.file("config.json"))
        return try LlamaConfig.load(path: dir.file("config.json"))
    }

    func testDefaultsAndBothRopeSpellings() throws {
        let dir = try TemporaryDirectory()
        let plain = try load(in: dir)
        XCTAssertEqual(plain, LlamaConfig(vocabSize: 64, hiddenSize: 16, intermediateSize: 40, numHiddenLayers: 2,
                                          numAttentionHeads: 4, numKeyValueHeads: 4))
        XCTAssertEqual(try load(["rope_theta": "500000.0"], in: dir).ropeTheta, 500000)
        XCTAssertEqual(try load(["rope_parameters": #"{"rope_type": "default", "rope_theta": 100000.0}"#], in: dir).ropeTheta, 100000)
        XCTAssertEqual(try load(["rope_scaling": "null", "rope_theta": "20000"], in: dir).ropeTheta, 20000)
        let v = try load(["head_dim": "8", "num_key_value_heads": "2", "tie_word_embeddings": "true",
                          "eos_token_id": "[7, 9]", "bos_token_id": "null", "pad_token_id": "3"], in: dir)
        XCTAssertEqual([v.headDim, v.keyValueWidth, v.queryWidth], [8, 16, 32])
        XCTAssertTrue(v.tieWordEmbeddings)
        XCTAssertEqual(v.eosTokenId, 7)
        XCTAssertNil(v.bosTokenId)
        XCTAssertEqual(v.padTokenId, 3)
    }

    func testUnsupportedOrBrokenConfigsNameTheFileAndKey() throws {
        let dir = try TemporaryDirectory()
        let cases: [([String: String?], String, String)] = [
            (["model_type": "\"mistral\""], "model_type", "mistral"),
            (["hidden_act": "\"gelu\""], "hidden_act", "gelu"),
            (["attention_bias": "true"], "attention_bias", "biases"),
            (["mlp_bias": "true"], "mlp_bias", "biases"),
            (["rope_scaling": #"{"type": "linear", "factor": 2.0}"#], "rope_scaling", "\"linear\""),
            (["rope_parameters": #"{"rope_type": "llama3", "rope_theta": 1.0}"#], "rope_parameters", "\"llama3\""),
            (["vocab_size": nil], "vocab_size", "missing"),
            (["hidden_size": "0"], "hidden_size", "positive"),
            (["num_hidden_layers": "-1"], "num_hidden_layers", "positive"),
            (["hidden_size": "18"], "hidden_size", "not divisible"),
            (["num_key_value_heads": "3"], "num_key_value_heads", "does not divide"),
            (["vocab_size": "64.5"], "vocab_size", "integer"),
            (["vocab_size": "\"64\""], "vocab_size", "integer"),
            (["tie_word_embeddings": "1"], "tie_word_embeddings", "true or false"),
            (["eos_token_id": "64"], "eos_token_id", "outside the vocabulary"),
            (["rope_parameters": #"{"rope_theta": "x"}"#], "rope_parameters.rope_theta", "number"),
        ]
        for (changes, key, detail) in cases {
            XCTAssertThrowsError(try load(changes, in: dir), "\(changes)") { error in
                guard case let ModelingError.invalidConfig(path, k, _) = error else { return XCTFail("\(changes): \(error)") }
                XCTAssertEqual(path, dir.file("config.json"))
                XCTAssertEqual(k, key, "\(changes)")
                XCTAssertTrue("\(error)".contains(detail), "\(changes): \(error)")
            }
        }
        try AtomicFileWriter.write("{\"model_type\": ", to: dir.file("config.json"))
        XCTAssertThrowsError(try LlamaConfig.load(path: dir.file("config.json"))) {
            XCTAssertEqual($0 as? ModelingError, .invalidConfig(path: dir.file("config.json"), key: "", detail: "not valid JSON"))
        }
    }

    /// Ours -> transformers -> ours, and a transformers-saved config read here.
    func testRoundTripThroughTransformers() throws {
        try PythonPeer.require("transformers")
        let dir = try TemporaryDirectory()
        let small = try XCTUnwrap(LlamaConfig.preset("small", vocabSize: 49152))
        let odd = LlamaConfig(vocabSize: 100, hiddenSize: 24, intermediateSize: 56, numHiddenLayers: 3, numAttentionHeads: 4,
                              numKeyValueHeads: 2, headDim: 8, rmsNormEps: 1e-5, ropeTheta: 500000, maxPositionEmbeddings: 512,
                              tieWordEmbeddings: true, initializerRange: 0.05, bosTokenId: 5, eosTokenId: 6, padTokenId: 0)
        for (i, config) in [small, odd].enumerated() {
            let ours = dir.file("ours\(i)"), theirs = dir.file("theirs\(i)")
            try config.write(path: ours + "/config.json", dtype: .bf16)
            let out = try PythonPeer.run(#"""
                import sys
                from transformers import AutoConfig, LlamaConfig
                c = AutoConfig.from_pretrained(sys.argv[1])
                assert type(c) is LlamaConfig, type(c)
                assert str(c.dtype) == "torch.bfloat16", c.dtype
                c.save_pretrained(sys.argv[2])
                print(" ".join(map(str, [c.vocab_size, c.hidden_size, c.intermediate_size, c.num_hidden_layers, c.num_attention_heads,
                    c.num_key_value_heads, c.head_dim, c.rms_norm_eps, c.rope_parameters["rope_theta"], c.max_position_embeddings,
                    c.tie_word_embeddings, c.initializer_range, c.bos_token_id, c.eos_token_id, c.pad_token_id])))
                """#, [ours, theirs])
            func id(_ v: Int?) -> String { v.map(String.init) ?? "None" }
            let expected = [config.vocabSize, config.hiddenSize, config.intermediateSize, config.numHiddenLayers,
                            config.numAttentionHeads, config.numKeyValueHeads, config.headDim].map(String.init)
                + ["\(config.rmsNormEps)", "\(config.ropeTheta)", String(config.maxPositionEmbeddings),
                   config.tieWordEmbeddings ? "True" : "False", "\(config.initializerRange)",
                   id(config.bosTokenId), id(config.eosTokenId), id(config.padTokenId)]
            XCTAssertEqual(out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }, expected)
            XCTAssertEqual(try LlamaConfig.load(path: theirs + "/config.json"), config)
        }
    }
}
