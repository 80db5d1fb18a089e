import Corpus
import Dispatch
import Glibc

/// The BPE merge loop of SentencePiece's `bpe::Trainer::Train` (src/bpe_model_trainer.cc,
/// v0.2.3), on integer symbol ids and UTF-8 bytes, or, with `Rules.tokenizers`, of Hugging Face
/// `tokenizers`' `BpeTrainer` (src/models/bpe/trainer.rs, 0.23) over byte symbols.
///
/// Mirrored exactly: every word is a sequence of character symbols; a pair symbol exists for
/// each adjacent pair whose concatenation is a valid piece; its frequency is the sum of the
/// frequencies of the words it occurs in, kept exact incrementally (neighbours of a merged
/// occurrence lose it, new neighbours gain it); its occurrence list is appended in the order
/// spm appends it; a max-queue with lazy deletion picks the next merge with spm's ordering —
/// higher frequency, then fewer characters, then the bytewise smaller piece. A symbol whose
/// piece was already produced along another path ("aa"+"a" vs "a"+"aa") is dropped without
/// taking a vocabulary slot, as spm does. The one difference: when two *different* symbols
/// with the *same* piece tie exactly, spm's order is its heap's internal order; here the symbol
/// created first wins.
///
/// `Rules.tokenizers` changes exactly what BpeTrainer does differently: no piece validity check
/// (any byte pair may merge), ties broken by the smaller (left token id, right token id) with
/// ids in vocabulary order (the alphabet in the order given, then merged tokens as accepted),
/// and a piece reached a second way is still merged, recorded as another merge rule producing
/// the existing token, and takes no vocabulary slot.
struct BPEMerger {
    /// Whose merge order to follow.
    enum Rules: Sendable {
        /// spm: ties by fewer characters, then the bytewise smaller piece; duplicates dropped.
        case sentencePiece
        /// tokenizers' BpeTrainer: ties by the smaller (left id, right id); duplicates merged.
        case tokenizers
    }

    /// One accepted merge: the two pieces joined, and whether the result is a new token
    /// (false only under `Rules.tokenizers`, for a piece reached a second way).
    struct Step: Sendable {
        var left: [UInt8]
        var right: [UInt8]
        var isNewPiece: Bool
        var piece: [UInt8] { left + right }
    }

    struct Position {
        var word: Int32
        var left: Int32
        var right: Int32
    }

    // Symbol table (struct of arrays); character symbols come first.
    private var left: [Int32] = []
    private var right: [Int32] = []
    /// Every symbol's piece, UTF-8 bytes back to back; `pieceStart`/`pieceLength` index it.
    private var pieceBytes: [UInt8] = []
    private var pieceStart: [Int] = []
    private var pieceLength: [Int32] = []
    private var charLength: [Int32] = []
    private var frequency: [UInt64] = []  // wraps like spm's uint64_t
    private var active: [Bool] = []
    private var pending: [Bool] = []
    private var needsRecomputation: [Bool] = []
    private var isUnknown: [Bool] = []
    private var positions: [[Position]] = []

    /// (left id, right id) -> pair symbol id, or -1 when the pair is not a valid piece.
    private var pairCache = PairSymbolTable()
    private var pendingQueue: [Int32] = []
    private var queue: [(frequency: UInt64, symbol: Int32)] = []

    // Words: symbol ids of all words back to back; -1 marks a merged-away slot.
    private var wordSymbols: [Int32] = []
    private var wordStart: [Int] = []
    private var wordFrequency: [UInt64] = []

    /// nil: every pair is a valid piece (byte-level training).
    private let validity: PieceValidity?
    /// Symbols of the alphabet (ids 0..<alphabetCount).
    private let alphabetCount: Int
    private let rules: Rules
    /// Under `Rules.tokenizers`, each symbol's vocabulary id (alphabet ids, then accepted merges
    /// in order; -1 before it is accepted), the key of the tie-break.
    private var tokenId: [Int32] = []
    private var scratch: [UInt32] = []
    private var concatenation: [UInt8] = []

    private func piece(_ s: Int32) -> ArraySlice<UInt8> {
        pieceBytes[pieceStart[Int(s)]..<(pieceStart[Int(s)] + Int(pieceLength[Int(s)]))]
    }

    init(alphabet: TrainingAlphabet, validity: PieceValidity?, rules: Rules = .sentencePiece) {
        self.validity = validity
        self.rules = rules
        alphabetCount = alphabet.symbolPieces.count
        for (i, bytes) in alphabet.symbolPieces.enumerated() {
            appendSymbol(left: -1, right: -1, piece: bytes, characterCount: 1, frequency: UInt64(alphabet.symbolFrequency[i]))
            isUnknown[i] = i == alphabet.unknownId
            tokenId[i] = Int32(i)
        }
        wordSymbols = alphabet.wordSymbols
        wordStart = alphabet.wordStart
        wordFrequency = alphabet.frequencies.map { UInt64($0) }
    }

    private mutating func appendSymbol(left l: Int32, right r: Int32, piece: [UInt8], characterCount: Int32, frequency f: UInt64) {
        left.append(l)
        right.append(r)
        pieceStart.append(pieceBytes.count)
        pieceLength.append(Int32(piece.count))
        pieceBytes.append(contentsOf: piece)
        charLength.append(characterCount)
        frequency.append(f)
        active.append(true)
        pending.append(false)
        needsRecomputation.append(true)
        isUnknown.append(false)
        tokenId.append(-1)
        positions.append([])
    }

    /// spm's GetPairSymbol: the cached pair symbol, a new one, or nil for an invalid piece.
    private mutating func pairSymbol(_ l: Int32, _ r: Int32) -> Int32? {
        if isUnknown[Int(l)] || isUnknown[Int(r)] { return nil }
        let key = PairSymbolTable.key(l, r)
        if let cached = pairCache.lookup(key) { return cached == PairSymbolTable.invalid ? nil : cached }
        concatenation.removeAll(keepingCapacity: true)
        concatenation.append(contentsOf: piece(l))
        concatenation.append(contentsOf: piece(r))
        if let validity {
            concatenation.withUnsafeBufferPointer { UTF8Validation.decode($0, into: &scratch) }
            if !scratch.withUnsafeBufferPointer({ validity.isValid($0) }) {
                pairCache.set(key, PairSymbolTable.invalid)
                return nil
            }
        }
        let id = Int32(pieceStart.count)
        appendSymbol(left: l, right: r, piece: concatenation, characterCount: charLength[Int(l)] + charLength[Int(r)], frequency: 0)
        pairCache.set(key, id)
        return id
    }

    /// Builds the initial pair statistics (spm's InitSymbolsAndBigrams) with the result of a
    /// single pass in word order: `threads` workers each scan a contiguous range of words for
    /// their distinct adjacent pairs (first-seen order) and note each occurrence's pair; pair
    /// symbols are then created range by range in that order (so ids are those of one pass), and
    /// one pass in word order adds frequencies and occurrence lists without a hash lookup.
    mutating func initializePairs(threads: Int = 1) {
        let wordCount = wordFrequency.count
        let workers = max(1, min(threads, wordCount))
        // Word ranges of about equal symbol counts.
        var bounds = [0]
        for t in 1..<workers {
            let target = wordSymbols.count * t / workers
            var w = bounds[t - 1]
            while w < wordCount && wordStart[w] < target { w += 1 }
            bounds.append(w)
        }
        bounds.append(wordCount)

        /// One worker's distinct pairs in first-seen order, and the pair of each occurrence
        /// (an index into `pairs`, or -1 for a pair with the unknown character).
        final class Scan: @unchecked Sendable {
            var pairs: [UInt64] = []
            var occurrences: [Int32] = []
        }
        let scans = (0..<workers).map { _ in Scan() }
        let wordSymbols = self.wordSymbols, wordStart = self.wordStart, isUnknown = self.isUnknown
        let ranges = bounds
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            let scan = scans[t]
            var local = PairSymbolTable(capacity: 1 << 16)
            var pairs: [UInt64] = []
            var occurrences: [Int32] = []
            occurrences.reserveCapacity(wordStart[ranges[t + 1]] - wordStart[ranges[t]])
            for w in ranges[t]..<ranges[t + 1] {
                var i = wordStart[w] + 1
                while i < wordStart[w + 1] {
                    let l = wordSymbols[i - 1], r = wordSymbols[i]
                    if isUnknown[Int(l)] || isUnknown[Int(r)] {
                        occurrences.append(-1)
                    } else {
                        let key = PairSymbolTable.key(l, r)
                        if let index = local.lookup(key) {
                            occurrences.append(index)
                        } else {
                            local.set(key, Int32(pairs.count))
                            occurrences.append(Int32(pairs.count))
                            pairs.append(key)
                        }
                    }
                    i += 1
                }
            }
            scan.pairs = pairs
            scan.occurrences = occurrences
        }

        for t in 0..<workers {
            // Pair symbols in the order one pass would create them; -1 for invalid pieces.
            let symbolOf = scans[t].pairs.map { key in
                pairSymbol(Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)) ?? -1
            }
            let occurrences = scans[t].occurrences
            var k = 0
            for w in ranges[t]..<ranges[t + 1] {
                let f = wordFrequency[w]
                let start = wordStart[w]
                for i in (start + 1)..<max(start + 1, wordStart[w + 1]) {
                    let index = occurrences[k]
                    k += 1
                    if index < 0 { continue }
                    let s = symbolOf[Int(index)]
                    if s < 0 { continue }
                    frequency[Int(s)] &+= f
                    positions[Int(s)].append(Position(word: Int32(w), left: Int32(i - 1 - start), right: Int32(i - start)))
                    markPending(s)
                }
            }
            scans[t].occurrences = []
        }
        flushPending()
    }

    private mutating func markPending(_ s: Int32) {
        if !pending[Int(s)] {
            pending[Int(s)] = true
            pendingQueue.append(s)
        }
    }

    private mutating func flushPending() {
        for s in pendingQueue {
            pending[Int(s)] = false
            if active[Int(s)] {
                computeFrequency(s)
                push(frequency[Int(s)], s)
            }
        }
        pendingQueue.removeAll(keepingCapacity: true)
    }

    /// spm's ComputeFreq: frequencies are exact already; drops dead occurrence lists.
    private mutating func computeFrequency(_ s: Int32) {
        let i = Int(s)
        if !needsRecomputation[i] { return }
        if frequency[i] == 0 { positions[i] = [] }
        needsRecomputation[i] = false
    }

    // MARK: the merge queue (a binary max-heap ordered like spm's QueueEntryComparator)

    /// True when entry `a` ranks above entry `b`.
    private func ranksAbove(_ a: (frequency: UInt64, symbol: Int32), _ b: (frequency: UInt64, symbol: Int32)) -> Bool {
        if a.frequency != b.frequency { return a.frequency > b.frequency }
        if rules == .tokenizers {
            // BpeTrainer's `Merge::cmp`: on equal counts the smaller pair (in token ids) first.
            let la = tokenId[Int(left[Int(a.symbol)])], lb = tokenId[Int(left[Int(b.symbol)])]
            if la != lb { return la < lb }
            let ra = tokenId[Int(right[Int(a.symbol)])], rb = tokenId[Int(right[Int(b.symbol)])]
            if ra != rb { return ra < rb }
            return a.symbol < b.symbol
        }
        let la = charLength[Int(a.symbol)], lb = charLength[Int(b.symbol)]
        if la != lb { return la < lb }
        if a.symbol == b.symbol { return false }
        // Bytewise, as std::string's operator<: a proper prefix ranks first.
        let sa = pieceStart[Int(a.symbol)], sb = pieceStart[Int(b.symbol)]
        let na = Int(pieceLength[Int(a.symbol)]), nb = Int(pieceLength[Int(b.symbol)])
        let c = pieceBytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + sa, $0.baseAddress! + sb, min(na, nb)) }
        if c != 0 { return c < 0 }
        if na != nb { return na < nb }
        return a.symbol < b.symbol
    }

    private mutating func push(_ f: UInt64, _ s: Int32) {
        queue.append((f, s))
        var i = queue.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !ranksAbove(queue[i], queue[parent]) { break }
            queue.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func popTop() {
        let last = queue.removeLast()
        if queue.isEmpty { return }
        queue[0] = last
        var i = 0
        let n = queue.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < n && ranksAbove(queue[l], queue[best]) { best = l }
            if r < n && ranksAbove(queue[r], queue[best]) { best = r }
            if best == i { break }
            queue.swapAt(i, best)
            i = best
        }
    }

    // MARK: the merge loop

    private func nextIndex(_ w: Int, _ index: Int) -> Int {
        let start = wordStart[w], end = wordStart[w + 1]
        var i = start + index + 1
        while i < end {
            if wordSymbols[i] >= 0 { return i - start }
            i += 1
        }
        return -1
    }

    private func previousIndex(_ w: Int, _ index: Int) -> Int {
        let start = wordStart[w]
        var i = start + index - 1
        while i >= start {
            if wordSymbols[i] >= 0 { return i - start }
            i -= 1
        }
        return -1
    }

    private func symbol(_ w: Int, _ index: Int) -> Int32 { wordSymbols[wordStart[w] + index] }

    private mutating func resetFrequency(_ w: Int, _ l: Int, _ r: Int, best: Int32) {
        if l < 0 || r < 0 { return }
        if let s = pairSymbol(symbol(w, l), symbol(w, r)), s != best {
            frequency[Int(s)] &-= wordFrequency[w]
            needsRecomputation[Int(s)] = true
        }
    }

    private mutating func addPair(_ w: Int, _ l: Int, _ r: Int) {
        if l < 0 || r < 0 { return }
        if let s = pairSymbol(symbol(w, l), symbol(w, r)) {
            positions[Int(s)].append(Position(word: Int32(w), left: Int32(l), right: Int32(r)))
            frequency[Int(s)] &+= wordFrequency[w]
            markPending(s)
        }
    }

    /// Merges every occurrence of `best`'s pair into `written` (`best`, or under
    /// `Rules.tokenizers` the symbol that first produced the same piece).
    private mutating func accept(_ best: Int32, writing written: Int32) {
        let b = Int(best)
        let occurrences = positions[b]
        for p in occurrences {
            let w = Int(p.word), l = Int(p.left), r = Int(p.right)
            if symbol(w, l) != left[b] || symbol(w, r) != right[b] { continue }
            let next = nextIndex(w, r)
            let prev = previousIndex(w, l)
            resetFrequency(w, prev, l, best: best)
            resetFrequency(w, r, next, best: best)
            wordSymbols[wordStart[w] + l] = written
            wordSymbols[wordStart[w] + r] = -1
            addPair(w, prev, l)
            addPair(w, l, next)
        }
        deactivate(best)
    }

    private mutating func deactivate(_ s: Int32) {
        pairCache.remove(PairSymbolTable.key(left[Int(s)], right[Int(s)]))
        active[Int(s)] = false
        positions[Int(s)] = []
    }

    /// Runs merges until `newPieces` new pieces exist; returns the accepted merges in order
    /// (fewer new pieces when no valid pair is left). `onMerge` is called with the count of new
    /// pieces after each accepted merge.
    mutating func run(newPieces: Int, onMerge: (Int) -> Void) -> [Step] {
        var result: [Step] = []
        result.reserveCapacity(newPieces)
        var produced: [[UInt8]: Int32] = [:]
        var newCount = 0
        while newCount < newPieces {
            var best: Int32 = -1
            while let top = queue.first {
                let s = Int(top.symbol)
                if !active[s] { popTop(); continue }
                if needsRecomputation[s] {
                    popTop()
                    computeFrequency(top.symbol)
                    push(frequency[s], top.symbol)
                    continue
                }
                if top.frequency != frequency[s] { popTop(); continue }
                best = top.symbol
                popTop()
                break
            }
            if best < 0 { break }
            let merged = Array(piece(best))
            let step = Step(left: Array(piece(left[Int(best)])), right: Array(piece(right[Int(best)])), isNewPiece: produced[merged] == nil)
            var written = best
            if let existing = produced[merged] {
                guard rules == .tokenizers else {
                    deactivate(best)
                    continue
                }
                written = existing
                tokenId[Int(best)] = tokenId[Int(existing)]
            } else {
                produced[merged] = best
                tokenId[Int(best)] = Int32(alphabetCount + newCount)
                newCount += 1
            }
            result.append(step)
            accept(best, writing: written)
            flushPending()
            onMerge(newCount)
        }
        return result
    }
}
