import Corpus
import Dispatch

/// What loading the corpus kept and skipped (spm's LoadSentences log lines, as counters).
public struct CorpusLoadStatistics: Sendable, Equatable {
    /// Sentences that reached normalization (after sampling).
    public var sentences = 0
    /// Non-empty lines seen before sampling.
    public var linesSeen = 0
    public var bytes = 0
    public var skippedTooLong = 0
    public var skippedInvalidUTF8 = 0
    /// The first few non-UTF-8 lines, as `file:line`.
    public var invalidUTF8Examples: [String] = []
    public var skippedReservedCharacter = 0
    public var emptyAfterNormalization = 0
    public var skippedDocuments = 0
}

/// How a training sentence becomes words.
enum WordSplitter: Sendable {
    /// spm: normalize, then a word starts at the beginning and at every `▁`; lines holding the
    /// unknown character U+2585 are skipped.
    case sentencePiece(TrainingTextNormalizer)
    /// A byte-level tokenizer.json's normalizer and pre-tokenizer, as `tokenizers`' trainer
    /// counts words (`do_normalize` then `do_pre_tokenize`; added tokens are not cut out).
    case preTokenizer(HuggingFaceTokenizerFile)
}

/// Reads the inputs and counts the words of the normalized sentences (spm's `LoadSentences` +
/// `SplitSentencesByWhitespace`, or `tokenizers`' `word_count`, without ever keeping the
/// corpus): lines are read in batches and each batch is normalized and counted by `threads`
/// workers into their own tables, merged at the end. Counts do not depend on the thread count.
struct WordCounter {
    let options: BPETrainerOptions
    let splitter: WordSplitter

    /// A batch of raw lines in one buffer, with where each came from.
    private final class Batch: @unchecked Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var origins: [(path: String, line: Int)] = []
        func append(_ line: ArraySlice<UInt8>, path: String, lineNumber: Int) {
            bytes.append(contentsOf: line)
            ends.append(bytes.count)
            origins.append((path, lineNumber))
        }
        func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            origins.removeAll(keepingCapacity: true)
        }
    }

    /// One worker's results; a value type so the hot loop runs without dynamic exclusivity checks.
    private struct WorkerCounts {
        var table = WordTable()
        var invalid: [Int] = []
        var reserved = 0
        var empty = 0
        var normalized: [UInt8] = []
        var scratch: [UInt8] = []
        var pre = PreTokenizerPipeline.Scratch()
    }

    /// Where a worker thread keeps its counts between batches.
    private final class WorkerState: @unchecked Sendable {
        var counts = WorkerCounts()
    }

    func count(progress: ProgressReporter?) throws -> (words: WordTable, statistics: CorpusLoadStatistics) {
        var stats = CorpusLoadStatistics()
        let source = try TrainingSentenceSource(inputs: options.inputs)
        let workers = (0..<options.threads).map { _ in WorkerState() }
        // Two batches: workers count one while this thread reads the next.
        var batch = Batch()
        var spare = Batch()
        var inFlight: (group: DispatchGroup, batch: Batch)?
        let batchBytes = 4 << 20
        var sampler = options.inputSentenceSize > 0
            ? ReservoirSampler(capacity: options.inputSentenceSize, seed: options.seed) : nil

        while let line = try source.next() {
            if line.isEmpty { continue }
            if line.count > options.maxSentenceLength {
                stats.skippedTooLong += 1
                continue
            }
            stats.linesSeen += 1
            stats.bytes += line.count
            if sampler != nil {
                sampler!.add(Array(line), origin: (source.path, source.lineNumber))
                continue
            }
            batch.append(line, path: source.path, lineNumber: source.lineNumber)
            if batch.bytes.count >= batchBytes {
                if let running = inFlight {
                    running.group.wait()
                    try collect(running.batch, workers: workers, statistics: &stats)
                    progress?.advance(by: running.batch.ends.count, detail: "\(stats.bytes >> 20) MB read")
                }
                inFlight = (launch(batch, workers: workers), batch)
                swap(&batch, &spare)
                batch.removeAll()
            }
        }
        if let sampler {
            for (line, origin) in zip(sampler.items, sampler.origins) {
                batch.append(line[...], path: origin.path, lineNumber: origin.line)
            }
        }
        if let running = inFlight {
            running.group.wait()
            try collect(running.batch, workers: workers, statistics: &stats)
        }
        launch(batch, workers: workers).wait()
        try collect(batch, workers: workers, statistics: &stats)
        progress?.advance(by: batch.ends.count)
        stats.skippedDocuments = source.skippedDocuments

        // Take each table out of its worker before merging, so no storage is shared (a shared
        // table would be copied whole on the first insert).
        var words = WordTable(capacity: 1)
        swap(&words, &workers[0].counts.table)
        for worker in workers.dropFirst() {
            var table = WordTable(capacity: 1)
            swap(&table, &worker.counts.table)
            words.merge(table)
        }
        return (words, stats)
    }

    /// Starts counting `batch` on `workers.count` threads; the group is done when all are.
    private func launch(_ batch: Batch, workers: [WorkerState]) -> DispatchGroup {
        let group = DispatchGroup()
        let lineCount = batch.ends.count
        let threads = workers.count
        let splitter = self.splitter
        for t in 0..<threads {
            DispatchQueue.global().async(group: group) {
                let worker = workers[t]
                var counts = worker.counts
                worker.counts = WorkerCounts()  // leaves `counts` uniquely referenced
                counts.invalid.removeAll(keepingCapacity: true)
                batch.bytes.withUnsafeBufferPointer { all in
                    var i = t
                    while i < lineCount {
                        let start = i == 0 ? 0 : batch.ends[i - 1]
                        let line = UnsafeBufferPointer(rebasing: all[start..<batch.ends[i]])
                        Self.countLine(line, index: i, splitter: splitter, counts: &counts)
                        i += threads
                    }
                }
                worker.counts = counts
            }
        }
        return group
    }

    /// Adds a counted batch's skips to the statistics (in line order, so examples are stable).
    private func collect(_ batch: Batch, workers: [WorkerState], statistics stats: inout CorpusLoadStatistics) throws {
        let lineCount = batch.ends.count
        var invalid: [Int] = []
        for worker in workers {
            invalid += worker.counts.invalid
            stats.skippedReservedCharacter += worker.counts.reserved
            stats.emptyAfterNormalization += worker.counts.empty
            worker.counts.reserved = 0
            worker.counts.empty = 0
        }
        invalid.sort()
        if let first = invalid.first, options.strict {
            throw BPETrainerError.invalidUTF8(InputPosition(path: batch.origins[first].path, line: batch.origins[first].line))
        }
        stats.skippedInvalidUTF8 += invalid.count
        for i in invalid where stats.invalidUTF8Examples.count < 5 {
            stats.invalidUTF8Examples.append("\(batch.origins[i].path):\(batch.origins[i].line)")
        }
        stats.sentences += lineCount - invalid.count
    }

    private static func countLine(_ line: UnsafeBufferPointer<UInt8>, index: Int, splitter: WordSplitter, counts worker: inout WorkerCounts) {
        guard UTF8Validation.isValid(line) else {
            worker.invalid.append(index)
            return
        }
        let normalizer: TrainingTextNormalizer
        switch splitter {
        case let .sentencePiece(n): normalizer = n
        case let .preTokenizer(file):
            file.preTokenize(line, normalized: &worker.normalized, scratch: &worker.pre)
            if worker.pre.bounds.isEmpty {
                worker.empty += 1
                return
            }
            worker.pre.bytes.withUnsafeBufferPointer { b in
                for (s, e) in worker.pre.bounds { worker.table.add(UnsafeBufferPointer(rebasing: b[s..<e]), count: 1) }
            }
            return
        }
        if UTF8Validation.containsUnknownCharacter(line) {
            worker.reserved += 1
            return
        }
        normalizer.normalize(line, into: &worker.normalized, scratch: &worker.scratch)
        if worker.normalized.isEmpty {
            worker.empty += 1
            return
        }
        worker.normalized.withUnsafeBufferPointer { text in
            // SplitIntoWords: a word starts at the beginning and at every `▁`.
            var start = 0
            var i = 3
            let n = text.count
            while i + 2 < n {
                if text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81 {
                    worker.table.add(UnsafeBufferPointer(rebasing: text[start..<i]), count: 1)
                    start = i
                    i += 3
                } else {
                    i += 1
                }
            }
            worker.table.add(UnsafeBufferPointer(rebasing: text[start..<n]), count: 1)
        }
    }
}

