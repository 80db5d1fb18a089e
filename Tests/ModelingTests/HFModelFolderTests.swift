import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

let tinyConfig = LlamaConfig(vocabSize: 64, hiddenSize: 16, intermediateSize: 40, numHiddenLayers: 2, numAttentionHeads: 4,
                             numKeyValueHeads: 2, maxPositionEmbeddings: 64, initializerRange: 0.5)

/// Python that compares a transformers model's state dict with raw fp32 dumps `DIR/NAME.raw`
/// (argv[2]); defines `check(model, names)`.
let compareStateDict = #"""
import sys, torch, numpy as np
def check(model, names):
    sd = model.state_dict()
    for name in names:
        want = torch.from_numpy(np.fromfile(sys.argv[2] + "/" + name + ".raw", dtype=np.float32)).reshape(sd[name].shape)
        assert torch.equal(sd[name].float(), want), name
"""#

final class HFModelFolderTests: XCTestCase {
    func testFoldersSavedByTransformersOpen() throws {
        try PythonPeer.require("torch", "transformers", "numpy")
        let dir = try TemporaryDirectory()
        try PythonPeer.run(#"""
            import sys, torch
            from transformers import LlamaConfig, LlamaForCausalLM
            torch.manual_seed(0)
            for name, tied, shard in [("sharded", False, "4KB"), ("tied", True, "50GB")]:
                c = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
                                num_key_value_heads=2, tie_word_embeddings=tied)
                m = LlamaForCausalLM(c)
                m.save_pretrained(sys.argv[1] + "/" + name, max_shard_size=shard, safe_serialization=True)
                for k, v in m.state_dict().items():
                    v.float().numpy().tofile(sys.argv[1] + "/" + name + "/" + k + ".raw")
            """#, [dir.path])
        for name in ["sharded", "tied"] {
            let folder = try HFModelFolder(path: dir.file(name))
            XCTAssertEqual(folder.config.tieWordEmbeddings, name == "tied")
            let expected = folder.config.expectedTensorShapes()
            XCTAssertEqual(Array(folder.tensorNames.prefix(expected.count)), expected.map(\.name))
            for (tensor, shape) in expected {
                XCTAssertEqual(folder.shape(of: tensor), shape)
                XCTAssertEqual(try folder.floats(tensor).withUnsafeBytes { Array($0) },
                               try FileSystem.readAll(dir.file("\(name)/\(tensor).raw")), tensor)
            }
        }
        XCTAssertTrue(FileSystem.exists(dir.file("sharded/model.safetensors.index.json")))
        XCTAssertEqual(try HFModelFolder(path: dir.file("sharded")).weights().count, 2 + 9 * 2 + 1)
    }

    func testConfigThatDoesNotFitTheWeightsNamesTheTensor() throws {
        let dir = try TemporaryDirectory()
        let tensors = ModelInitializer.initialize(config: tinyConfig, seed: 1)
        try HFModelFolder.write(config: tinyConfig, tensors: tensors, to: dir.file("m"))
        var wider = tinyConfig
        wider.intermediateSize = 48
        try wider.write(path: dir.file("m/config.json"))
        XCTAssertThrowsError(try HFModelFolder(path: dir.file("m"))) {
            XCTAssertEqual($0 as? ModelingError, .tensorMismatch(path: dir.file("m"), tensor: "model.layers.0.mlp.gate_proj.weight",
                                                                 detail: "shape [40, 16], config.json implies [48, 16]"))
        }
        var deeper = tinyConfig
        deeper.numHiddenLayers = 3
        try deeper.write(path: dir.file("m/config.json"))
        XCTAssertThrowsError(try HFModelFolder(path: dir.file("m"))) { XCTAssertTrue("\($0)".contains("\"model.layers.2.self_attn.q_proj.weight\": missing"), "\($0)") }
        // The writer refuses tensors that do not fit, before touching the output.
        XCTAssertThrowsError(try HFModelFolder.write(config: wider, tensors: tensors, to: dir.file("w"))) {
            XCTAssertTrue("\($0)".contains("model.layers.0.mlp.gate_proj.weight"), "\($0)")
        }
        XCTAssertThrowsError(try HFModelFolder.write(config: tinyConfig, tensors: tensors + [NamedTensor(name: "extra", shape: [1], values: [0])], to: dir.file("w"))) {
            XCTAssertTrue("\($0)".contains("\"extra\""), "\($0)")
        }
        XCTAssertFalse(FileSystem.exists(dir.file("w")))
        // An unrelated non-empty directory is never replaced.
        try AtomicFileWriter.write("keep", to: dir.file("other/notes.txt"))
        XCTAssertThrowsError(try HFModelFolder.write(config: tinyConfig, tensors: tensors, to: dir.file("other")))
        XCTAssertEqual(try FileSystem.listDirectory(dir.file("other")), ["notes.txt"])
    }

    /// Our folders (single file and sharded, f32 and bf16, tied and untied) load in transformers
    /// with the state dict we wrote; writing over an existing folder replaces it whole.
    func testWrittenFoldersLoadInTransformers() throws {
        try PythonPeer.require("torch", "transformers", "numpy")
        let dir = try TemporaryDirectory()
        var tied = tinyConfig
        tied.tieWordEmbeddings = true
        tied.padTokenId = 0
        let cases: [(String, LlamaConfig, SafeTensorsDType, Int?)] = [("single", tinyConfig, .f32, nil), ("sharded", tinyConfig, .bf16, 3000),
                                                                      ("tied", tied, .f32, 1 << 20)]
        for (name, config, dtype, shard) in cases {
            let tensors = ModelInitializer.initialize(config: config, seed: 7)
            try HFModelFolder.write(config: config, tensors: ModelInitializer.initialize(config: config, seed: 8), to: dir.file(name))
            try HFModelFolder.write(config: config, tensors: tensors, to: dir.file(name), dtype: dtype, shardBytes: shard)
            let raw = dir.file(name + "-raw")
            for t in tensors {
                let stored = dtype == .bf16 ? try HFModelFolder(path: dir.file(name)).floats(t.name) : t.values
                try writeRawFloats(stored, to: raw + "/" + t.name + ".raw")
            }
            let names = tensors.map(\.name)
            try PythonPeer.run(compareStateDict + "\n" + #"""
                import json, os
                from transformers import LlamaForCausalLM
                model, info = LlamaForCausalLM.from_pretrained(sys.argv[1], output_loading_info=True)
                assert not any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
                check(model, sys.argv[3].split(","))
                files = sorted(os.listdir(sys.argv[1]))
                print(files)
                """#, [dir.file(name), raw, names.joined(separator: ",")])
            let files = try FileSystem.listDirectory(dir.file(name))
            XCTAssertEqual(files.contains("model.safetensors.index.json"), name == "sharded", "\(files)")
            XCTAssertTrue(files.contains("generation_config.json"))
            XCTAssertFalse(try FileSystem.listDirectory(dir.path).contains { $0.contains(".tmp-") || $0.contains(".old-") })
        }
        XCTAssertGreaterThan(try FileSystem.listDirectory(dir.file("sharded")).filter { $0.hasPrefix("model-000") }.count, 3)
    }
}
