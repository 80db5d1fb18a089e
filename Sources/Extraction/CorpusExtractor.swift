import Corpus
import Dispatch
import Foundation

/// Settings of one `ko-llama extract` run.
public struct ExtractionConfiguration: Sendable {
    /// Corpus folder: WARC input from `raw/`, documents and state to `docs/`.
    public var corpus: String
    /// Extra `.warc(.gz)` files or folders (e.g. another crawler's output).
    public var inputs: [String] = []
    public var shardIndex = 0
    public var shardCount = 1
    /// Documents per output shard before a new one is started.
    public var documentsPerShard = 10_000
    /// Records parsed concurrently per batch (output order stays the input order).
    public var batchSize = 64
    /// Fail when any input file is damaged (by default the records before the damage are kept).
    public var strict = false
    /// Runs a multi-page article may wait for a missing page, counting the run that read its
    /// first page; after that it is written with `missing_pages`.
    public var incompleteAfterRuns = 3
    /// Write every waiting multi-page article now, with `missing_pages`.
    public var flushIncomplete = false

    public init(corpus: String) { self.corpus = corpus }
}

/// Counted outcomes of a run, datatrove style.
public struct ExtractionSummary: Sendable {
    public var files = 0
    public var filesAlreadyDone = 0
    public var records = 0
    public var documents = 0
    public var genericDocuments = 0
    /// Records and pages that gave no document, by reason (`http_404`, `not_html`, `list_page`, ...).
    public var skipped: [String: Int] = [:]
    public var pagesWithInvalidSequences = 0
    public var invalidSequences = 0
    /// One message per damaged input file, naming the file and byte offset.
    public var damagedFiles: [String] = []
    public var shards: [ShardSummary] = []
    /// Multi-page articles written with pages missing.
    public var incompleteArticles = 0
    /// Multi-page articles still waiting for a page at the end of the run (kept in the state).
    public var pendingArticles = 0

    public var line: String {
        let skips = skipped.keys.sorted().map { "\($0)=\(skipped[$0]!)" }.joined(separator: " ")
        return "extract: \(files) files (\(filesAlreadyDone) already done), \(records) records, \(documents) documents "
            + "(\(genericDocuments) generic, \(incompleteArticles) incomplete multi-page, \(pendingArticles) waiting for pages), skipped: \(skips.isEmpty ? "none" : skips), "
            + "charset errors: \(invalidSequences) sequences in \(pagesWithInvalidSequences) pages, damaged files: \(damagedFiles.count)"
    }
}

public enum ExtractionError: Error, Sendable, CustomStringConvertible {
    case noInput(corpus: String)
    case nothingReadable(damaged: [String])
    case damagedInput([String])

    public var description: String {
        switch self {
        case let .noInput(corpus): return "\(corpus)/raw: no .warc.gz files to extract (and no --input given)"
        case let .nothingReadable(damaged): return "no input could be read: " + damaged.joined(separator: "; ")
        case let .damagedInput(damaged): return "damaged input (--strict): " + damaged.joined(separator: "; ")
        }
    }
}

/// `ko-llama extract`: streams WARC files one at a time, keeps 200 HTML responses, extracts them
/// concurrently in batches (results handled in input order, so output is deterministic), joins
/// multi-page articles and writes `docs/*.jsonl.gz` shards plus the state that makes re-runs
/// idempotent. Memory holds one batch plus the multi-page articles still waiting for pages,
/// which the state carries to later runs until their pages arrive or
/// `incompleteAfterRuns` runs have passed (or `flushIncomplete`).
public final class CorpusExtractor {
    public let configuration: ExtractionConfiguration
    public let matcher: SiteMatcher
    private let progress: ProgressReporter?
    private let extractor = PageExtractor()
    private var summary = ExtractionSummary()
    private var assembler = ArticleAssembler()
    private var writer: DocumentShardWriter?
    private var shardNumber = 0
    private var runNumber = 0

    public init(configuration: ExtractionConfiguration, matcher: SiteMatcher, progress: ProgressReporter? = nil) {
        self.configuration = configuration
        self.matcher = matcher
        self.progress = progress
    }

    private var docsDirectory: String { configuration.corpus + "/docs" }

    /// The WARC files this worker reads: `raw/` plus `--input`, sorted, deduplicated, then every
    /// files that `worker(ofFile:corpus:count:)` assigns to `shardIndex`.
    public func inputFiles() throws -> [String] {
        let suffixes = [".warc.gz", ".warc"]
        var files: [String] = []
        let raw = configuration.corpus + "/raw"
        if FileSystem.isDirectory(raw) { files += try FileSystem.files(under: raw, suffixes: suffixes) }
        for input in configuration.inputs {
            if FileSystem.isDirectory(input) { files += try FileSystem.files(under: input, suffixes: suffixes) }
            else if FileSystem.exists(input) { files.append(input) }
            else { throw CorpusError.io(path: input, operation: "open", errno: ENOENT) }
        }
        let unique = Array(Set(files)).sorted()
        return unique.filter { Self.worker(ofFile: $0, corpus: configuration.corpus, count: configuration.shardCount) == configuration.shardIndex }
    }

    /// The worker that extracts a WARC file: a stable hash of its path (relative to the corpus
    /// for files under it), so the assignment never depends on which other files exist and
    /// workers running at the same time never read the same file.
    public static func worker(ofFile path: String, corpus: String, count: Int) -> Int {
        let prefix = corpus.hasSuffix("/") ? corpus : corpus + "/"
        let key = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
        return StableHash.bucket(key, count: count)
    }

    public func run() throws -> ExtractionSummary {
        let files = try inputFiles()
        if files.isEmpty && configuration.shardCount == 1 { throw ExtractionError.noInput(corpus: configuration.corpus) }
        var (state, allStates) = try ExtractionState.load(directory: docsDirectory, shardIndex: configuration.shardIndex,
                                                          shardCount: configuration.shardCount)
        runNumber = state.runs + 1
        assembler = ArticleAssembler(pending: state.pending)
        var handled = Set(allStates.flatMap { $0.files.flatMap(\.records) })
        let completeFiles = Dictionary(allStates.flatMap(\.files).filter(\.complete).map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
        var readableFiles = 0
        for file in files {
            summary.files += 1
            let size = try FileSystem.fileSize(file)
            if completeFiles[file] == size {
                summary.filesAlreadyDone += 1
                readableFiles += 1
                continue
            }
            let (records, damaged, readAny) = try extract(file: file, handled: handled)
            handled.formUnion(records)
            if !damaged || readAny { readableFiles += 1 }
            state.record(path: file, size: size, complete: !damaged, records: records)
        }
        let due = configuration.flushIncomplete ? runNumber : runNumber - max(configuration.incompleteAfterRuns, 1) + 1
        for document in assembler.release(readBy: due) {
            summary.incompleteArticles += 1
            try write(document)
        }
        summary.pendingArticles = assembler.pendingArticles
        state.pending = assembler.pendingPages
        if let writer { summary.shards.append(try writer.finish()) }
        writer = nil
        // The state follows the shards even when the run then fails, so shards already written
        // are never written again.
        state.runs = runNumber
        try FileSystem.createDirectory(docsDirectory)
        try state.save(directory: docsDirectory, shardIndex: configuration.shardIndex, shardCount: configuration.shardCount)
        if !summary.damagedFiles.isEmpty {
            if readableFiles == 0 { throw ExtractionError.nothingReadable(damaged: summary.damagedFiles) }
            if configuration.strict { throw ExtractionError.damagedInput(summary.damagedFiles) }
        }
        return summary
    }

    private struct Job {
        var page: FetchedPage
        var site: CompiledSite?
        var provenance: PageProvenance
    }

    /// Reads one WARC file; returns the response record ids newly handled, whether the file was
    /// damaged, and whether any record could be read at all.
    private func extract(file: String, handled: Set<String>) throws -> (records: [String], damaged: Bool, readAny: Bool) {
        let reader = try WARCReader(path: file)
        var seen: [String] = []
        var batch: [Job] = []
        var damaged = false
        var readAny = false
        do {
            while let record = try reader.next() {
                readAny = true
                summary.records += 1
                progress?.advance()
                guard record.type == "response" else { skip("not_response"); continue }
                let id = record.recordID ?? "\(file)@\(reader.recordOffset)"
                if handled.contains(id) { skip("already_extracted"); continue }
                seen.append(id)
                if let job = classify(record, id: id, file: file) { batch.append(job) }
                if batch.count >= configuration.batchSize {
                    try process(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch let error as CorpusError {
            damaged = true
            summary.damagedFiles.append(error.description)
        }
        try process(batch)
        return (seen, damaged, readAny)
    }

    /// A job for a 200 HTML response, or nil (counted) for anything else.
    private func classify(_ record: WARCRecord, id: String, file: String) -> Job? {
        guard let http = HTTPMessage.parse(record.block) else { skip("bad_http"); return nil }
        guard let status = http.statusCode, status == 200 else { skip("http_\(http.statusCode.map(String.init) ?? "unknown")"); return nil }
        var body = Array(record.block[http.bodyOffset...])
        if let coding = http.header("Transfer-Encoding"), coding.lowercased().contains("chunked") {
            guard let plain = HTTPBody.dechunk(body[...]) else { skip("bad_chunking"); return nil }
            body = plain
        } else if let declared = http.header("Content-Length").flatMap({ Int($0) }), declared > body.count {
            // A connection that closed early leaves fewer bytes than the response announced.
            skip("truncated_body")
            return nil
        }
        if let coding = http.header("Content-Encoding")?.lowercased(), coding != "identity" {
            skip("content_encoding_\(coding)")
            return nil
        }
        guard CorpusExtractor.isHTML(contentType: http.header("Content-Type"), body: body) else { skip("not_html"); return nil }
        guard let target = record.targetURI, let url = URLParts(target) else { skip("bad_url"); return nil }
        let site = matcher.site(for: url, declaredSite: record.header("KoLlama-Site"))
        // List pages, home pages and sitemaps lead to articles; they are not documents.
        if let kind = record.header("KoLlama-Page-Kind"), kind != "article" { skip("list_page"); return nil }
        if let site, site.isListPage(path: url.pathAndQuery) { skip("list_page"); return nil }
        let provenance = PageProvenance(warcFile: file, recordID: id, fetchDate: record.header("WARC-Date") ?? "")
        return Job(page: FetchedPage(url: target, httpHeaders: http.headers, body: body), site: site, provenance: provenance)
    }

    static func isHTML(contentType: String?, body: [UInt8]) -> Bool {
        if let contentType {
            let lower = contentType.lowercased()
            return lower.hasPrefix("text/html") || lower.hasPrefix("application/xhtml")
        }
        let head = String(decoding: body.prefix(512), as: UTF8.self).lowercased()
        return head.contains("<html") || head.contains("<!doctype html")
    }

    /// Extracts a batch on every core, then handles the results in input order.
    private func process(_ batch: [Job]) throws {
        guard !batch.isEmpty else { return }
        let slots = ResultSlots(count: batch.count)
        let extractor = self.extractor
        let jobs = batch.map { ($0.page, $0.site) }
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            do {
                slots.set(i, try extractor.extract(jobs[i].0, site: jobs[i].1))
            } catch {
                slots.set(i, .skipped(reason: "decode_error"))
            }
        }
        for (i, job) in batch.enumerated() {
            switch slots.get(i) {
            case let .skipped(reason):
                skip(reason)
            case let .page(page):
                if page.invalidSequences > 0 {
                    summary.pagesWithInvalidSequences += 1
                    summary.invalidSequences += page.invalidSequences
                }
                for document in assembler.add(page, job.provenance, run: runNumber) { try write(document) }
            }
        }
    }

    private func write(_ document: Document) throws {
        if writer == nil {
            let name = String(format: "extract-s%dof%d-r%04d-%05d.jsonl.gz", configuration.shardIndex, configuration.shardCount, runNumber, shardNumber)
            writer = try DocumentShardWriter(path: docsDirectory + "/" + name)
            shardNumber += 1
        }
        try writer!.write(document)
        summary.documents += 1
        if document.metadata["extractor"] == .string("generic") { summary.genericDocuments += 1 }
        if writer!.documentCount >= configuration.documentsPerShard {
            summary.shards.append(try writer!.finish())
            writer = nil
        }
    }

    private func skip(_ reason: String) {
        summary.skipped[reason, default: 0] += 1
    }
}

/// One result slot per batch item, each written by exactly one worker thread.
private final class ResultSlots: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<PageOutcome?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func set(_ i: Int, _ value: PageOutcome) { storage[i] = value }
    func get(_ i: Int) -> PageOutcome { storage[i]! }
}
