import Modeling

/// Scores fixed candidate answers after prompts by their likelihood under the model, as
/// lm-evaluation-harness scores multiple choice (`loglikelihood` of each continuation): for each
/// prompt and candidate, the summed -log p of the candidate's tokens (EOS included) given the
/// prompt and the candidate's earlier tokens. The sum, not the mean per token: the answer is the
/// whole sequence up to EOS, and its probability is the product; a mean would favour long names.
/// All candidates of `examplesPerPass` prompts go through the model as one right-padded
/// B x T batch (`LlamaModel.targetNLL`), padding predicting nothing; the prompt is recomputed
/// per candidate (no KV cache is shared).
public struct CandidateScorer {
    public let model: LlamaModel
    /// Each candidate's tokens (the response and EOS).
    public let candidates: [[Int32]]
    public let padId: Int32
    public let examplesPerPass: Int

    public init(model: LlamaModel, candidates: [[Int32]], padId: Int32, examplesPerPass: Int = 4) {
        precondition(!candidates.isEmpty && candidates.allSatisfy { !$0.isEmpty } && examplesPerPass > 0,
                     "candidates must be non-empty and a pass must hold an example")
        self.model = model
        self.candidates = candidates
        self.padId = padId
        self.examplesPerPass = examplesPerPass
    }

    /// `nll[example][candidate]`; each prompt needs at least one token.
    public func negativeLogLikelihoods(prompts: [[Int32]], progress: ((Int) -> Void)? = nil) throws -> [[Double]] {
        var result: [[Double]] = []
        result.reserveCapacity(prompts.count)
        for start in stride(from: 0, to: prompts.count, by: examplesPerPass) {
            let group = prompts[start..<min(start + examplesPerPass, prompts.count)]
            result += try pass(Array(group))
            progress?(group.count)
        }
        return result
    }

    private func pass(_ prompts: [[Int32]]) throws -> [[Double]] {
        let k = candidates.count
        let seqLen = prompts.map(\.count).max()! + candidates.map(\.count).max()!
        let rows = prompts.count * k
        var tokens = [Int32](repeating: padId, count: rows * seqLen)
        var targets = [Int32](repeating: -1, count: rows * seqLen)
        for (e, prompt) in prompts.enumerated() {
            precondition(!prompt.isEmpty, "a prompt needs at least one token")
            for (c, candidate) in candidates.enumerated() {
                let base = (e * k + c) * seqLen
                for (t, id) in prompt.enumerated() { tokens[base + t] = id }
                for (j, id) in candidate.enumerated() {
                    tokens[base + prompt.count + j] = id
                    targets[base + prompt.count - 1 + j] = id
                }
            }
        }
        let nll = try model.targetNLL(tokens: tokens, targets: targets, batch: rows, seqLen: seqLen)
        return prompts.indices.map { e in
            (0..<k).map { c in
                let base = (e * k + c) * seqLen + prompts[e].count - 1
                return (0..<candidates[c].count).reduce(0.0) { $0 + Double(nll[base + $1]) }
            }
        }
    }
}
