import Foundation
import Corpus

/// `ko-llama clean`: `<corpus>/docs/*.jsonl.gz` -> `<corpus>/clean/{train,valid,test}/` plus
/// `manifest.json`, `report.md` and the persistent dedup index (docs/CLEANING.md).
///
/// Two streaming passes over the input shards, one shard in memory at a time:
/// 1. read, skip documents already in the corpus (by id) or with a rights reservation,
///    normalize + filter + MinHash in parallel batches; keep only (id, created, hashes,
///    signature) of candidates;
/// 2. after dedup (candidates in (created, id) order against the index: the earliest survives,
///    documents of earlier runs always win) and split assignment, re-read and re-normalize the
///    survivors and write them to this run's shards.
/// Commit order: shards, dedup index (a new file per run), manifest (the commit point), then
/// the previous index file is removed. A crash before the manifest leaves the previous one valid
/// and the run can be re-done: it takes the same run number and first removes that run's stray
/// shards.
///
/// With `--shard-count N`, worker `i` cleans the input shards whose file name hashes to `i`
/// (`worker(ofShard:count:)`: a shard never changes worker as new shards arrive) into
/// `<corpus>/clean/workers/<i>-of-<N>/`, with its own manifest and index. `--merge-workers N`
/// then runs the same two passes over the worker shards not merged yet, writing into
/// `<corpus>/clean/`: one dedup index (exact and near duplicates across workers), one test
/// budget, one manifest.
public final class CorpusCleaner {
    public struct Options: Sendable {
        public var corpus: String
        public var policy = CleaningPolicy()
        public var crawlersDirectory = "crawlers"
        public var includeReserved = false
        public var shardIndex = 0
        public var shardCount = 1
        /// Merge `clean/workers/*-of-<N>/` into `clean/` instead of cleaning `docs/`.
        public var mergeWorkers: Int?
        public var threads = 2
        public var quiet = true
        /// False leaves the summary line to the caller (`ko-llama refresh`).
        public var printsSummary = true
        /// Documents per parallel batch.
        public var batchSize = 512

        public init(corpus: String) { self.corpus = corpus }
    }

    /// What a run did.
    public struct Outcome: Sendable {
        public var manifestPath: String
        public var run: CleanManifest.RunRecord
        public var summary: String
    }

    public let options: Options
    private let processor: DocumentProcessor
    private var siteExclusion: [String: Bool] = [:]

    public init(options: Options) {
        self.options = options
        processor = DocumentProcessor(policy: options.policy)
    }

    /// The output directory of this worker (`clean/` itself for one worker and for a merge).
    public var cleanDirectory: String {
        options.shardCount > 1 && options.mergeWorkers == nil
            ? Self.workerDirectory(corpus: options.corpus, index: options.shardIndex, count: options.shardCount)
            : "\(options.corpus)/clean"
    }

    public static func workerDirectory(corpus: String, index: Int, count: Int) -> String {
        "\(corpus)/clean/workers/\(index)-of-\(count)"
    }

    /// The worker that cleans an input shard: a stable hash of its path under `docs/`, so the
    /// assignment never depends on which other shards exist.
    public static func worker(ofShard relativePath: String, count: Int) -> Int {
        StableHash.bucket(relativePath, count: count)
    }

    /// The shards this run reads: this worker's `docs/` shards, or for a merge the shards of
    /// every worker's manifest that no earlier merge read (paths relative to `clean/`).
    private func inputShards(_ manifest: CleanManifest) throws -> [String] {
        if let count = options.mergeWorkers {
            let clean = "\(options.corpus)/clean/"
            let merged = Set(manifest.runs.filter { $0.mergedWorkers != nil }.flatMap(\.inputShards))
            var shards: [String] = []
            for i in 0..<count {
                let directory = Self.workerDirectory(corpus: options.corpus, index: i, count: count)
                guard FileSystem.exists("\(directory)/manifest.json") else { throw CleaningError.missingWorker(directory: directory) }
                let worker = try CleanManifest.load(path: "\(directory)/manifest.json")
                for split in Split.allCases {
                    for shard in worker.splits[split.rawValue]?.shards ?? [] {
                        let path = "\(directory)/\(shard.path)"
                        if !merged.contains(String(path.dropFirst(clean.count))) { shards.append(path) }
                    }
                }
            }
            return shards
        }
        let docsDirectory = "\(options.corpus)/docs"
        guard FileSystem.isDirectory(docsDirectory) else { throw CleaningError.noInput(directory: docsDirectory) }
        let allShards = try FileSystem.files(under: docsDirectory, suffixes: [".jsonl.gz", ".jsonl"]).sorted()
        guard !allShards.isEmpty else { throw CleaningError.noInput(directory: docsDirectory) }
        return allShards.filter {
            Self.worker(ofShard: String($0.dropFirst(docsDirectory.count + 1)), count: options.shardCount) == options.shardIndex
        }
    }

    private struct Candidate {
        var ordinal: Int
        var id: String
        var created: String?
        var idHash: UInt64
        var textHash: UInt64
        var signature: [UInt32]
        /// Its distinct short lines.
        var lines: [Line]
        var characters: Int
    }

    /// A short line of a candidate: its source-qualified key and its characters.
    private struct Line {
        var key: UInt64
        var characters: Int32
    }

    public func run() throws -> Outcome {
        let manifestPath = "\(cleanDirectory)/manifest.json"
        var manifest = FileSystem.exists(manifestPath) ? try CleanManifest.load(path: manifestPath) : CleanManifest()
        let shards = try inputShards(manifest)
        let index: DedupIndex
        if let name = manifest.dedupIndex {
            index = try DedupIndex.load(path: "\(cleanDirectory)/\(name)", policy: options.policy)
        } else {
            index = DedupIndex(policy: options.policy)
        }
        let runNumber = (manifest.runs.last?.run ?? 0) + 1
        var record = CleanManifest.RunRecord(run: runNumber, started: Self.timestamp(), finished: "", inputShards: shards,
                                             includeReserved: options.includeReserved, policy: options.policy)
        record.lengthHistogram = Array(repeating: 0, count: 12)
        if let count = options.mergeWorkers {
            record.mergedWorkers = count
            // Merged shards are recognized by their path under clean/ in later merges.
            record.inputShards = shards.map { String($0.dropFirst("\(options.corpus)/clean/".count)) }
        }

        try removeLeftovers(ofRun: runNumber)

        // Pass 1: filter and collect dedup candidates.
        let progress = ProgressReporter(label: "clean", quiet: options.quiet, printsSummary: options.printsSummary)
        var candidates: [Candidate] = []
        var sourceOfOrdinal: [String] = []
        var errors: [String] = []
        var ordinal = 0
        for shard in shards {
            let read = try forEachBatch(of: shard) { batch in
                var pending: [(ordinal: Int, document: Document)] = []
                for doc in batch {
                    defer { ordinal += 1 }
                    sourceOfOrdinal.append(doc.source)
                    record.perSource[doc.source, default: .init()].input += 1
                    record.inputDocuments += 1
                    let idHash = SplitAssigner.idHash(doc.id)
                    if index.containsID(idHash) {
                        count(.alreadyInCorpus, source: doc.source, &record)
                    } else if try excludesReserved(doc) {
                        count(.rightsReserved, source: doc.source, &record)
                        record.perSource[doc.source, default: .init()].reservedExcluded += 1
                    } else {
                        pending.append((ordinal, doc))
                    }
                }
                let results = processor.process(pending.map(\.document.text), threads: options.threads)
                for (item, result) in zip(pending, results) {
                    if let reason = result.reason {
                        count(reason, source: item.document.source, &record)
                    } else {
                        let sourceHash = StableHash.hash(item.document.source)
                        let lines = result.shortLines.map {
                            Line(key: BoilerplateLines.key($0.hash, sourceHash: sourceHash), characters: Int32($0.characters))
                        }
                        candidates.append(Candidate(ordinal: item.ordinal, id: item.document.id, created: item.document.created,
                                                    idHash: SplitAssigner.idHash(item.document.id), textHash: result.textHash,
                                                    signature: result.signature, lines: lines, characters: result.characters))
                    }
                }
                progress.advance(by: batch.count, detail: "filtering")
            }
            record.skippedLines += read.skipped.count
            for e in read.skipped where record.skippedLineExamples.count < 100 { record.skippedLineExamples.append(e.description) }
            if let error = read.error { errors.append(error.description) }
        }

        // Dedup: earliest (created, id) first; documents without a date after dated ones.
        candidates.sort { a, b in
            switch (a.created, b.created) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.id < b.id
            }
        }
        var survivors: [Candidate] = []
        for c in candidates {
            let source = sourceOfOrdinal[c.ordinal]
            if index.containsID(c.idHash) { count(.alreadyInCorpus, source: source, &record); continue }
            if let reason = index.duplicate(textHash: c.textHash, signature: c.signature) {
                count(reason, source: source, &record)
                continue
            }
            index.insert(idHash: c.idHash, textHash: c.textHash, signature: c.signature)
            survivors.append(c)
        }
        candidates = []
        // Cross-document boilerplate among the survivors; a document left too short without it is
        // dropped. Most are dropped here, before split assignment: its listed lines, each counted
        // once, are a lower bound of what pass 2 removes. Pass 2 checks the stripped text.
        let boilerplate = options.policy.boilerplateLineMinDocuments > 0
            ? BoilerplateLines.frequent(survivors.flatMap { $0.lines.map(\.key) }, minDocuments: options.policy.boilerplateLineMinDocuments) : []
        if !boilerplate.isEmpty {
            survivors.removeAll { c in
                let removed = c.lines.reduce(0) { $0 + (boilerplate.contains($1.key) ? Int($1.characters) + 1 : 0) }
                guard c.characters - removed < options.policy.minCharacters else { return false }
                count(.boilerplate, source: sourceOfOrdinal[c.ordinal], &record)
                return true
            }
        }
        let existingTest = manifest.splits[Split.test.rawValue]?.documents ?? 0
        let assigned = SplitAssigner(policy: options.policy).assign(survivors.map(\.idHash), existingTest: existingTest)
        var splitOfOrdinal = [UInt8](repeating: 0, count: ordinal)
        var idHashOfOrdinal = [UInt64](repeating: 0, count: ordinal)
        for (c, split) in zip(survivors, assigned) {
            splitOfOrdinal[c.ordinal] = UInt8(Split.allCases.firstIndex(of: split)! + 1)
            idHashOfOrdinal[c.ordinal] = c.idHash
        }
        survivors = []

        // Pass 2: write survivors, in input order, to this run's shards.
        let writers = SplitWriters(directory: cleanDirectory, run: runNumber, documentsPerShard: options.policy.documentsPerShard)
        var secondOrdinal = 0
        var boilerplateLinesRemoved = 0
        for shard in shards {
            _ = try forEachBatch(of: shard) { batch in
                var chosen: [(document: Document, split: Split)] = []
                for doc in batch {
                    // The second pass must see the documents of the first; a shard rewritten in
                    // between (extract running concurrently) is an error, never a silent mix-up.
                    guard secondOrdinal < splitOfOrdinal.count else { throw CleaningError.inputChanged(path: shard) }
                    let code = splitOfOrdinal[secondOrdinal]
                    if code > 0 {
                        guard SplitAssigner.idHash(doc.id) == idHashOfOrdinal[secondOrdinal] else { throw CleaningError.inputChanged(path: shard) }
                        chosen.append((doc, Split.allCases[Int(code) - 1]))
                    }
                    secondOrdinal += 1
                }
                let normalizer = processor.normalizer
                let maxCharacters = options.policy.boilerplateLineMaxCharacters
                let inputs = chosen.map { ($0.document.text, boilerplate.isEmpty ? 0 : StableHash.hash($0.document.source)) }
                let texts = ParallelMap.map(inputs, threads: options.threads) {
                    BoilerplateLines.strip(normalizer.normalizedBytes($0.0), sourceHash: $0.1, maxCharacters: maxCharacters, boilerplate: boilerplate)
                }
                for (item, (text, removed)) in zip(chosen, texts) {
                    let characters = text.unicodeScalars.count
                    // Every repeat of a line and lines past the listed ones are gone too.
                    if characters < options.policy.minCharacters {
                        count(.boilerplate, source: item.document.source, &record)
                        continue
                    }
                    var doc = item.document
                    doc.text = text
                    boilerplateLinesRemoved += removed
                    record.kept += 1
                    record.perSource[doc.source, default: .init()].kept += 1
                    record.perSplit[item.split.rawValue, default: 0] += 1
                    var bucket = 0
                    while bucket < record.lengthHistogram.count - 1 && characters >= 1 << (bucket + 7) { bucket += 1 }
                    record.lengthHistogram[bucket] += 1
                    try writers.write(doc, to: item.split)
                }
                progress.advance(by: batch.count, detail: "writing")
            }
        }
        let written = try writers.finish()
        record.boilerplateLinesRemoved = boilerplateLinesRemoved

        // Commit: index (new file), manifest, then drop the previous index.
        let indexName = String(format: "dedup/index-run%04d.bin", runNumber)
        try index.save(to: "\(cleanDirectory)/\(indexName)")
        let previousIndex = manifest.dedupIndex
        manifest.dedupIndex = indexName
        manifest.indexedDocuments = index.count
        for (split, summaries) in written {
            var contents = manifest.splits[split.rawValue] ?? .init()
            for s in summaries {
                contents.documents += s.documents
                contents.characters += s.characters
                contents.bytes += s.bytes
                contents.shards.append(s)
            }
            manifest.splits[split.rawValue] = contents
        }
        record.inputErrors = errors
        record.finished = Self.timestamp()
        manifest.runs.append(record)
        try manifest.save(to: manifestPath)
        try AtomicFileWriter.write(manifest.report(), to: "\(cleanDirectory)/report.md")
        if let previousIndex, previousIndex != indexName { FileSystem.remove("\(cleanDirectory)/\(previousIndex)") }

        let filtered = record.filtered.values.reduce(0, +)
        var summary = "clean run \(runNumber)\(options.mergeWorkers.map { " (merge of \($0) workers)" } ?? ""): "
        summary += "\(record.inputDocuments) documents in \(shards.count) shards -> kept \(record.kept)"
        summary += " (train \(record.perSplit["train"] ?? 0), valid \(record.perSplit["valid"] ?? 0), test \(record.perSplit["test"] ?? 0)),"
        summary += " dropped \(filtered), \(record.skippedLines) invalid lines skipped"
        if !errors.isEmpty { summary += ", \(errors.count) input errors" }
        progress.finish(summary: summary)
        return Outcome(manifestPath: manifestPath, run: record, summary: summary)
    }

    /// Shards an interrupted attempt at this run number left behind (never in the manifest).
    private func removeLeftovers(ofRun run: Int) throws {
        let prefix = String(format: "run-%04d-", run)
        for split in Split.allCases where FileSystem.isDirectory("\(cleanDirectory)/\(split.rawValue)") {
            for name in try FileSystem.listDirectory("\(cleanDirectory)/\(split.rawValue)") where name.hasPrefix(prefix) {
                FileSystem.remove("\(cleanDirectory)/\(split.rawValue)/\(name)")
            }
        }
    }

    private func count(_ reason: FilterReason, source: String, _ record: inout CleanManifest.RunRecord) {
        record.filtered[reason.rawValue, default: 0] += 1
        if reason != .rightsReserved { record.perSource[source, default: .init()].filtered += 1 }
    }

    /// Reads a shard in batches; invalid lines are counted skips, a read error (truncated or
    /// corrupt gzip, a line over the reader's limit) ends the shard and is recorded, keeping the
    /// documents before it.
    /// Returns the skipped lines and the error that ended the shard, if any.
    private func forEachBatch(of shard: String, _ body: ([Document]) throws -> Void) throws -> (skipped: [CorpusError], error: CorpusError?) {
        let reader = try DocumentShardReader(path: shard)
        var batch: [Document] = []
        do {
            while let doc = try reader.next(skippingInvalid: true) {
                batch.append(doc)
                if batch.count >= options.batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch let error as CorpusError {
            if !batch.isEmpty { try body(batch) }
            return (reader.skippedLines, error)
        }
        if !batch.isEmpty { try body(batch) }
        return (reader.skippedLines, nil)
    }

    /// Whether `document` carries a reservation that keeps it out of the splits: the site's
    /// `rights.excludeReservedFromTraining` when `crawlers/<source>.json` exists, else the policy
    /// default; `--include-reserved` overrides both.
    private func excludesReserved(_ document: Document) throws -> Bool {
        guard !options.includeReserved, RightsReservation.isReserved(document) else { return false }
        if let known = siteExclusion[document.source] { return known }
        let path = "\(options.crawlersDirectory)/\(document.source).json"
        let exclude = FileSystem.exists(path)
            ? try SiteDefinition.load(path, crawlersDirectory: options.crawlersDirectory).rights.excludeReservedFromTraining
            : options.policy.excludeReservedByDefault
        siteExclusion[document.source] = exclude
        return exclude
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}

/// The output shards of one run: `<split>/run-<NNNN>-<KKKKK>.jsonl.gz`, a new shard every
/// `documentsPerShard` documents.
final class SplitWriters {
    let directory: String
    let run: Int
    let documentsPerShard: Int
    private var open: [Split: DocumentShardWriter] = [:]
    private var done: [Split: [ShardSummary]] = [:]

    init(directory: String, run: Int, documentsPerShard: Int) {
        self.directory = directory
        self.run = run
        self.documentsPerShard = documentsPerShard
    }

    func write(_ document: Document, to split: Split) throws {
        if let w = open[split], w.documentCount >= documentsPerShard {
            done[split, default: []].append(relative(try w.finish()))
            open[split] = nil
        }
        if open[split] == nil {
            let number = done[split]?.count ?? 0
            open[split] = try DocumentShardWriter(path: directory + "/" + String(format: "%@/run-%04d-%05d.jsonl.gz", split.rawValue, run, number))
        }
        try open[split]!.write(document)
    }

    /// Finishes every open shard; summaries per split in shard order (paths relative to `directory`).
    func finish() throws -> [(Split, [ShardSummary])] {
        for split in Split.allCases {
            if let w = open[split] { done[split, default: []].append(relative(try w.finish())) }
        }
        open = [:]
        return Split.allCases.compactMap { s in done[s].map { (s, $0) } }
    }

    private func relative(_ s: ShardSummary) -> ShardSummary {
        var s = s
        if s.path.hasPrefix(directory + "/") { s.path.removeFirst(directory.count + 1) }
        return s
    }
}
