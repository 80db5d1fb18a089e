import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

final class ModelInitializerTests: XCTestCase {
    func testStatisticsAndDeterminism() throws {
        var config = tinyConfig
        config.initializerRange = 0.02
        config.padTokenId = 5
        let tensors = ModelInitializer.initialize(config: config, seed: 42)
        XCTAssertEqual(tensors.map(\.name), config.expectedTensorShapes().map(\.name))
        XCTAssertEqual(tensors.map(\.shape), config.expectedTensorShapes().map(\.shape))
        let weights = tensors.filter { $0.shape.count == 2 }.flatMap(\.values).map(Double.init)
        let mean = weights.reduce(0, +) / Double(weights.count)
        let std = (weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(weights.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.001)
        XCTAssertEqual(std, 0.02, accuracy: 0.0005)
        XCTAssertTrue(tensors.filter { $0.shape.count == 1 }.allSatisfy { $0.values.allSatisfy { $0 == 1 } })
        let embedding = tensors[0].values
        XCTAssertEqual(Array(embedding[(5 * 16)..<(6 * 16)]), [Float](repeating: 0, count: 16))
        XCTAssertEqual(ModelInitializer.initialize(config: config, seed: 42), tensors)
        XCTAssertNotEqual(ModelInitializer.initialize(config: config, seed: 43)[1].values, tensors[1].values)
    }

    /// `ko-llama model init` writes the same bytes for the same seed, and transformers loads the folder.
    func testModelInitCommand() throws {
        try PythonPeer.require("torch", "transformers")
        let dir = try TemporaryDirectory()
        for (name, seed) in [("a", "3"), ("b", "3"), ("c", "4")] {
            let result = try KoLlamaExecutable.run(["model", "init", "--config", "tiny", "--vocab-size", "300", "--out", dir.file(name),
                                                    "--seed", seed, "--dtype", "bf16", "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let a = try FileSystem.readAll(dir.file("a/model.safetensors"))
        XCTAssertEqual(a, try FileSystem.readAll(dir.file("b/model.safetensors")))
        XCTAssertNotEqual(a, try FileSystem.readAll(dir.file("c/model.safetensors")))
        let folder = try HFModelFolder(path: dir.file("a"))
        XCTAssertEqual(folder.config, LlamaConfig.preset("tiny", vocabSize: 300))
        XCTAssertEqual(folder.dtype(of: "lm_head.weight"), .bf16)
        let out = try PythonPeer.run(#"""
            import sys, torch
            from transformers import LlamaForCausalLM
            m, info = LlamaForCausalLM.from_pretrained(sys.argv[1], output_loading_info=True)
            assert not any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
            assert m.dtype == torch.bfloat16, m.dtype
            w = m.model.layers[0].mlp.up_proj.weight.float()
            print(f"{w.mean().item():.4f} {w.std().item():.4f}")
            """#, [dir.file("a")])
        let stats = out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(stats.count, 2)
        XCTAssertEqual(stats[0], 0, accuracy: 0.001)
        XCTAssertEqual(stats[1], 0.02, accuracy: 0.001)
        let bad = try KoLlamaExecutable.run(["model", "init", "--config", "huge", "--vocab-size", "300", "--out", dir.file("d")])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--config must be tiny or small"), bad.stderr)
    }
}
