import Corpus
import Foundation

/// Settings of one crawl run (the `ko-llama crawl` options).
public struct CrawlOptions: Sendable {
    /// The corpus folder: `raw/*.warc.gz`, `crawl.sqlite` and `crawl.lock` live in it.
    public var corpus: String
    /// Replaces the site's scheme, host and port (a mirror, or the loopback replica).
    public var originOverride: String?
    /// Stop after this many page requests (robots.txt not counted); the frontier stays resumable.
    public var maxPages: Int?
    /// End the run after this many seconds: no request starts, and no wait (delay, Retry-After,
    /// backoff) begins, that would end after it; requests are cut at it. The frontier stays resumable.
    public var maxDuration: Double?
    /// Replaces the site's politeness delay (robots.txt Crawl-delay still wins when larger).
    public var delay: Double?
    /// Replaces the site's first backoff for retries.
    public var backoff: Double?
    /// Product token and version, e.g. `ko-llama/0.1`; the token also selects the robots.txt group.
    public var userAgent = "ko-llama/0.1"
    /// How a site operator reaches whoever runs the crawl (URL or e-mail), sent in the User-Agent.
    public var contact = "https://github.com/ko-llama/ko-llama"
    /// WARC files are rotated when they reach this size.
    public var warcMaxBytes = 100_000_000
    public var quiet = true
    /// False leaves the summary line to the caller (`ko-llama refresh`).
    public var printsSummary = true

    public init(corpus: String) { self.corpus = corpus }

    /// The User-Agent header: `ko-llama/0.1 (+contact)`.
    public var userAgentHeader: String { "\(userAgent) (+\(contact))" }
    /// The robots.txt product token (`ko-llama`).
    public var productToken: String { String(userAgent.split(separator: "/").first ?? "ko-llama").lowercased() }
}

/// What a run did.
public struct CrawlSummary: Sendable, Equatable {
    public var site: String
    /// Page requests made (robots.txt excluded).
    public var requests = 0
    /// Pages (lists, sitemaps, articles) archived because they were new or changed; robots.txt not counted.
    public var archived = 0
    /// Archived article pages.
    public var archivedArticles = 0
    public var notModified = 0
    public var unchanged = 0
    public var bytes = 0
    /// Error answers and failed transfers (429, 5xx, timeouts, resets), retried ones included.
    public var errors = 0
    /// URLs left without an answer at the end of the run because of errors: retries used up,
    /// or still waiting for a retry when the run stopped. A URL whose retry succeeded is not one.
    public var failed = 0
    public var disallowed = 0
    public var gone = 0
    public var warcFiles: [String] = []
    public var seconds = 0.0
    /// Why the host stopped early (robots.txt unreachable, Retry-After too long), if it did.
    public var pausedReason: String?
    /// Why the run stopped before the frontier was empty (`max-pages`, `max-duration`), if it did.
    public var stoppedBy: String?

    /// How a run ended, as `ko-llama crawl` tells cron with its exit code.
    public enum Outcome: Sendable, Equatable {
        /// New or changed pages were archived (exit 0).
        case newPages
        /// The site answered and had nothing new (exit 3).
        case nothingNew
        /// Nothing archived, and the host was paused (robots.txt unreachable: network errors,
        /// 429 or 5xx; Retry-After too long), URLs were left failed, or the run was cut short
        /// before any page was answered (exit 1).
        case failed
    }

    public var outcome: Outcome {
        if archived > 0 { return .newPages }
        if pausedReason != nil || failed > 0 { return .failed }
        // Cut short (max-duration, max-pages) before any page was answered: that is not a site
        // with nothing new, and cron must not read it as one.
        if stoppedBy != nil && notModified + unchanged + gone == 0 { return .failed }
        return .nothingNew
    }

    public var line: String {
        var s = "crawl \(site): \(requests) requests, \(archived) archived (\(archivedArticles) articles), \(notModified) not modified, "
            + "\(unchanged) unchanged, \(gone) gone, \(disallowed) disallowed, \(errors) errors (\(failed) failed), \(bytes) bytes, "
            + "\(warcFiles.count) WARC files, " + String(format: "%.1f s", seconds)
        if let pausedReason { s += "; host paused: \(pausedReason)" }
        if let stoppedBy { s += "; stopped by \(stoppedBy) (resumable)" }
        return s
    }
}

/// Why a crawl did not run at all (as opposed to per-URL failures, which are logged and counted).
public enum CrawlError: Error, Sendable, CustomStringConvertible {
    /// Another run holds `<corpus>/crawl.lock`.
    case locked(path: String)
    public var description: String {
        switch self {
        case let .locked(path): return "\(path): another crawl holds the lock; exiting"
        }
    }
}

/// One polite, incremental, resumable crawl of one site into a corpus, the way Heritrix and
/// wget's WARC mode archive: robots.txt first, then lists and sitemaps (refetched each run,
/// conditionally), then articles (fetched once; an archived article is never refetched), every
/// new or changed 200 response written as a WARC request/response pair with the fetch recorded
/// in the crawl state in the same step. Single worker: requests to the host go one at a time
/// through `PolitenessScheduler`.
public final class Crawler {
    public static let maxRedirects = 5

    public let options: CrawlOptions
    public let scope: SiteScope
    private let clock: CrawlClock
    private let scheduler: PolitenessScheduler
    private let noticePatterns: [NSRegularExpression]
    private let fetcher: HTTPFetcher
    private var robots = RobotsTxt.allowAll
    private var summary: CrawlSummary
    /// URLs whose last request this run ended in an error (`CrawlSummary.failed`).
    private var unanswered: Set<String> = []
    /// When `--max-duration` ends the run, on `clock` (infinity without one).
    private var deadline = Double.infinity
    private var progress: ProgressReporter?

    public init(site: SiteDefinition, options: CrawlOptions, clock: CrawlClock = SystemClock()) throws {
        self.options = options
        self.clock = clock
        scope = try SiteScope(site: site, originOverride: options.originOverride)
        let p = site.politeness
        scheduler = PolitenessScheduler(settings: .init(delay: options.delay ?? p.delaySeconds, jitter: p.jitter,
            concurrencyPerHost: p.concurrencyPerHost, backoff: options.backoff ?? p.backoffSeconds, maxRetryAfter: p.maxRetryAfterSeconds), clock: clock)
        noticePatterns = try site.rights.noticePatterns.map { try NSRegularExpression(pattern: $0) }
        var settings = HTTPFetcher.Settings(userAgent: options.userAgentHeader)
        settings.totalTimeout = 60
        fetcher = HTTPFetcher(settings: settings)
        summary = CrawlSummary(site: site.name)
    }

    /// The host (and port) requests go to: the politeness unit.
    private var host: String { SiteScope.hostPort(scope.fetchOrigin) ?? scope.fetchOrigin }

    /// Runs the crawl. Throws `CrawlError.locked` when another run holds the corpus lock.
    public func run() throws -> CrawlSummary {
        let started = clock.now()
        deadline = options.maxDuration.map { started + $0 } ?? .infinity
        guard let lock = try CrawlLock(path: options.corpus + "/crawl.lock") else {
            throw CrawlError.locked(path: options.corpus + "/crawl.lock")
        }
        defer { withExtendedLifetime(lock) {} }
        let state = try CrawlState(path: options.corpus + "/crawl.sqlite")
        let rawDirectory = options.corpus + "/raw"
        for name in try WARCArchive.recover(directory: rawDirectory, committedLengths: state.unfinalizedWARCLengths()) {
            try state.markWARCFinalized(name)
        }
        let archive = try WARCArchive(directory: rawDirectory, maxBytes: options.warcMaxBytes, warcinfo: [
            ("software", "ko-llama/0.1 Crawling (libcurl)"), ("format", "WARC File Format 1.1"),
            ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            ("http-header-user-agent", options.userAgentHeader), ("robots", "obey"), ("isPartOf", scope.site.name),
        ])
        let reporter = ProgressReporter(label: "crawl \(scope.site.name)", quiet: options.quiet, printsSummary: options.printsSummary)
        progress = reporter

        try state.beginRun(origin: scope.origin)
        for seed in scope.site.seeds {
            if let url = scope.absolute(seed) { try state.enqueue(url, kind: scope.kind(of: url) ?? .list, from: nil) }
        }
        for sitemap in scope.site.sitemaps {
            if let url = scope.absolute(sitemap) { try state.enqueue(url, kind: .sitemap, from: nil) }
        }

        try fetchRobots(state: state, archive: archive)
        while summary.pausedReason == nil && summary.stoppedBy == nil {
            if let maxPages = options.maxPages, summary.requests >= maxPages {
                summary.stoppedBy = "max-pages"
                break
            }
            let now = clock.now()
            if now >= deadline {
                summary.stoppedBy = "max-duration"
                break
            }
            guard let entry = try state.nextReady(origin: scope.origin, now: now) else {
                guard let earliest = try state.earliestPending(origin: scope.origin) else { break }
                if earliest > deadline {
                    summary.stoppedBy = "max-duration"
                    break
                }
                clock.sleep(seconds: max(0.001, earliest - now))
                continue
            }
            // One transaction per page: its WARC length, validators, links, status and log commit together.
            try state.db.transaction { try process(entry, state: state, archive: archive) }
            if archive.shouldRotate, let name = try archive.finalize() { try state.markWARCFinalized(name) }
            reporter.advance(detail: "\(summary.archived) archived, \(summary.bytes / 1024) KiB, \(summary.errors) errors (\(host))")
        }
        if let name = try archive.finalize() { try state.markWARCFinalized(name) }
        summary.failed = unanswered.count
        summary.seconds = clock.now() - started
        reporter.finish(summary: summary.line)
        return summary
    }

    // MARK: - robots.txt

    /// Fetches robots.txt and reads its status as RFC 9309 (2.3.1) does: a 2xx gives the rules;
    /// redirects are followed for up to five hops, across hosts too, and more count as
    /// "unavailable"; "unavailable" (4xx) allows everything; "unreachable" (429, 5xx, network
    /// errors) disallows everything, so the host is paused for the run. The Crawl-delay is in
    /// force before the first page is asked for.
    private func fetchRobots(state: CrawlState, archive: WARCArchive) throws {
        var url = scope.origin + "/robots.txt"
        var target = scope.fetchURL(url)
        var status = 0
        for hop in 0...Crawler.maxRedirects {
            guard acquireSlot() else { return }
            let exchange: HTTPExchange
            do {
                exchange = try fetcher.get(target, timeout: deadline - clock.now())
            } catch let error as FetchError {
                scheduler.release(host: host, outcome: .done)
                if clock.now() >= deadline {
                    summary.stoppedBy = "max-duration"
                    return
                }
                scheduler.pause(host: host, reason: "robots.txt unreachable: \(error.detail)")
                break
            }
            status = exchange.status
            if (300..<400).contains(status), hop < Crawler.maxRedirects, let location = exchange.header("Location"),
               let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL.absoluteString {
                scheduler.release(host: host, outcome: .done)
                // On the site (or its mirror): kept canonical like every URL; elsewhere: as it is.
                url = scope.resolve(next, against: url) ?? next
                target = scope.fetchURL(url)
                continue
            }
            switch status {
            case 200..<300:
                robots = RobotsTxt(bytes: exchange.body, userAgent: options.productToken)
                scheduler.setCrawlDelay(robots.crawlDelay, host: host)
                var record = exchange
                record.url = url
                _ = try archiveIfChanged(record, kind: nil, optOuts: [], state: state, archive: archive)
            case 429, 500...:
                scheduler.pause(host: host, reason: "robots.txt answered \(status)")
            default:
                // 4xx, a redirect without a target, or more than five redirects: unavailable.
                robots = .allowAll
            }
            scheduler.release(host: host, outcome: .done)
            break
        }
        try state.recordRobots(host: host, time: Date().timeIntervalSince1970, status: status, rules: robots.summary)
        if let reason = scheduler.pauseReason(host: host) {
            summary.pausedReason = reason
            return
        }
        for sitemap in robots.sitemaps {
            if let u = scope.resolve(sitemap, against: url) { try state.enqueue(u, kind: .sitemap, from: url) }
        }
    }

    /// Takes the host's next request slot. On false the run stops: the host is paused, or its
    /// next slot lies past `--max-duration` (whatever was about to be fetched stays pending).
    private func acquireSlot() -> Bool {
        if scheduler.acquire(host: host, deadline: deadline) { return true }
        if let reason = scheduler.pauseReason(host: host) { summary.pausedReason = reason } else { summary.stoppedBy = "max-duration" }
        return false
    }

    // MARK: - One frontier entry

    private func process(_ entry: CrawlState.Entry, state: CrawlState, archive: WARCArchive) throws {
        let url = entry.url
        let path = SiteScope.pathAndQuery(url)
        let rule = robots.decidingRule(for: path)
        if !robots.isAllowed(path) {
            summary.disallowed += 1
            try state.setStatus(url, .disallowed, error: rule.map { "robots.txt disallow: \($0.pattern)" })
            return
        }
        guard acquireSlot() else { return }
        let validators = try state.validators(url)
        var conditional: [(String, String)] = []
        if let etag = validators?.etag { conditional.append(("If-None-Match", etag)) }
        if let lm = validators?.lastModified { conditional.append(("If-Modified-Since", lm)) }
        summary.requests += 1
        let now = Date().timeIntervalSince1970
        let attempts = entry.attempts + 1
        var exchange: HTTPExchange
        do {
            exchange = try fetcher.get(scope.fetchURL(url), extraHeaders: conditional, timeout: deadline - clock.now())
            exchange.url = url
        } catch let error as FetchError {
            scheduler.release(host: host, outcome: .done)
            if clock.now() >= deadline {
                // Cut at --max-duration, not the server's failure: left pending as it was.
                summary.stoppedBy = "max-duration"
                return
            }
            summary.errors += 1
            try state.log(.init(time: now, url: url, status: 0, bytes: 0, duration: 0, error: error.description))
            try retryOrFail(url, attempts: attempts, kind: error.kind, wait: scheduler.backoff(attempt: attempts), error: error.description, state: state)
            return
        }
        let retryAfter = [429, 503].contains(exchange.status) ? exchange.header("Retry-After").flatMap { Crawler.parseRetryAfter($0) } : nil
        scheduler.release(host: host, outcome: retryAfter.map { .retryAfter($0) } ?? .done)
        let ruleText = rule.map { "\($0.allow ? "allow" : "disallow"): \($0.pattern)" }
        var fetch = CrawlState.Fetch(time: now, url: url, status: exchange.status, bytes: exchange.body.count,
                                     duration: exchange.duration, robotsRule: ruleText)
        unanswered.remove(url)

        switch exchange.status {
        case 200, 203: // 203: a whole page, though a proxy may have transformed it
            let signals = PageSignals(headers: exchange.headers, body: exchange.body, sitemap: entry.kind == .sitemap,
                                      charsetHint: scope.site.charsetHint, noticePatterns: noticePatterns)
            fetch.optOuts = signals.optOuts
            if let written = try archiveIfChanged(exchange, kind: entry.kind, optOuts: signals.optOuts, state: state, archive: archive) {
                fetch.warcFile = written.file
                fetch.recordID = written.recordID
            }
            for link in signals.links {
                guard let target = scope.resolve(link, against: url) else { continue }
                let kind: PageKind? = entry.kind == .sitemap && SiteScope.pathAndQuery(target).hasSuffix(".xml") ? .sitemap : scope.kind(of: target)
                if let kind { try state.enqueue(target, kind: kind, from: url) }
            }
            try state.setStatus(url, .done, attempts: attempts)
        case 304:
            summary.notModified += 1
            try state.setStatus(url, .done, attempts: attempts)
        case 300..<400:
            if let location = exchange.header("Location"), let target = scope.resolve(location, against: url) {
                if entry.redirects + 1 > Crawler.maxRedirects {
                    fetch.error = "more than \(Crawler.maxRedirects) redirects"
                    try state.setStatus(url, .failed, attempts: attempts, error: fetch.error)
                } else {
                    try state.enqueue(target, kind: scope.kind(of: target) ?? entry.kind, from: url, redirects: entry.redirects + 1)
                    try state.setStatus(url, .redirected, attempts: attempts, error: "-> \(target)")
                }
            } else {
                fetch.error = "redirect to a URL outside the site: \(exchange.header("Location") ?? "(no Location)")"
                try state.setStatus(url, .redirected, attempts: attempts, error: fetch.error)
            }
        case 206, 429, 500..<600: // 206: part of a page, unasked (no Range sent): retried like a truncated body
            summary.errors += 1
            fetch.error = "HTTP \(exchange.status)"
            if let pause = scheduler.pauseReason(host: host) { summary.pausedReason = pause }
            try retryOrFail(url, attempts: attempts, kind: .transient, wait: retryAfter ?? scheduler.backoff(attempt: attempts), error: fetch.error!, state: state)
        case 200..<300:
            // No page to archive (204 No Content, 202 Accepted...), but the URL answered: done, not gone.
            try state.setStatus(url, .done, attempts: attempts, error: "HTTP \(exchange.status): nothing archived")
        default:
            summary.gone += 1
            try state.setStatus(url, .gone, attempts: attempts, error: "HTTP \(exchange.status)")
        }
        try state.log(fetch)
    }

    private func retryOrFail(_ url: String, attempts: Int, kind: FetchError.Kind, wait: Double, error: String, state: CrawlState) throws {
        unanswered.insert(url)
        if kind == .transient && attempts <= scope.site.politeness.maxRetries {
            try state.setStatus(url, .pending, attempts: attempts, nextAttempt: clock.now() + wait, error: error)
        } else {
            try state.setStatus(url, .failed, attempts: attempts, error: error)
        }
    }

    // MARK: - Archiving

    /// Writes the exchange as a WARC request/response pair unless its body is the one already
    /// archived for this URL; the WARC append, validators and committed file length are recorded
    /// together, so a crash between the two leaves nothing a resumed run would duplicate.
    private func archiveIfChanged(_ exchange: HTTPExchange, kind: PageKind?, optOuts: [String], state: CrawlState,
                                  archive: WARCArchive) throws -> (file: String, recordID: String)? {
        let sha = DigestEncoding.hex(SHA256.hash(exchange.body))
        let validators = CrawlState.Validators(etag: exchange.header("ETag"), lastModified: exchange.header("Last-Modified"), sha256: sha)
        if try state.validators(exchange.url)?.sha256 == sha {
            summary.unchanged += 1
            try state.setValidators(exchange.url, validators, archivedAt: nil)
            return nil
        }
        let date = Date()
        let responseID = WARCRecord.newRecordID()
        var extra: [(name: String, value: String)] = []
        if let ip = exchange.remoteIP { extra.append(("WARC-IP-Address", ip)) }
        // The extractor matches records to their site by this header, whatever host served them.
        extra.append(("KoLlama-Site", scope.site.name))
        let fetchedFrom = scope.fetchURL(exchange.url)
        if fetchedFrom != exchange.url { extra.append(("KoLlama-Fetched-From", fetchedFrom)) }
        if let kind { extra.append(("KoLlama-Page-Kind", kind.rawValue)) }
        if let template = scope.articleName(of: exchange.url), kind == .article { extra.append(("KoLlama-Article-Template", template)) }
        if let rule = robots.decidingRule(for: SiteScope.pathAndQuery(exchange.url)) {
            extra.append(("KoLlama-Robots-Rule", "\(rule.allow ? "allow" : "disallow"): \(rule.pattern)"))
        }
        for signal in optOuts { extra.append(("KoLlama-Opt-Out", signal)) }
        let response = WARCRecord.make(type: "response", targetURI: exchange.url, date: date,
                                       contentType: "application/http; msgtype=response",
                                       block: exchange.responseHead + exchange.body, payloadOffset: exchange.responseHead.count,
                                       extra: extra, recordID: responseID)
        let request = WARCRecord.make(type: "request", targetURI: exchange.url, date: date,
                                      contentType: "application/http; msgtype=request", block: exchange.requestHead,
                                      extra: [("WARC-Concurrent-To", responseID)])
        let fileCount = try state.warcFileCount()
        let stamp = WARCRecord.formatDate(date).filter(\.isNumber)
        let written = try archive.append([response, request],
                                         newFileName: "\(self.scope.site.name)-\(stamp)-\(String(format: "%05d", fileCount + 1))")
        try state.db.transaction {
            try state.setWARCLength(written.file, written.length)
            try state.setValidators(exchange.url, validators, archivedAt: date.timeIntervalSince1970)
        }
        // robots.txt (kind nil) is archived when it changes but is not a page: it never makes a run "new".
        if kind != nil { summary.archived += 1 }
        if kind == .article { summary.archivedArticles += 1 }
        summary.bytes += exchange.body.count
        if !summary.warcFiles.contains(written.file) { summary.warcFiles.append(written.file) }
        return (written.file, responseID)
    }

    /// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(v), seconds >= 0 { return seconds }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: v) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
