import Foundation
import Modeling
import TestSupport
import XCTest

/// The KV-cached forward pass (`LlamaInference`) against the training pass on the golden PEFT
/// fixtures (Tests/Fixtures/model), and greedy generation against transformers + PEFT.
final class LlamaInferenceTests: XCTestCase {
    static let cases = ["gqa-tied", "mha-untied", "gqa-new-rows"]

    static func fixture(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/model/" + name }

    static func model(_ name: String) throws -> LlamaModel {
        let dir = fixture(name)
        return try LlamaModel(weights: LlamaWeights(folder: HFModelFolder(path: dir + "/model")), adapter: dir + "/adapter")
    }

    static func inputIds(_ name: String) throws -> [Int32] {
        try SafeTensorsFile(path: fixture(name) + "/golden.safetensors").floats("input_ids").map { Int32($0) }
    }

    /// max |a - b| / max |b|.
    static func relativeError(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
        precondition(a.count == b.count)
        var diff: Float = 0, scale: Float = 1e-12
        for (x, y) in zip(a, b) { diff = max(diff, abs(x - y)); scale = max(scale, abs(y)) }
        return diff / scale
    }

    /// Prefill of a prefix then one step per token gives, at every position, the logits the
    /// full training forward (with LoRA unmerged) gives, and PEFT's golden logits.
    func testPrefillAndStepsMatchTheFullForward() throws {
        for name in Self.cases {
            let model = try Self.model(name), ids = try Self.inputIds(name)
            let full = try model.logits(tokens: ids, batch: 2, seqLen: 16)
            let golden = try SafeTensorsFile(path: Self.fixture(name) + "/golden.safetensors").floats("logits")
            let inference = LlamaInference(model: model)
            let v = model.config.vocabSize
            for b in 0..<2 {
                let row = Array(ids[(b * 16)..<(b * 16 + 16)])
                let cache = try KVCache(config: model.config, maxLength: 16)
                var mine: [[Float]] = [try inference.prefill(Array(row[0..<5]), cache: cache)]
                for t in 5..<16 { mine.append(try inference.step(row[t], cache: cache)) }
                XCTAssertEqual(cache.count, 16)
                for (k, logits) in mine.enumerated() {
                    let position = b * 16 + 4 + k
                    let want = full[(position * v)..<((position + 1) * v)]
                    XCTAssertLessThan(Self.relativeError(logits, want), 1e-5, "\(name) row \(b) position \(4 + k)")
                    XCTAssertLessThan(Self.relativeError(logits, golden[(position * v)..<((position + 1) * v)]), 1e-5, "\(name) vs PEFT")
                }
            }
        }
    }

    /// A copied cache continues independently of its original; a truncated one as if the
    /// later positions had never run.
    func testForkedAndTruncatedCachesContinueLikeFreshOnes() throws {
        let model = try Self.model("gqa-tied"), ids = try Self.inputIds("gqa-tied")
        let inference = LlamaInference(model: model)
        let cache = try KVCache(config: model.config, maxLength: 12)
        _ = try inference.prefill(Array(ids[0..<6]), cache: cache)
        let fork = cache.copy()
        let a = try inference.prefill([ids[6], ids[7]], cache: cache)
        let b = try inference.prefill([ids[20], ids[21]], cache: fork)
        let fresh = { (tokens: [Int32]) -> [Float] in try inference.prefill(tokens, cache: try KVCache(config: model.config, maxLength: 12)) }
        XCTAssertLessThan(Self.relativeError(a, try fresh(Array(ids[0..<8]))), 1e-6)
        XCTAssertLessThan(Self.relativeError(b, try fresh(Array(ids[0..<6]) + [ids[20], ids[21]])), 1e-6)
        try cache.truncate(to: 6)
        XCTAssertLessThan(Self.relativeError(try inference.prefill([ids[20], ids[21]], cache: cache), b), 1e-6)
        XCTAssertThrowsError(try cache.truncate(to: 9))
    }

    /// score = -(sum of the training pass's per-token NLL over the continuation), for
    /// continuations of different lengths after one prompt.
    func testScoreIsTheNegatedSumOfTargetNLL() throws {
        for name in Self.cases {
            let model = try Self.model(name), ids = try Self.inputIds(name)
            let prompt = Array(ids[0..<7])
            let continuations: [[Int32]] = [[ids[7]], Array(ids[7..<12]), Array(ids[16..<25]), []]
            let scores = try LlamaInference(model: model).score(continuations: continuations, afterPrompt: prompt)
            for (c, score) in zip(continuations, scores) {
                let tokens = prompt + c
                var targets = [Int32](repeating: -1, count: tokens.count)
                for (i, t) in c.enumerated() { targets[prompt.count - 1 + i] = t }
                let nll = try model.targetNLL(tokens: tokens, targets: targets, batch: 1, seqLen: tokens.count)
                let want = -nll.reduce(0.0) { $0 + Double($1) }
                XCTAssertEqual(score, want, accuracy: 1e-5 * max(1, abs(want)), "\(name) continuation of \(c.count)")
            }
            XCTAssertEqual(scores[3], 0)
        }
    }

    func testBadInputsAreErrors() throws {
        let model = try Self.model("mha-untied")
        let inference = LlamaInference(model: model)
        XCTAssertThrowsError(try KVCache(config: model.config, maxLength: 65)) { XCTAssertTrue("\($0)".contains("max_position_embeddings")) }
        let cache = try KVCache(config: model.config, maxLength: 4)
        XCTAssertThrowsError(try inference.prefill([1, 96], cache: cache)) { XCTAssertTrue("\($0)".contains("token id 96 at position 1")) }
        XCTAssertEqual(cache.count, 0, "a rejected block leaves the cache as it was")
        XCTAssertThrowsError(try inference.prefill([1, 2, 3, 4, 5], cache: cache)) { XCTAssertTrue("\($0)".contains("exceed")) }
        XCTAssertThrowsError(try inference.score(continuations: [[3]], afterPrompt: []))
        XCTAssertThrowsError(try inference.score(continuations: [[3, -1]], afterPrompt: [1])) { XCTAssertTrue("\($0)".contains("continuation 0")) }
    }

    /// Greedy continuations equal `PeftModel.generate(do_sample=False)` on the fixtures (base
    /// model + adapter), stopping where transformers stops (EOS 2 or the token budget).
    func testGreedyGenerationMatchesTransformers() throws {
        try PythonPeer.require("torch", "transformers", "peft")
        var prompts: [[[Int32]]] = []
        for name in Self.cases {
            let ids = try Self.inputIds(name)
            prompts.append([Array(ids[0..<3]), Array(ids[16..<26]), [1]])
        }
        let json = try PythonPeer.run(#"""
            import sys, json, torch
            from transformers import LlamaForCausalLM
            from peft import PeftModel
            out = []
            for case, prompts in zip(sys.argv[2:], json.loads(sys.argv[1])):
                base = LlamaForCausalLM.from_pretrained(case + "/model", attn_implementation="eager")
                model = PeftModel.from_pretrained(base, case + "/adapter").eval()
                for p in prompts:
                    x = torch.tensor([p])
                    with torch.no_grad():
                        y = model.generate(input_ids=x, attention_mask=torch.ones_like(x), do_sample=False, max_new_tokens=24,
                                           eos_token_id=2, pad_token_id=2)
                    out.append(y[0, len(p):].tolist())
            print(json.dumps(out))
            """#, ["\(prompts.map { $0.map { $0.map(Int.init) } })"] + Self.cases.map(Self.fixture))
        var want = try JSONDecoder().decode([[Int32]].self, from: Data(json.utf8))[...]
        XCTAssertEqual(want.count, 9)
        XCTAssertTrue(want.contains { $0.count == 24 }, "some continuation runs to the token budget")
        for (name, casePrompts) in zip(Self.cases, prompts) {
            let inference = LlamaInference(model: try Self.model(name))
            for p in casePrompts {
                XCTAssertEqual(try inference.generate(prompt: p, maxNewTokens: 24, stopTokens: [2]), want.popFirst(), "\(name) prompt \(p)")
            }
        }
    }

    /// Sampling repeats for a seed, differs across seeds, and a tiny top-p keeps only the most
    /// probable token (so it equals greedy).
    func testSamplingIsSeededAndTopPBoundsTheNucleus() throws {
        let inference = LlamaInference(model: try Self.model("mha-untied"))
        let hot = SamplingSettings(temperature: 1.5, topP: 1, seed: 7)
        let first = try inference.generate(prompt: [5, 6], maxNewTokens: 20, sampling: hot)
        XCTAssertEqual(try inference.generate(prompt: [5, 6], maxNewTokens: 20, sampling: hot), first)
        var other = hot
        other.seed = 8
        XCTAssertNotEqual(try inference.generate(prompt: [5, 6], maxNewTokens: 20, sampling: other), first)
        let greedy = try inference.generate(prompt: [5, 6], maxNewTokens: 20)
        XCTAssertNotEqual(first, greedy)
        XCTAssertEqual(try inference.generate(prompt: [5, 6], maxNewTokens: 20, sampling: SamplingSettings(temperature: 1.5, topP: 1e-6, seed: 7)),
                       greedy)
        let limited = try inference.generate(prompt: [5, 6], maxNewTokens: 20, sampling: hot, vocabularyLimit: 10)
        XCTAssertTrue(limited.allSatisfy { $0 < 10 }, "\(limited)")
        XCTAssertTrue(try inference.generate(prompt: [5, 6], maxNewTokens: 20, vocabularyLimit: 10).allSatisfy { $0 < 10 })
    }
}
