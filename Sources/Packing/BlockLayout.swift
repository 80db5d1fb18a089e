/// Cuts documents into blocks of `seqLen` tokens by `PackingMode`, one document at a time.
/// Both streams lay out blocks with it, so they agree on what a block is: `BlockStream` adds
/// the sequences of a dataset (by index), `DocumentStream` encoded documents (token arrays).
struct BlockLayout<Source> {
    /// A run of tokens of one document that is part of a block.
    struct Segment {
        var source: Source
        var start: Int
        var count: Int
    }

    let seqLen: Int
    let mode: PackingMode
    /// The block being filled; complete blocks go to `emit`.
    private var current: [Segment] = []
    private var filled = 0

    init(seqLen: Int, mode: PackingMode) {
        self.seqLen = seqLen
        self.mode = mode
    }

    /// Adds a document of `count` tokens; `emit` receives every block this completes.
    mutating func add(_ source: Source, count: Int, emit: ([Segment]) -> Void) {
        switch mode {
        case .concatenate:
            var start = 0
            while start < count {
                let take = min(count - start, seqLen - filled)
                current.append(Segment(source: source, start: start, count: take))
                filled += take
                start += take
                if filled == seqLen { closeBlock(emit) }
            }
        case .documentAligned:
            guard count > 0 else { return }
            if filled + count > seqLen && filled > 0 { closeBlock(emit) }
            var start = 0
            while count - start > seqLen {
                emit([Segment(source: source, start: start, count: seqLen)])
                start += seqLen
            }
            current.append(Segment(source: source, start: start, count: count - start))
            filled += count - start
        }
    }

    /// The documents ran out (end of the data or of an epoch). Document-aligned, the partial
    /// block is emitted (to be padded); concatenating, it stays for the documents that follow,
    /// and is dropped when none do (like `group_texts`).
    mutating func endOfDocuments(emit: ([Segment]) -> Void) {
        if mode == .documentAligned && filled > 0 { closeBlock(emit) }
    }

    private mutating func closeBlock(_ emit: ([Segment]) -> Void) {
        emit(current)
        current = []
        filled = 0
    }
}

extension BlockLayout where Source == [Int32] {
    /// The tokens of a block.
    static func tokens(of block: [Segment]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(block.reduce(0) { $0 + $1.count })
        for s in block { out += s.source[s.start..<(s.start + s.count)] }
        return out
    }

    /// The tokens of the block being filled.
    var partialBlock: [Int32] { Self.tokens(of: current) }

    /// Continues from a saved partial block.
    mutating func restore(partialBlock tokens: [Int32]) {
        current = tokens.isEmpty ? [] : [Segment(source: tokens, start: 0, count: tokens.count)]
        filled = tokens.count
    }
}

/// Assembles a `TrainingBatch` row by row: a row is one block's tokens, then padding with loss
/// mask 0 up to `seqLen` when the block is shorter.
struct BatchBuilder {
    let seqLen: Int
    let padID: Int32
    private var tokens: [Int32] = []
    private var lossMask: [UInt8] = []
    private var rows = 0

    init(batchSize: Int, seqLen: Int, padID: Int32) {
        self.seqLen = seqLen
        self.padID = padID
        tokens.reserveCapacity(batchSize * seqLen)
        lossMask.reserveCapacity(batchSize * seqLen)
    }

    /// Adds one row; `fill` appends the block's tokens (at most `seqLen`).
    mutating func addRow(_ fill: (inout [Int32]) -> Void) {
        let before = tokens.count
        fill(&tokens)
        let filled = tokens.count - before
        lossMask.append(contentsOf: repeatElement(1, count: filled))
        tokens.append(contentsOf: repeatElement(padID, count: seqLen - filled))
        lossMask.append(contentsOf: repeatElement(0, count: seqLen - filled))
        rows += 1
    }

    var batch: TrainingBatch { TrainingBatch(batchSize: rows, seqLen: seqLen, tokens: tokens, lossMask: lossMask) }
}
