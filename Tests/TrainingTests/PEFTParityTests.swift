import Corpus
import Modeling
import Packing
import TestSupport
import Training
import XCTest

/// The LLaMA + LoRA passes against golden values from transformers + PEFT
/// (scripts/make-model-fixtures.py, Tests/Fixtures/model/README.md): logits, loss, the gradient of
/// every trainable tensor, the clipped norm and one AdamW step, for GQA with tied embeddings,
/// MHA untied, and only the new embedding rows trainable.
final class PEFTParityTests: XCTestCase {
    struct Case {
        let name: String
        let embeddings: EmbeddingTraining
        let baseVocabulary: Int
    }

    static let cases = [
        Case(name: "gqa-tied", embeddings: .all, baseVocabulary: 96),
        Case(name: "mha-untied", embeddings: .all, baseVocabulary: 96),
        Case(name: "gqa-new-rows", embeddings: .newRows, baseVocabulary: 64),
    ]

    func fixture(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/model/" + name }

    /// The fixture's model with the PEFT adapter's values loaded into the trainable tensors.
    func model(_ c: Case) throws -> (LlamaModel, SafeTensorsFile) {
        let dir = fixture(c.name)
        let base = try HFModelFolder(path: dir + "/model")
        let weights = try LlamaWeights(folder: base)
        let model = try LlamaModel(weights: weights, adapter: dir + "/adapter")
        XCTAssertEqual(model.embeddings, c.embeddings)
        XCTAssertEqual(model.baseVocabularySize, c.baseVocabulary)
        XCTAssertEqual(model.lora.scaling, 2)
        return (model, try SafeTensorsFile(path: dir + "/golden.safetensors"))
    }

    /// max |a - b| / max |b|: the relative error the issue bounds by 1e-4.
    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var diff: Float = 0, scale: Float = 1e-12
        for i in 0..<a.count { diff = max(diff, abs(a[i] - b[i])); scale = max(scale, abs(b[i])) }
        return diff / scale
    }

    func batch(_ golden: SafeTensorsFile) throws -> (TrainingBatch, [Int32]) {
        let ids = try golden.floats("input_ids").map { Int32($0) }
        let labels = try golden.floats("labels").map { Int32($0) }
        var targets = [Int32](repeating: -1, count: ids.count)
        for b in 0..<2 { for t in 0..<15 where labels[b * 16 + t + 1] >= 0 { targets[b * 16 + t] = labels[b * 16 + t + 1] } }
        return (TrainingBatch(batchSize: 2, seqLen: 16, tokens: ids, lossMask: [UInt8](repeating: 1, count: ids.count)), targets)
    }

    func testLogitsLossAndGradientsMatchPEFT() throws {
        for c in Self.cases {
            let (model, golden) = try model(c)
            let (batch, targets) = try batch(golden)
            let logits = try model.logits(tokens: batch.tokens, batch: 2, seqLen: 16)
            XCTAssertLessThan(relativeError(logits, try golden.floats("logits")), 1e-5, "\(c.name) logits")
            let count = targets.filter { $0 >= 0 }.count
            XCTAssertEqual(count, 23)
            let perToken = try model.targetNLL(tokens: batch.tokens, targets: targets, batch: 2, seqLen: 16)
            XCTAssertEqual(perToken.reduce(0, +) / Float(count), try golden.floats("loss")[0], accuracy: 1e-5, "\(c.name) per-token NLL")
            XCTAssertEqual(perToken[15], 0, "a position without a target scores 0")
            model.gradients.zero()
            let loss = try model.trainStep(tokens: batch.tokens, targets: targets, batch: 2, seqLen: 16, lossScale: 1 / Float(count))
            XCTAssertEqual(Float(loss.mean), try golden.floats("loss")[0], accuracy: 1e-5, "\(c.name) loss")
            for slot in model.layout.slots {
                let mine = Array(UnsafeBufferPointer(start: model.gradients.pointer + slot.offset, count: slot.count))
                let error = relativeError(mine, try golden.floats(slot.name + ".grad"))
                XCTAssertLessThan(error, 1e-4, "\(c.name) gradient of \(slot.name)")
            }
        }
    }

    func testClippedAdamWStepMatchesTorch() throws {
        for c in Self.cases {
            let (model, golden) = try model(c)
            let (batch, targets) = try batch(golden)
            model.gradients.zero()
            try model.trainStep(tokens: batch.tokens, targets: targets, batch: 2, seqLen: 16, lossScale: 1 / 23)
            let norm = clipGradientNorm(model.gradients, maxNorm: 1)
            XCTAssertEqual(norm, try golden.floats("grad_norm")[0], accuracy: 1e-4 * norm, "\(c.name) gradient norm")
            let adam = AdamW(count: model.layout.count, settings: AdamW.Settings(weightDecay: 0.01))
            adam.update(parameters: model.parameters, gradients: model.gradients, lr: 1e-2)
            for slot in model.layout.slots {
                let mine = Array(UnsafeBufferPointer(start: model.parameters.pointer + slot.offset, count: slot.count))
                XCTAssertLessThan(relativeError(mine, try golden.floats(slot.name + ".after_step")), 1e-4, "\(c.name) AdamW step of \(slot.name)")
            }
        }
    }
}

/// Adapters written by ko-llama after training load in PEFT and give ko-llama's logits.
final class AdapterInteropTests: XCTestCase {
    func testTrainedAdapterLoadsInPEFTWithTheSameLogits() throws {
        try PythonPeer.require("torch", "transformers", "peft")
        let out = try TemporaryDirectory("adapter")
        var jobs: [[String]] = []
        var expected: [[Float]] = []
        for c in PEFTParityTests.cases {
            let dir = repositoryRoot + "/Tests/Fixtures/model/" + c.name
            let weights = try LlamaWeights(folder: HFModelFolder(path: dir + "/model"))
            let model = LlamaModel(weights: weights, lora: LoRASettings(rank: 4, alpha: 8, dropout: 0), embeddings: c.embeddings,
                                   baseVocabularySize: c.baseVocabulary, seed: 3)
            var options = TrainingOptions()
            options.steps = 3
            options.lr = 5e-2
            options.warmupRatio = 0
            options.lora = model.lora
            options.embeddings = c.embeddings
            var rng = SplitMix64(seed: 11)
            let tokens = (0..<64).map { _ in Int32(rng.next() % 96) }
            let batch = TrainingBatch(batchSize: 2, seqLen: 32, tokens: tokens, lossMask: [UInt8](repeating: 1, count: 64))
            let trainer = Trainer(model: model, options: options, source: InMemoryBatches([batch]), validation: [],
                                  runDirectory: NSTemporaryDirectory(), writeAdapter: { _ in })
            for step in 0..<3 { _ = try trainer.optimizerStep(step, batches: [batch]) }
            let adapter = out.file(c.name)
            try model.writeAdapter(to: adapter, baseModelNameOrPath: dir + "/model")
            // The training moved the trainable embeddings, so the check covers them too.
            let last = model.layout.slots.last!.name
            XCTAssertNotEqual(try PEFTAdapterFolder(path: adapter).floats(last), try PEFTAdapterFolder(path: dir + "/adapter").floats(last))
            jobs.append([dir + "/model", adapter, "\(tokens)"])
            expected.append(try model.logits(tokens: tokens, batch: 2, seqLen: 32))
        }
        let script = """
        import json, sys, torch
        from transformers import LlamaForCausalLM
        from peft import PeftModel
        out = []
        for base_dir, adapter, ids in json.loads(sys.argv[1]):
            base = LlamaForCausalLM.from_pretrained(base_dir, attn_implementation="eager")
            m = PeftModel.from_pretrained(base, adapter).eval()
            with torch.no_grad():
                out.append(m(input_ids=torch.tensor(json.loads(ids)).reshape(2, 32)).logits.reshape(-1).tolist())
        print(json.dumps(out))
        """
        let reply = try PythonPeer.run(script, [String(decoding: try JSONEncoder().encode(jobs), as: UTF8.self)])
        let theirs = try JSONDecoder().decode([[Float]].self, from: Data(reply.utf8))
        for (k, c) in PEFTParityTests.cases.enumerated() {
            var diff: Float = 0, scale: Float = 0
            for i in 0..<expected[k].count { diff = max(diff, abs(expected[k][i] - theirs[k][i])); scale = max(scale, abs(theirs[k][i])) }
            XCTAssertLessThan(diff / scale, 1e-5, "\(c.name): PEFT's logits with ko-llama's adapter")
        }
    }
}

/// LoRA dropout (no peer shares torch's random masks): the backward pass with dropout agrees
/// with finite differences of the same seeded masks, and the masks drop about `rate` of inputs.
final class LoRADropoutTests: XCTestCase {
    func testGradientMatchesFiniteDifferencesUnderDropout() throws {
        let dir = repositoryRoot + "/Tests/Fixtures/model/mha-untied"
        let weights = try LlamaWeights(folder: HFModelFolder(path: dir + "/model"))
        let model = LlamaModel(weights: weights, lora: LoRASettings(rank: 4, alpha: 8, dropout: 0.3), embeddings: .none, seed: 5)
        for slot in model.layout.slots where slot.name.contains("lora_B") {
            for i in 0..<slot.count { model.parameters[slot.offset + i] = Float(i % 7) * 0.01 - 0.03 }
        }
        var rng = SplitMix64(seed: 2)
        let tokens = (0..<32).map { _ in Int32(rng.next() % 96) }
        let targets = (0..<32).map { $0 % 16 == 15 ? Int32(-1) : tokens[$0 + 1] }
        func loss() throws -> Double {
            let l = try model.trainStep(tokens: tokens, targets: targets, batch: 2, seqLen: 16, lossScale: 1, dropoutSeed: 99)
            return l.nll
        }
        model.gradients.zero()
        _ = try loss()
        let analytic = model.gradients.array
        var checked = 0
        for slot in model.layout.slots where slot.name.contains("layers.0") && (slot.name.contains("q_proj") || slot.name.contains("down_proj")) {
            for i in stride(from: 0, to: slot.count, by: max(1, slot.count / 5)) {
                let k = slot.offset + i, saved = model.parameters[k], h: Float = 1e-2
                model.parameters[k] = saved + h
                let up = try loss()
                model.parameters[k] = saved - h
                let down = try loss()
                model.parameters[k] = saved
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(analytic[k]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(slot.name)[\(i)]")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 15)
        // A different seed gives a different loss: the masks really drop inputs.
        let other = try model.trainStep(tokens: tokens, targets: targets, batch: 2, seqLen: 16, lossScale: 1, dropoutSeed: 100)
        XCTAssertNotEqual(other.nll, try loss())
    }
}
