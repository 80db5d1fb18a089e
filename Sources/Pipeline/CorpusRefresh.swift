import Cleaning
import Corpus
import Crawling
import Extraction
import Foundation
import Replica

/// `ko-llama refresh`: crawl -> extract -> clean for the sites of a `PipelineConfig`, the same
/// library calls `ko-llama crawl`, `extract` and `clean` make, under one lock
/// (`<corpus>/refresh.lock`) so two cron runs never overlap. Every stage is incremental, so a
/// refresh over unchanged sites archives nothing and adds no document. With
/// `crawl.replica.serve` the sites' local replicas are served in-process on loopback and crawled
/// instead of the real sites (the embedded default; the tests).
public struct CorpusRefresh {
    /// How a refresh ended; `exitCode` is what `ko-llama refresh` exits with (docs/PIPELINE.md).
    public enum Outcome: String, Sendable, Equatable {
        /// Documents were added to the clean corpus (exit 0).
        case newDocuments
        /// Every stage ran and no document reached the clean corpus (exit 3).
        case nothingNew
        /// Another refresh holds `<corpus>/refresh.lock`, or a crawl holds `crawl.lock` (exit 4).
        case locked
        /// A crawl failed, an input was damaged, or a stage could not run (exit 1); what the other
        /// stages could do was still done.
        case failed

        public var exitCode: Int32 {
            switch self {
            case .newDocuments: return 0
            case .nothingNew: return 3
            case .locked: return 4
            case .failed: return 1
            }
        }
    }

    /// What a refresh did.
    public struct Summary: Sendable {
        public var outcome: Outcome = .nothingNew
        public var crawls: [CrawlSummary] = []
        public var extraction: ExtractionSummary?
        public var clean: CleanManifest.RunRecord?
        /// One line per problem (a failed crawl, a damaged file, a stage's error).
        public var problems: [String] = []
        public var seconds = 0.0

        /// The one line `ko-llama refresh` prints.
        public var line: String {
            var parts = crawls.map { "\($0.site) \($0.archived) archived (\($0.archivedArticles) articles)" }
            if let extraction { parts.append("\(extraction.documents) new documents") }
            if let clean {
                let splits = Split.allCases.map { "\($0.rawValue) \(clean.perSplit[$0.rawValue] ?? 0)" }.joined(separator: " ")
                parts.append("\(clean.kept) kept (\(splits)), \(clean.filtered.values.reduce(0, +)) filtered")
            }
            var s = "refresh: \(outcome.rawValue): " + (parts.isEmpty ? "nothing ran" : parts.joined(separator: "; "))
            s += String(format: "; %.1f s", seconds)
            if !problems.isEmpty { s += "; \(problems.count) problem\(problems.count == 1 ? "" : "s")" }
            return s
        }
    }

    public let config: PipelineConfig
    /// No live progress lines and no per-stage summaries (cron): the caller prints `Summary.line`,
    /// and the stage lines and problems only when the refresh failed.
    public let quiet: Bool

    public init(config: PipelineConfig, quiet: Bool) {
        self.config = config
        self.quiet = quiet
    }

    /// Runs the refresh. Throws only when it cannot start (the corpus folder cannot be created);
    /// everything else ends in the summary's outcome and problems.
    public func run() throws -> Summary {
        let started = Date()
        var summary = Summary()
        try FileSystem.createDirectory(config.corpus)
        guard let lock = try CrawlLock(path: lockPath) else {
            summary.outcome = .locked
            summary.problems.append("\(lockPath): another refresh holds the lock; exiting")
            return summary
        }
        withExtendedLifetime(lock) {
            var failed = false
            for site in config.sites {
                do {
                    let crawl = try self.crawl(site: site)
                    summary.crawls.append(crawl)
                    if crawl.outcome == .failed {
                        failed = true
                        summary.problems.append("crawl \(site) failed: \(crawl.line)")
                    }
                } catch let error as CrawlError {
                    summary.outcome = .locked
                    summary.problems.append("crawl \(site): \(error)")
                    return
                } catch {
                    failed = true
                    summary.problems.append("crawl \(site): \(error)")
                }
            }
            do {
                let extraction = try extract()
                summary.extraction = extraction
                if !extraction.damagedFiles.isEmpty {
                    failed = true
                    summary.problems += extraction.damagedFiles.map { "extract: damaged input: \($0)" }
                }
            } catch {
                failed = true
                summary.problems.append("extract: \(error)")
            }
            do {
                let run = try clean()
                summary.clean = run
                if !run.inputErrors.isEmpty {
                    failed = true
                    summary.problems += run.inputErrors.map { "clean: \($0)" }
                }
            } catch {
                failed = true
                summary.problems.append("clean: \(error)")
            }
            summary.outcome = failed ? .failed : (summary.clean?.kept ?? 0) > 0 ? .newDocuments : .nothingNew
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// `<corpus>/refresh.lock`, held by a refresh (and by the pipeline's corpus stages).
    public var lockPath: String { config.corpus + "/refresh.lock" }

    /// One site's crawl, from its replica when the config serves one (as `ko-llama crawl`).
    public func crawl(site: String) throws -> CrawlSummary {
        let definition = try SiteDefinition.load(site, crawlersDirectory: config.crawlersDir)
        var options = CrawlOptions(corpus: config.corpus)
        options.maxPages = config.crawl.maxPagesPerSite
        options.maxDuration = config.crawl.maxDurationSecondsPerSite
        options.userAgent = config.crawl.userAgent
        options.contact = config.crawl.contact
        options.quiet = quiet
        options.printsSummary = !quiet
        let replica = config.crawl.replica
        guard replica.serve else {
            options.originOverride = config.crawl.origins[definition.name]
            return try Crawler(site: definition, options: options).run()
        }
        guard let replicaSite = ReplicaSite(rawValue: definition.name) else {
            throw RefreshError.noReplica(site: definition.name)
        }
        let server = try ReplicaServer(site: replicaSite, options: ReplicaOptions(
            initialArticles: replica.articles, crawlDelay: replica.delaySeconds, slowResponseSeconds: replica.slowSeconds,
            retryAfterSeconds: 1, failureModes: replica.failureModes,
            corpusFile: config.crawlersDir + "/replica/" + ReplicaCorpus.fileName))
        try server.start()
        defer { server.stop() }
        options.originOverride = server.origin
        options.delay = replica.delaySeconds
        options.backoff = replica.backoffSeconds
        return try Crawler(site: definition, options: options).run()
    }

    /// `ko-llama extract --corpus <corpus>` with its defaults.
    public func extract() throws -> ExtractionSummary {
        let matcher = try SiteMatcher(sites: SiteMatcher.loadDefinitions(directory: config.crawlersDir))
        let progress = ProgressReporter(label: "extract", quiet: quiet, printsSummary: !quiet)
        let extractor = CorpusExtractor(configuration: ExtractionConfiguration(corpus: config.corpus), matcher: matcher, progress: progress)
        let summary = try extractor.run()
        progress.finish(summary: summary.line)
        return summary
    }

    /// `ko-llama clean --corpus <corpus>` with its defaults.
    public func clean() throws -> CleanManifest.RunRecord {
        var options = CorpusCleaner.Options(corpus: config.corpus)
        options.crawlersDirectory = config.crawlersDir
        options.quiet = quiet
        options.printsSummary = !quiet
        return try CorpusCleaner(options: options).run().run
    }
}

/// Why a refresh could not crawl a site.
public enum RefreshError: Error, Sendable, Equatable, CustomStringConvertible {
    case noReplica(site: String)

    public var description: String {
        switch self {
        case let .noReplica(site):
            return "site \(site) has no local replica (crawl.replica.serve is true; set it false to crawl the real site)"
        }
    }
}
