import Corpus
import Foundation
import Packing

extension TrainingBatch {
    /// Instruction sequences as one right-padded batch, `seqLen` the longest row. The loss mask
    /// is 1 from each row's last prompt token through its EOS and 0 on the rest of the prompt and
    /// on padding, so `nextTokenTargets` (position t predicts t+1 where both are 1) makes exactly
    /// the response and EOS the predicted tokens: the last prompt token predicts the first
    /// response token, the EOS and padding predict nothing. Padding after a row never reaches it
    /// under causal attention, so `padId` is any valid id.
    public init(instructions rows: [InstructionSequence], padId: Int32) {
        precondition(!rows.isEmpty, "a batch needs at least one row")
        let seqLen = rows.map(\.tokens.count).max()!
        var tokens = [Int32](repeating: padId, count: rows.count * seqLen)
        var mask = [UInt8](repeating: 0, count: rows.count * seqLen)
        for (b, row) in rows.enumerated() {
            let base = b * seqLen
            for (t, id) in row.tokens.enumerated() { tokens[base + t] = id }
            for t in (row.promptLength - 1)..<row.tokens.count { mask[base + t] = 1 }
        }
        self.init(batchSize: rows.count, seqLen: seqLen, tokens: tokens, lossMask: mask)
    }
}

/// Instruction sequences in length-grouped batches, as transformers' `LengthGroupedSampler`
/// (`group_by_length=True`): each epoch the examples are shuffled (seeded, per epoch), cut into
/// mega-batches of `megaBatchFactor` batches, each mega-batch sorted longest first and cut into
/// batches, so rows of a batch have similar lengths and short headlines do not pay for long
/// ones, while the order still changes every epoch. Epochs follow one another without end (the
/// trainer's step count decides how many are used); the last batch of an epoch may be smaller.
/// The state is the number of batches served plus a fingerprint of the data and settings.
public final class LengthGroupedBatches: TrainingBatchSource {
    public let sequences: [InstructionSequence]
    public let batchSize: Int
    public let megaBatchFactor: Int
    public let seed: UInt64
    public let padId: Int32
    public private(set) var position = 0
    private let fingerprint: String
    private var cachedEpoch: (epoch: Int, batches: [[Int]])?

    public init(_ sequences: [InstructionSequence], batchSize: Int, megaBatchFactor: Int = 50, seed: UInt64, padId: Int32) {
        precondition(!sequences.isEmpty && batchSize > 0 && megaBatchFactor > 0, "length grouping needs sequences and positive sizes")
        self.sequences = sequences
        self.batchSize = batchSize
        self.megaBatchFactor = megaBatchFactor
        self.seed = seed
        self.padId = padId
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func feed(_ x: UInt64) { h = StableHash.mix(h ^ x) &* 0x0000_0100_0000_01B3 }
        for v in [UInt64(batchSize), UInt64(megaBatchFactor), seed, UInt64(bitPattern: Int64(padId)), UInt64(sequences.count)] { feed(v) }
        for s in sequences {
            feed(UInt64(s.promptLength) << 32 | UInt64(s.tokens.count))
            for t in s.tokens { feed(UInt64(UInt32(bitPattern: t))) }
        }
        fingerprint = String(h, radix: 16)
    }

    public var batchesPerEpoch: Int { (sequences.count + batchSize - 1) / batchSize }

    /// The rows (indices into `sequences`) of each batch of `epoch`, in serving order.
    public func batches(epoch: Int) -> [[Int]] {
        if let c = cachedEpoch, c.epoch == epoch { return c.batches }
        var order = Array(sequences.indices)
        var rng = SplitMix64(seed: seed ^ (0x6C65_6E67_7468 &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        // Fisher-Yates with our own generator: the stdlib's shuffle algorithm may change.
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var result: [[Int]] = []
        let mega = batchSize * megaBatchFactor
        for start in stride(from: 0, to: order.count, by: mega) {
            // Longest first; equal lengths keep their shuffled order.
            let group = order[start..<min(start + mega, order.count)].enumerated()
                .sorted { (sequences[$0.element].tokens.count, $1.offset) > (sequences[$1.element].tokens.count, $0.offset) }
                .map(\.element)
            for b in stride(from: 0, to: group.count, by: batchSize) {
                result.append(Array(group[b..<min(b + batchSize, group.count)]))
            }
        }
        cachedEpoch = (epoch, result)
        return result
    }

    public func nextBatch() throws -> TrainingBatch {
        let rows = batches(epoch: position / batchesPerEpoch)[position % batchesPerEpoch]
        position += 1
        return TrainingBatch(instructions: rows.map { sequences[$0] }, padId: padId)
    }

    private struct State: Codable {
        var position: Int
        var fingerprint: String
    }

    public func savedState() throws -> Data { try JSONEncoder().encode(State(position: position, fingerprint: fingerprint)) }

    public func restore(savedState: Data) throws {
        let state = try JSONDecoder().decode(State.self, from: savedState)
        guard state.fingerprint == fingerprint else {
            throw TrainingError.incompatibleRun(path: "checkpoint", detail: "the checkpoint was trained on other instruction data "
                + "(examples, tokenizer, --max-len, --batch or --seed differ); --resume needs the same ones")
        }
        position = state.position
    }

    /// Batches of `sequences` in a fixed order (shortest first, ties by index) for validation:
    /// the same batches at every evaluation.
    public static func fixedBatches(_ sequences: [InstructionSequence], batchSize: Int, padId: Int32) -> [TrainingBatch] {
        let order = sequences.indices.sorted { (sequences[$0].tokens.count, $0) < (sequences[$1].tokens.count, $1) }
        return stride(from: 0, to: order.count, by: batchSize).map { start in
            TrainingBatch(instructions: order[start..<min(start + batchSize, order.count)].map { sequences[$0] }, padId: padId)
        }
    }
}
