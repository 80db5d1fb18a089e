import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

final class PEFTAdapterTests: XCTestCase {
    private let targets = LoRATarget.allCases.map(\.rawValue)

    /// An adapter saved by PEFT (untied base, embed and head trained whole) reads with PEFT's
    /// values and validates against its base.
    func testAdapterSavedByPEFTReads() throws {
        try PythonPeer.require("torch", "transformers", "peft", "numpy")
        let dir = try TemporaryDirectory()
        try PythonPeer.run(#"""
            import sys, torch
            from transformers import LlamaConfig, LlamaForCausalLM
            from peft import LoraConfig, get_peft_model
            from safetensors.torch import load_file
            torch.manual_seed(0)
            c = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
            m = get_peft_model(LlamaForCausalLM(c), LoraConfig(r=4, lora_alpha=8, target_modules=sys.argv[2].split(","),
                               modules_to_save=["embed_tokens", "lm_head"], task_type="CAUSAL_LM"))
            with torch.no_grad():
                for n, p in m.named_parameters():
                    if p.requires_grad: p.add_(torch.randn_like(p))
            m.save_pretrained(sys.argv[1] + "/a")
            for k, v in load_file(sys.argv[1] + "/a/adapter_model.safetensors").items():
                v.numpy().tofile(sys.argv[1] + "/" + k + ".raw")
            """#, [dir.path, targets.joined(separator: ",")])
        let adapter = try PEFTAdapterFolder(path: dir.file("a"))
        XCTAssertEqual(adapter.config.r, 4)
        XCTAssertEqual(adapter.config.scaling, 2)
        XCTAssertEqual(Set(adapter.config.targetModules), Set(targets))
        XCTAssertEqual(adapter.config.modulesToSave, ["embed_tokens", "lm_head"])
        var base = tinyConfig
        base.initializerRange = 0.02
        try adapter.validate(against: base)
        let expected = PEFTKeys.expectedShapes(adapter: adapter.config, base: base)
        XCTAssertEqual(Set(adapter.tensorNames), Set(expected.map(\.name)))
        XCTAssertEqual(adapter.shape(of: PEFTKeys.loraA(layer: 1, .down)), [4, 40])
        XCTAssertEqual(adapter.shape(of: PEFTKeys.loraB(layer: 0, .k)), [8, 4])
        for (key, _) in expected {
            XCTAssertEqual(try adapter.floats(key).withUnsafeBytes { Array($0) }, try FileSystem.readAll(dir.file(key + ".raw")), key)
        }
        // Another base: a wider hidden size, then a smaller vocabulary, each named by a key.
        var wider = base
        wider.hiddenSize = 32
        XCTAssertThrowsError(try adapter.validate(against: wider)) {
            XCTAssertTrue("\($0)".contains("\"\(PEFTKeys.loraA(layer: 0, .q))\": shape [4, 16]"), "\($0)")
        }
        var smallerVocab = base
        smallerVocab.vocabSize = 60
        XCTAssertThrowsError(try adapter.validate(against: smallerVocab)) {
            XCTAssertTrue("\($0)".contains("\"\(PEFTKeys.embedTokens)\": shape [64, 16]"), "\($0)")
        }
        var shallower = base
        shallower.numHiddenLayers = 1
        XCTAssertThrowsError(try adapter.validate(against: shallower)) { XCTAssertTrue("\($0)".contains("model.layers.1."), "\($0)") }
    }

    /// Adapters written here load with `PeftModel.from_pretrained` with no missing or unexpected
    /// keys and PEFT holds exactly our values: untied with embed/head copies, tied with
    /// `ensure_weight_tying`, and trainable token rows.
    func testWrittenAdaptersLoadInPEFT() throws {
        try PythonPeer.require("torch", "transformers", "peft", "numpy")
        let dir = try TemporaryDirectory()
        var tied = tinyConfig
        tied.tieWordEmbeddings = true
        let cases: [(String, LlamaConfig, LoRAAdapterConfig)] = [
            ("untied", tinyConfig, LoRAAdapterConfig(r: 4, loraAlpha: 8, loraDropout: 0.05, targetModules: targets, modulesToSave: ["embed_tokens", "lm_head"])),
            ("tied", tied, LoRAAdapterConfig(r: 2, loraAlpha: 4, targetModules: ["q_proj", "v_proj"], modulesToSave: ["embed_tokens"], useRslora: true, ensureWeightTying: true)),
            ("tokens", tied, LoRAAdapterConfig(r: 3, loraAlpha: 3, targetModules: targets, trainableTokenIndices: [60, 61, 63])),
        ]
        var random = SplitMix64(seed: 5)
        for (name, base, config) in cases {
            try HFModelFolder.write(config: base, tensors: ModelInitializer.initialize(config: base, seed: 1), to: dir.file(name + "-base"))
            var shared: [Float]?
            let tensors = PEFTKeys.expectedShapes(adapter: config, base: base).map { key, shape in
                var values = (0..<shape.reduce(1, *)).map { _ in Float(Int(random.next() % 2001) - 1000) / 1000 }
                // Tied with ensure_weight_tying: PEFT saves one trained copy under both keys.
                if base.tieWordEmbeddings && (key == PEFTKeys.embedTokens || key == PEFTKeys.lmHead) {
                    if let shared { values = shared } else { shared = values }
                }
                return NamedTensor(name: key, shape: shape, values: values)
            }
            try PEFTAdapterFolder.write(config: config, tensors: tensors, base: base, to: dir.file(name))
            for t in tensors { try writeRawFloats(t.values, to: dir.file("\(name)-raw/\(t.name).raw")) }
            let reread = try PEFTAdapterFolder(path: dir.file(name))
            XCTAssertEqual(reread.config, config)
            try reread.validate(against: base)
            let out = try PythonPeer.run(#"""
                import sys, torch, numpy as np, warnings
                from transformers import LlamaForCausalLM
                from peft import PeftModel
                from peft.utils import get_peft_model_state_dict
                base = LlamaForCausalLM.from_pretrained(sys.argv[1] + "-base")
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    model = PeftModel.from_pretrained(base, sys.argv[1])
                problems = [str(w.message) for w in caught if "missing" in str(w.message).lower() or "unexpected" in str(w.message).lower()]
                assert not problems, problems
                sd = get_peft_model_state_dict(model)
                keys = sys.argv[2].split(",")
                assert sorted(sd) == sorted(keys), (sorted(sd), sorted(keys))
                for k in keys:
                    want = torch.from_numpy(np.fromfile(sys.argv[1] + "-raw/" + k + ".raw", dtype=np.float32)).reshape(sd[k].shape)
                    assert torch.equal(sd[k].float(), want), k
                c = model.peft_config["default"]
                if c.ensure_weight_tying:
                    assert torch.equal(model.get_input_embeddings().weight, model.get_output_embeddings().weight)
                print(c.r, c.lora_alpha, sorted(c.target_modules), c.use_rslora, c.trainable_token_indices)
                """#, [dir.file(name), tensors.map(\.name).joined(separator: ",")])
            XCTAssertTrue(out.hasPrefix("\(config.r) \(Int(config.loraAlpha)) "), out)
        }
    }

    func testUnsupportedAdapterConfigsNameTheKey() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("adapter_config.json")
        let good = LoRAAdapterConfig(r: 4, loraAlpha: 8, targetModules: ["q_proj"])
        try good.write(path: path)
        XCTAssertEqual(try LoRAAdapterConfig.load(path: path), good)
        let text = good.jsonText()
        let cases: [(String, String, String)] = [
            ("\"peft_type\": \"LORA\"", "\"peft_type\": \"IA3\"", "peft_type"),
            ("\"use_dora\": false", "\"use_dora\": true", "use_dora"),
            ("\"bias\": \"none\"", "\"bias\": \"all\"", "bias"),
            ("\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 2}", "rank_pattern"),
            ("\"layers_to_transform\": null", "\"layers_to_transform\": [0]", "layers_to_transform"),
            ("\"target_modules\": [\n    \"q_proj\"\n  ]", "\"target_modules\": \".*proj\"", "target_modules"),
            ("\"q_proj\"", "\"fc1\"", "target_modules"),
            ("\"r\": 4", "\"r\": 0", "r"),
            ("\"modules_to_save\": null", "\"modules_to_save\": [\"norm\"]", "modules_to_save"),
        ]
        for (from, to, key) in cases {
            XCTAssertTrue(text.contains(from), from)
            try AtomicFileWriter.write(text.replacingOccurrences(of: from, with: to), to: path)
            XCTAssertThrowsError(try LoRAAdapterConfig.load(path: path), key) { error in
                guard case let ModelingError.invalidConfig(p, k, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual([p, k], [path, key], "\(error)")
            }
        }
        let rows = LoRAAdapterConfig(r: 1, loraAlpha: 1, targetModules: ["q_proj"], trainableTokenIndices: [64])
        XCTAssertThrowsError(try PEFTAdapterFolder.write(config: rows, tensors: [], base: tinyConfig, to: dir.file("x"))) {
            XCTAssertTrue("\($0)".contains("row 64 is outside"), "\($0)")
        }
    }
}
