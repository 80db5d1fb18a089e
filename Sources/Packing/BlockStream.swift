import Corpus
import Foundation

/// How documents become fixed-length training blocks.
public enum PackingMode: String, Sendable, Codable {
    /// Chinese-LLaMA / Hugging Face `group_texts`: documents (each ending in EOS) are
    /// concatenated and cut every `seqLen` tokens; the incomplete tail is dropped.
    case concatenate
    /// Blocks never cross a document boundary: documents are placed whole (longer ones split
    /// into `seqLen` pieces), the rest of a block is padding with loss mask 0.
    case documentAligned = "document-aligned"
}

/// Options of a training stream. `rank`/`worldSize` give each data-parallel worker a disjoint
/// share of the blocks; `seed` fixes the per-epoch shuffle.
public struct StreamOptions: Sendable, Codable, Equatable {
    public var seqLen: Int
    public var batchSize: Int
    public var seed: UInt64
    public var rank: Int
    public var worldSize: Int
    public var mode: PackingMode
    public var shuffle: Bool
    public var padID: Int32

    public init(seqLen: Int, batchSize: Int, seed: UInt64 = 0, rank: Int = 0, worldSize: Int = 1,
                mode: PackingMode = .concatenate, shuffle: Bool = true, padID: Int32 = 0) {
        self.seqLen = seqLen
        self.batchSize = batchSize
        self.seed = seed
        self.rank = rank
        self.worldSize = worldSize
        self.mode = mode
        self.shuffle = shuffle
        self.padID = padID
    }
}

/// A batch of B x T token ids, row-major, with a loss mask (1 = train on this position).
public struct TrainingBatch: Sendable, Equatable {
    public var batchSize: Int
    public var seqLen: Int
    public var tokens: [Int32]
    public var lossMask: [UInt8]

    public init(batchSize: Int, seqLen: Int, tokens: [Int32], lossMask: [UInt8]) {
        self.batchSize = batchSize
        self.seqLen = seqLen
        self.tokens = tokens
        self.lossMask = lossMask
    }
}

/// Where a stream is: enough to resume and get exactly the batches an uninterrupted run
/// would have produced. It is stored inside training checkpoints.
public struct StreamState: Sendable, Codable, Equatable {
    public var options: StreamOptions
    public var epoch: Int
    /// Position in this epoch's (shuffled) order of this rank's blocks.
    public var position: Int
    /// Identifies the data the state belongs to (token count and sequence count).
    public var datasetFingerprint: String
}

public enum StreamError: Error, Sendable, CustomStringConvertible {
    case invalidOptions(String)
    case stateMismatch(String)
    case tooLittleData(String)

    public var description: String {
        switch self {
        case let .invalidOptions(s): return "invalid stream options: \(s)"
        case let .stateMismatch(s): return "cannot resume: \(s)"
        case let .tooLittleData(s): return "not enough data: \(s)"
        }
    }
}

/// Streams B x T batches from a memory-mapped Megatron indexed dataset, endlessly over epochs.
/// Blocks are laid out once (by `PackingMode`), each epoch visits them in a seeded permutation,
/// and worker `rank` takes every `worldSize`-th block of that order. Every rank gets the same
/// number of blocks per epoch, so ranks stay in step across epochs: the last
/// `totalBlocks % worldSize` blocks of each epoch's order are left out (PyTorch's
/// `DistributedSampler(drop_last=True)`; with shuffling, other blocks each epoch). Resuming
/// from `state` reproduces the uninterrupted sequence of batches exactly.
public final class BlockStream {
    /// Blocks refer to the dataset's sequences by index.
    typealias Layout = BlockLayout<Int32>

    public let dataset: IndexedDataset
    public let options: StreamOptions
    private var blocks: [[Layout.Segment]] = []
    private var order: [Int32] = []
    public private(set) var epoch = 0
    public private(set) var position = 0

    public init(dataset: IndexedDataset, options: StreamOptions) throws {
        guard options.seqLen > 0, options.batchSize > 0 else { throw StreamError.invalidOptions("seqLen and batchSize must be positive") }
        guard options.worldSize >= 1, (0..<options.worldSize).contains(options.rank) else {
            throw StreamError.invalidOptions("rank \(options.rank) not in 0..<\(options.worldSize)")
        }
        self.dataset = dataset
        self.options = options
        layOutBlocks()
        guard blocks.count >= options.worldSize * options.batchSize else {
            throw StreamError.tooLittleData("\(dataset.prefix) yields \(blocks.count) blocks of \(options.seqLen) tokens; "
                + "\(options.worldSize) worker(s) x batch \(options.batchSize) need at least \(options.worldSize * options.batchSize)")
        }
        prepareEpoch()
    }

    /// Number of blocks one epoch has for each rank (the same for all).
    public var blocksPerEpoch: Int { blocks.count / options.worldSize }
    public var totalBlocks: Int { blocks.count }

    public var fingerprint: String { "\(dataset.sequenceCount):\(dataset.tokenCount):\(dataset.dtype.rawValue)" }

    public var state: StreamState {
        StreamState(options: options, epoch: epoch, position: position, datasetFingerprint: fingerprint)
    }

    /// Continues from a saved state (same data and options).
    public func restore(_ saved: StreamState) throws {
        guard saved.options == options else { throw StreamError.stateMismatch("the saved options differ from this stream's") }
        guard saved.datasetFingerprint == fingerprint else {
            throw StreamError.stateMismatch("the saved state belongs to other data (\(saved.datasetFingerprint), this is \(fingerprint))")
        }
        epoch = saved.epoch
        prepareEpoch()
        position = saved.position
    }

    /// The next batch; crosses into the next epoch (reshuffled) when this one runs out.
    public func nextBatch() -> TrainingBatch {
        var batch = BatchBuilder(batchSize: options.batchSize, seqLen: options.seqLen, padID: options.padID)
        for _ in 0..<options.batchSize {
            if position >= blocksPerEpoch {
                epoch += 1
                prepareEpoch()
            }
            let block = blocks[Int(order[options.rank + position * options.worldSize])]
            position += 1
            batch.addRow { out in
                for s in block { dataset.copyTokens(sequence: Int(s.source), from: s.start, count: s.count, into: &out) }
            }
        }
        return batch.batch
    }

    private func prepareEpoch() {
        position = 0
        order = (0..<Int32(blocks.count)).map { $0 }
        guard options.shuffle else { return }
        var rng = SplitMix64(seed: options.seed &+ UInt64(epoch) &* 0x9E3779B97F4A7C15)
        // Fisher-Yates with a seeded generator: the same seed and epoch give the same order.
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
    }

    private func layOutBlocks() {
        var layout = Layout(seqLen: options.seqLen, mode: options.mode)
        for i in 0..<dataset.sequenceCount {
            layout.add(Int32(i), count: Int(dataset.sizes[i])) { blocks.append($0) }
        }
        layout.endOfDocuments { blocks.append($0) }
    }
}
