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
