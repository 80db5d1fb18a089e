import Foundation
import Modeling

/// Perplexity as the Ko-LLaMA paper compares it before and after training: each document on its
/// own, tokenized as `pack` does (EOS after, BOS before only when asked), cut into
/// non-overlapping windows of `seqLen` tokens; every token of a window but its first is predicted
/// from the ones before it in the same window. No context crosses documents or windows.
public struct PerplexityResult: Sendable, Codable, Equatable {
    /// Predicted tokens.
    public var tokens: Int
    /// Mean negative log-likelihood per predicted token (nats).
    public var nll: Double
    public var ppl: Double
    public var documents: Int
}

public enum Perplexity {
    /// Scores `documents` (token ids, already with EOS/BOS). Windows are sorted by length and
    /// run `batch` at a time padded to a power of two (at least 32, at most `seqLen`), so short
    /// documents do not pay for long windows and the model sees few shapes.
    public static func evaluate(model: LlamaModel, documents: [[Int32]], seqLen: Int, batch: Int = 4) throws -> PerplexityResult {
        precondition(seqLen > 1 && batch > 0)
        var windows: [ArraySlice<Int32>] = []
        for doc in documents {
            for start in stride(from: 0, to: doc.count, by: seqLen) where doc.count - start > 1 {
                windows.append(doc[start..<min(doc.count, start + seqLen)])
            }
        }
        windows.sort { $0.count < $1.count }
        var total = LossSum()
        var i = 0
        while i < windows.count {
            let width = min(seqLen, max(32, 1 << (Int.bitWidth - (windows[i].count - 1).leadingZeroBitCount)))
            var group: [ArraySlice<Int32>] = []
            while i < windows.count, windows[i].count <= width, group.count < batch {
                group.append(windows[i])
                i += 1
            }
            var tokens = [Int32](repeating: 0, count: batch * width)
            var targets = [Int32](repeating: -1, count: batch * width)
            for (row, window) in group.enumerated() {
                for (t, id) in window.enumerated() {
                    tokens[row * width + t] = id
                    if t > 0 { targets[row * width + t - 1] = id }
                }
            }
            total += try model.evaluate(tokens: tokens, targets: targets, batch: batch, seqLen: width)
        }
        let mean = total.count == 0 ? Double.nan : total.nll / Double(total.count)
        return PerplexityResult(tokens: total.count, nll: mean, ppl: mean.isNaN ? .nan : exp(mean), documents: documents.count)
    }
}
