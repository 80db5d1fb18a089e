import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

/// `ko-llama export` on the golden fixtures: the merged folder loads in transformers alone and
/// computes what PEFT computes with the adapter (merged or not), and what ko-llama computes.
final class ExportCommandTests: XCTestCase {
    func testExportedFoldersGivePEFTsLogits() throws {
        try PythonPeer.require("torch", "transformers", "peft", "safetensors")
        let dir = try TemporaryDirectory()
        for name in LlamaInferenceTests.cases {
            let fixture = LlamaInferenceTests.fixture(name)
            let run = try KoLlamaExecutable.run(["export", "--model", fixture + "/model", "--adapter", fixture + "/adapter",
                                                 "--out", dir.file(name), "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            // ko-llama's own pass over the exported folder equals the training pass with the adapter.
            let model = try LlamaInferenceTests.model(name), ids = try LlamaInferenceTests.inputIds(name)
            let full = try model.logits(tokens: ids, batch: 2, seqLen: 16)
            let exported = try LlamaInference(modelFolder: dir.file(name))
            let v = model.config.vocabSize
            for b in 0..<2 {
                let last = try exported.prefill(Array(ids[(b * 16)..<(b * 16 + 16)]), cache: KVCache(config: exported.config, maxLength: 16))
                XCTAssertLessThan(LlamaInferenceTests.relativeError(last, full[((b * 16 + 15) * v)..<((b * 16 + 16) * v)]), 1e-5, name)
            }
        }
        let bf16 = try KoLlamaExecutable.run(["export", "--model", LlamaInferenceTests.fixture("mha-untied") + "/model",
                                              "--adapter", LlamaInferenceTests.fixture("mha-untied") + "/adapter",
                                              "--out", dir.file("bf16"), "--dtype", "bf16", "--quiet"])
        XCTAssertEqual(bf16.status, 0, bf16.stderr)
        try PythonPeer.run(#"""
            import sys, torch
            from safetensors.torch import load_file
            from transformers import LlamaForCausalLM
            from peft import PeftModel
            def rel(a, b): return ((a - b).abs().max() / b.abs().max()).item()
            out = sys.argv[1]
            for name in sys.argv[3:]:
                case = sys.argv[2] + "/" + name
                ids = load_file(case + "/golden.safetensors")["input_ids"].long()
                golden = load_file(case + "/golden.safetensors")["logits"]
                base = LlamaForCausalLM.from_pretrained(case + "/model", attn_implementation="eager")
                peft = PeftModel.from_pretrained(base, case + "/adapter").eval()
                with torch.no_grad():
                    want = peft(input_ids=ids).logits
                    merged = peft.merge_and_unload()(input_ids=ids).logits
                model, info = LlamaForCausalLM.from_pretrained(out + "/" + name, attn_implementation="eager", output_loading_info=True)
                assert not any(info[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
                with torch.no_grad():
                    mine = model.eval()(input_ids=ids).logits
                for label, other in (("PEFT", want), ("merge_and_unload", merged), ("golden", golden)):
                    assert rel(mine, other) < 1e-5, (name, label, rel(mine, other))
            model = LlamaForCausalLM.from_pretrained(out + "/bf16", dtype="auto")
            assert model.model.embed_tokens.weight.dtype == torch.bfloat16, model.model.embed_tokens.weight.dtype
            """#, [dir.path, repositoryRoot + "/Tests/Fixtures/model"] + LlamaInferenceTests.cases)
    }

    func testAnAdapterForAnotherBaseIsAnErrorAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let run = try KoLlamaExecutable.run(["export", "--model", LlamaInferenceTests.fixture("gqa-tied") + "/model",
                                             "--adapter", LlamaInferenceTests.fixture("mha-untied") + "/adapter", "--out", dir.file("out")])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("mha-untied/adapter"), run.stderr)
        XCTAssertFalse(FileSystem.exists(dir.file("out")))
    }
}
