import Foundation
import Packing

/// Where training batches come from: packed shards (`BlockStream`) or `clean/` JSONL encoded on
/// the fly (`DocumentStream`). The state round-trips through JSON inside checkpoints so a resumed
/// run sees exactly the batches the uninterrupted run would have.
public protocol TrainingBatchSource: AnyObject {
    func nextBatch() throws -> TrainingBatch
    func savedState() throws -> Data
    func restore(savedState: Data) throws
}

extension BlockStream: TrainingBatchSource {
    public func savedState() throws -> Data { try JSONEncoder().encode(state) }
    public func restore(savedState: Data) throws { try restore(JSONDecoder().decode(StreamState.self, from: savedState)) }
}

extension DocumentStream: TrainingBatchSource {
    public func savedState() throws -> Data { try JSONEncoder().encode(state) }
    public func restore(savedState: Data) throws { try restore(JSONDecoder().decode(DocumentStreamState.self, from: savedState)) }
}

extension TrainingBatch {
    /// Causal-LM targets: position t predicts token t+1 of the same row when both are real
    /// tokens (loss mask 1); the last position of a row and padding predict nothing (-1).
    public var nextTokenTargets: [Int32] {
        var targets = [Int32](repeating: -1, count: tokens.count)
        for b in 0..<batchSize {
            let row = b * seqLen
            for t in 0..<(seqLen - 1) where lossMask[row + t] != 0 && lossMask[row + t + 1] != 0 {
                targets[row + t] = tokens[row + t + 1]
            }
        }
        return targets
    }
}

/// Batches held in memory, served in order and cycled (instruction data after length grouping,
/// benchmarks). The state is the position.
public final class InMemoryBatches: TrainingBatchSource {
    public let batches: [TrainingBatch]
    public private(set) var position = 0

    public init(_ batches: [TrainingBatch]) {
        precondition(!batches.isEmpty, "InMemoryBatches needs at least one batch")
        self.batches = batches
    }

    public func nextBatch() throws -> TrainingBatch {
        defer { position += 1 }
        return batches[position % batches.count]
    }

    public func savedState() throws -> Data { try JSONEncoder().encode(position) }
    public func restore(savedState: Data) throws { position = try JSONDecoder().decode(Int.self, from: savedState) }
}
