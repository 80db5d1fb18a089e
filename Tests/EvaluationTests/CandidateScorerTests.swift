import Corpus
import Evaluation
import Foundation
import Modeling
import XCTest

/// The batched scorer and decoder against the plain definition: one unpadded sequence at a
/// time through `logits`, log-softmax, argmax.
final class CandidateScorerTests: XCTestCase {
    private let model: LlamaModel = {
        let config = LlamaConfig(vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2)
        let weights = try! LlamaWeights(config: config, tensors: ModelInitializer.initialize(config: config, seed: 3))
        return LlamaModel(weights: weights, lora: LoRASettings(targets: []), embeddings: .none, threads: 2)
    }()

    private func logSoftmax(_ row: ArraySlice<Float>) -> [Double] {
        let m = Double(row.max()!)
        let sum = row.reduce(0.0) { $0 + exp(Double($1) - m) }
        return row.map { Double($0) - m - log(sum) }
    }

    private func lastLogits(_ tokens: [Int32]) throws -> ArraySlice<Float> {
        let v = model.config.vocabSize
        let all = try model.logits(tokens: tokens, batch: 1, seqLen: tokens.count)
        return all[(tokens.count - 1) * v..<tokens.count * v]
    }

    func testBatchedScoresEqualOneSequenceAtATime() throws {
        let candidates: [[Int32]] = [[5, 2], [7, 8, 9, 2], [2]]
        let prompts: [[Int32]] = [[1, 10, 11, 12], [1, 13], [1, 14, 15, 16, 17, 18, 19], [1, 20, 21]]
        let scorer = CandidateScorer(model: model, candidates: candidates, padId: 0, examplesPerPass: 3)
        let batched = try scorer.negativeLogLikelihoods(prompts: prompts)
        XCTAssertEqual(batched.count, prompts.count)
        for (e, prompt) in prompts.enumerated() {
            for (c, candidate) in candidates.enumerated() {
                var context = prompt
                var nll = 0.0
                for id in candidate {
                    nll -= logSoftmax(try lastLogits(context))[Int(id)]
                    context.append(id)
                }
                XCTAssertEqual(batched[e][c], nll, accuracy: 1e-4, "prompt \(e), candidate \(c)")
            }
        }
    }

    func testGreedyDecodingOfABatchEqualsDecodingEachPromptAlone() throws {
        let prompts: [[Int32]] = [[1, 10, 11, 12], [1, 13], [1, 14, 15, 16, 17, 18, 19]]
        let stop: Set<Int32> = [2, 3, 4]
        let decoder = GreedyDecoder(model: model, stop: stop, maxNewTokens: 6, padId: 0)
        let batched = try decoder.generate(prompts)
        for (p, prompt) in prompts.enumerated() {
            var context = prompt
            var expected: [Int32] = []
            for _ in 0..<6 {
                let row = try lastLogits(context)
                let best = Int32(row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - row.startIndex)
                if stop.contains(best) { break }
                expected.append(best)
                context.append(best)
            }
            XCTAssertEqual(batched[p], expected, "prompt \(p)")
        }
    }
}
