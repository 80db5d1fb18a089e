import Corpus
import Dispatch
import Foundation
import Tokenization

/// Options of the on-the-fly stream over JSONL shards.
public struct DocumentStreamOptions: Sendable, Codable, Equatable {
    public var seqLen: Int
    public var batchSize: Int
    public var seed: UInt64
    public var rank: Int
    public var worldSize: Int
    /// Blocks held in the shuffle buffer (0 = no shuffling within the stream).
    public var shuffleBufferBlocks: Int
    public var addBOS: Bool
    public var mode: PackingMode
    /// Fills the rest of a document-aligned block (loss mask 0).
    public var padID: Int32

    public init(seqLen: Int, batchSize: Int, seed: UInt64 = 0, rank: Int = 0, worldSize: Int = 1,
                shuffleBufferBlocks: Int = 256, addBOS: Bool = false, mode: PackingMode = .concatenate, padID: Int32 = 0) {
        self.seqLen = seqLen
        self.batchSize = batchSize
        self.seed = seed
        self.rank = rank
        self.worldSize = worldSize
        self.shuffleBufferBlocks = shuffleBufferBlocks
        self.addBOS = addBOS
        self.mode = mode
        self.padID = padID
    }
}

/// Where a `DocumentStream` is, from the trainer's side: the last document it took, the tokens
/// of the block being filled, the shuffle buffer and the generator. Restoring it yields
/// exactly the batches an uninterrupted stream would have produced.
public struct DocumentStreamState: Sendable, Codable, Equatable {
    /// How far into an epoch the last document taken lies.
    public struct Position: Sendable, Codable, Equatable {
        /// Index into the epoch's shard order, and documents of that shard read.
        public var shard = 0
        public var document = 0
        /// Documents of the epoch read, all ranks' (the next one's number decides its rank).
        public var epochDocuments = 0
    }

    public var options: DocumentStreamOptions
    public var shards: [String]
    public var epoch: Int
    public var position: Position
    /// Tokens of the block being filled.
    public var carry: [Int32]
    /// Complete blocks (document-aligned ones may be shorter than `seqLen`: padded when batched).
    public var buffer: [[Int32]]
    public var random: SplitMix64
}

/// Streams B x T batches straight from `<corpus>/clean/<split>/*.jsonl.gz`, encoding on the fly:
/// a background thread reads and encodes documents ahead of the trainer into a bounded queue;
/// the stream lays them out (EOS after each) into `seqLen` blocks by `PackingMode`, exactly as
/// `BlockStream` does, and draws blocks from a seeded shuffle buffer. Document-aligned, the
/// partial block at the end of an epoch is padded, so blocks never mix epochs.
///
/// Shard order is reshuffled every epoch. Documents are numbered through the epoch in that
/// order and worker `rank` of `worldSize` takes every `worldSize`-th one, so workers see
/// disjoint data; the last `documents % worldSize` of an epoch are left out (like
/// `DistributedSampler(drop_last=True)`), so every rank takes the same number of documents per
/// epoch. Ranks still reach an epoch's end at different steps when their documents differ in
/// length: blocks are cut from tokens, and no rank knows the others' token counts. The stream
/// reads one named `CorpusSplit`, so train and valid can never mix.
public final class DocumentStream: @unchecked Sendable {
    public typealias Position = DocumentStreamState.Position

    public let processor: any TextTokenizer
    public let options: DocumentStreamOptions
    public let shards: [String]
    private let eos: Int32

    private var epoch = 0
    private var position = Position()
    private var layout: BlockLayout<[Int32]>
    private var buffer: [[Int32]] = []
    private var random: SplitMix64
    private var producer: Producer?

    /// Streams one split (`train`, `valid` or `test`) of the cleaned corpus in `corpus`.
    public init(corpus: String, split: String, processor: any TextTokenizer, options: DocumentStreamOptions) throws {
        guard options.seqLen > 0, options.batchSize > 0, options.worldSize >= 1, (0..<options.worldSize).contains(options.rank) else {
            throw StreamError.invalidOptions("seqLen/batchSize must be positive and rank in 0..<worldSize")
        }
        let split = try CorpusSplit(corpus: corpus, name: split)
        shards = try split.shards()
        guard !shards.isEmpty else { throw CorpusSplitError.noShards(path: split.directory) }
        guard let eos = processor.eosId else { throw StreamError.invalidOptions("the tokenizer has no </s> piece") }
        self.eos = eos
        self.processor = processor
        self.options = options
        layout = BlockLayout(seqLen: options.seqLen, mode: options.mode)
        random = SplitMix64(seed: options.seed)
        startEpoch(epoch: 0)
    }

    deinit { producer?.cancel() }

    public var state: DocumentStreamState {
        DocumentStreamState(options: options, shards: shards, epoch: epoch, position: position,
                            carry: layout.partialBlock, buffer: buffer, random: random)
    }

    public func restore(_ s: DocumentStreamState) throws {
        guard s.options == options, s.shards == shards else {
            throw StreamError.stateMismatch("the saved stream had other options or shards")
        }
        producer?.cancel()
        epoch = s.epoch
        position = s.position
        layout.restore(partialBlock: s.carry)
        buffer = s.buffer
        random = s.random
        producer = Producer(stream: self, epoch: epoch, after: position)
    }

    public func nextBatch() throws -> TrainingBatch {
        var batch = BatchBuilder(batchSize: options.batchSize, seqLen: options.seqLen, padID: options.padID)
        for _ in 0..<options.batchSize {
            let block = try nextBlock()
            batch.addRow { $0 += block }
        }
        return batch.batch
    }

    private func nextBlock() throws -> [Int32] {
        // Fill the shuffle buffer (or, without one, produce the next block directly).
        var epochsWithoutDocuments = 0
        fill: while buffer.count < max(1, options.shuffleBufferBlocks) {
            switch try producer!.take() {
            case let .document(ids, at):
                position = at
                layout.add(ids, count: ids.count) { buffer.append(BlockLayout.tokens(of: $0)) }
            case .endOfEpoch:
                layout.endOfDocuments { buffer.append(BlockLayout.tokens(of: $0)) }
                if position == Position() { epochsWithoutDocuments += 1 }
                if epochsWithoutDocuments > 1 { break fill }
                startEpoch(epoch: epoch + 1)
            }
        }
        guard !buffer.isEmpty else {
            throw StreamError.tooLittleData("the shards yield no block of \(options.seqLen) tokens for rank \(options.rank) of \(options.worldSize)")
        }
        if options.shuffleBufferBlocks == 0 { return buffer.removeFirst() }
        buffer.swapAt(Int(random.next() % UInt64(buffer.count)), buffer.count - 1)
        return buffer.removeLast()
    }

    private func startEpoch(epoch: Int) {
        producer?.cancel()
        self.epoch = epoch
        position = Position()
        producer = Producer(stream: self, epoch: epoch, after: position)
    }

    static func shardOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed ^ (UInt64(epoch) &* 0xD1B54A32D192ED03))
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return order
    }

    /// Reads and encodes this rank's documents on a background thread, a bounded queue ahead of
    /// the stream.
    final class Producer: @unchecked Sendable {
        enum Item {
            case document([Int32], Position)
            case endOfEpoch
        }

        private let lock = NSCondition()
        private var queue: [Item] = []
        private var failure: Error?
        private var cancelled = false
        private let capacity = 1024

        /// Starts reading `epoch` after the document at `start` (all of it for `Position()`).
        init(stream: DocumentStream, epoch: Int, after start: Position) {
            let shards = stream.shards
            let order = DocumentStream.shardOrder(count: shards.count, seed: stream.options.seed, epoch: epoch)
            let options = stream.options
            let processor = stream.processor
            let eos = stream.eos
            let bos = options.addBOS ? processor.bosId : nil
            let thread = Thread { [self] in
                do {
                    var pending: [(text: [UInt8], at: Position)] = []
                    // Encodes and queues the pending documents; false once cancelled.
                    func flush() throws -> Bool {
                        let encoded = try processor.encode(lines: pending.map(\.text), threads: 1)
                        for (ids, document) in zip(encoded, pending) {
                            var doc: [Int32] = bos.map { [$0] } ?? []
                            doc += ids
                            doc.append(eos)
                            if !put(.document(doc, document.at)) { return false }
                        }
                        pending.removeAll()
                        return true
                    }
                    // Document number n (from 0, through the epoch) belongs to rank n % worldSize and
                    // is queued once its group of worldSize is complete; an incomplete last group is
                    // left out, so every rank takes the same number of documents.
                    var read = start
                    var held: (text: [UInt8], at: Position)?
                    for s in start.shard..<order.count {
                        let reader = try DocumentShardReader(path: shards[order[s]])
                        var d = 0
                        while let doc = try reader.next(skippingInvalid: true) {
                            d += 1
                            if s == start.shard && d <= start.document { continue }
                            let number = read.epochDocuments
                            read = Position(shard: s, document: d, epochDocuments: number + 1)
                            if number % options.worldSize == options.rank { held = (Array(doc.text.utf8), read) }
                            if number % options.worldSize == options.worldSize - 1, let document = held {
                                pending.append(document)
                                held = nil
                                if pending.count == 64, try !flush() { return }
                            }
                            if isCancelled { return }
                        }
                    }
                    if try flush() { _ = put(.endOfEpoch) }
                } catch {
                    lock.lock()
                    failure = error
                    lock.broadcast()
                    lock.unlock()
                }
            }
            thread.start()
        }

        private var isCancelled: Bool {
            lock.lock()
            defer { lock.unlock() }
            return cancelled
        }

        /// Blocks while the queue is full; false once cancelled.
        private func put(_ item: Item) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            while queue.count >= capacity && !cancelled { lock.wait() }
            if cancelled { return false }
            queue.append(item)
            lock.broadcast()
            return true
        }

        func take() throws -> Item {
            lock.lock()
            defer { lock.unlock() }
            while queue.isEmpty && failure == nil { lock.wait() }
            if queue.isEmpty, let failure { throw failure }
            lock.broadcast()
            return queue.removeFirst()
        }

        func cancel() {
            lock.lock()
            cancelled = true
            lock.broadcast()
            lock.unlock()
        }
    }
}
