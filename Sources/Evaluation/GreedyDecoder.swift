import Modeling

/// Greedy decoding (transformers' `generate(do_sample=False)`): each step appends the most
/// likely next token (the lowest id on a tie) to every unfinished row, until a stop token (kept
/// out of the output) or `maxNewTokens`. Rows of a batch are right-padded and each reads the
/// logits at its own last position, which causal attention keeps independent of the padding.
/// Without a KV cache every step recomputes the whole sequence: correct, and fine for the few
/// tokens of a topic name, but quadratic for long outputs.
public struct GreedyDecoder {
    public let model: LlamaModel
    public let stop: Set<Int32>
    public let maxNewTokens: Int
    public let padId: Int32

    public init(model: LlamaModel, stop: Set<Int32>, maxNewTokens: Int, padId: Int32) {
        self.model = model
        self.stop = stop
        self.maxNewTokens = maxNewTokens
        self.padId = padId
    }

    /// The generated ids of each prompt (each prompt needs at least one token).
    public func generate(_ prompts: [[Int32]]) throws -> [[Int32]] {
        var rows = prompts
        var outputs = [[Int32]](repeating: [], count: prompts.count)
        var active = Array(prompts.indices)
        let v = model.config.vocabSize
        for _ in 0..<maxNewTokens where !active.isEmpty {
            let seqLen = active.map { rows[$0].count }.max()!
            var tokens = [Int32](repeating: padId, count: active.count * seqLen)
            for (b, r) in active.enumerated() {
                for (t, id) in rows[r].enumerated() { tokens[b * seqLen + t] = id }
            }
            let logits = try model.logits(tokens: tokens, batch: active.count, seqLen: seqLen)
            var still: [Int] = []
            for (b, r) in active.enumerated() {
                let row = (b * seqLen + rows[r].count - 1) * v
                var best = 0
                for j in 1..<v where logits[row + j] > logits[row + best] { best = j }
                let id = Int32(best)
                if stop.contains(id) { continue }
                outputs[r].append(id)
                rows[r].append(id)
                still.append(r)
            }
            active = still
        }
        return outputs
    }
}
