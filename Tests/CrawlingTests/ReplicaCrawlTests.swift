import Corpus
@testable import Crawling
import Foundation
import Replica
import TestSupport
import XCTest

/// End-to-end crawls of the loopback replica of both sites (small delays so the suite stays fast).
final class ReplicaCrawlTests: XCTestCase {
    static let replicaOptions = ReplicaOptions(initialArticles: 24, crawlDelay: 0.002, slowResponseSeconds: 0.3, retryAfterSeconds: 1)

    private func startServer(_ site: ReplicaSite, options: ReplicaOptions = replicaOptions) throws -> ReplicaServer {
        let server = try ReplicaServer(site: site, options: options)
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    private func crawl(_ server: ReplicaServer, corpus: String, maxPages: Int? = nil) throws -> CrawlSummary {
        var options = CrawlOptions(corpus: corpus)
        options.originOverride = server.origin
        options.delay = 0.001
        options.backoff = 0.05
        options.maxPages = maxPages
        options.contact = "crawl-tests@example.org"
        let site = try SiteDefinition.load(server.site.rawValue, crawlersDirectory: repositoryRoot + "/crawlers")
        return try Crawler(site: site, options: options).run()
    }

    /// Every archived `response` record in the corpus, in file order.
    static func archivedResponses(_ corpus: String) throws -> [WARCRecord] {
        var out: [WARCRecord] = []
        for file in try FileSystem.files(under: corpus + "/raw", suffixes: [".warc.gz"]) {
            let reader = try WARCReader(path: file)
            while let record = try reader.next() {
                if record.type == "response" { out.append(record) }
            }
        }
        return out
    }

    static func articlePaths(_ responses: [WARCRecord]) -> [String] {
        responses.filter { $0.header("KoLlama-Page-Kind") == "article" }
            .compactMap { $0.targetURI.map(SiteScope.pathAndQuery) }.sorted()
    }

    private func assertFullPoliteCrawl(_ site: ReplicaSite) throws {
        let server = try startServer(site)
        let dir = try TemporaryDirectory("crawl-\(site.rawValue)")
        let summary = try crawl(server, corpus: dir.path)
        let catalog = server.catalog
        let log = server.requestLog

        // The archived article set is exactly what a correct polite crawler archives, once each.
        let responses = try ReplicaCrawlTests.archivedResponses(dir.path)
        let articles = ReplicaCrawlTests.articlePaths(responses)
        XCTAssertEqual(articles, catalog.expectedArchivedPaths.sorted(), site.rawValue)
        XCTAssertEqual(Set(articles).count, articles.count, "no article archived twice")
        XCTAssertEqual(summary.archivedArticles, catalog.expectedArchivedPaths.count)
        XCTAssertNil(summary.pausedReason)
        for record in responses {
            let http = try XCTUnwrap(HTTPMessage.parse(record.block))
            XCTAssertEqual(http.statusCode, 200)
            // The stored head describes the stored body: complete, and never chunk-framed.
            XCTAssertEqual(http.header("Content-Length").flatMap(Int.init), record.block.count - http.bodyOffset,
                           "complete body for \(record.targetURI ?? "")")
            XCTAssertNil(http.header("Transfer-Encoding"), "libcurl removed the chunk framing of \(record.targetURI ?? "")")
            XCTAssertNotNil(record.header("WARC-IP-Address"))
        }
        let chunkedPath = try XCTUnwrap(catalog.page(.chunked)?.path)
        let chunked = try XCTUnwrap(responses.first { $0.targetURI.map(SiteScope.pathAndQuery) == chunkedPath })
        XCTAssertEqual(HTTPMessage.parse(chunked.block)?.header("X-Crawler-Transfer-Encoding"), "chunked", "the wire framing stays on record")

        // robots.txt first, and nothing it disallows (nor any linked disallowed path) is requested.
        XCTAssertEqual(log.first?.target, "/robots.txt")
        let robotsBody = try XCTUnwrap(responses.first { $0.targetURI?.hasSuffix("/robots.txt") == true })
        let robots = RobotsTxt(bytes: Array(robotsBody.block[(HTTPMessage.parse(robotsBody.block)!.bodyOffset)...]), userAgent: "ko-llama")
        XCTAssertFalse(robots.rules.isEmpty)
        for request in log {
            XCTAssertFalse(catalog.disallowedLinkedPaths.contains(request.target), "requested disallowed \(request.target)")
            XCTAssertTrue(robots.isAllowed(request.target), "robots.txt disallows \(request.target)")
            XCTAssertEqual(request.header("Accept-Encoding"), "identity")
            XCTAssertEqual(request.header("User-Agent"), "ko-llama/0.1 (+crawl-tests@example.org)")
        }
        XCTAssertFalse(catalog.disallowedLinkedPaths.isEmpty)

        // Retry-After honoured: the retry of the 429 and the 503 page comes at least 1 s later.
        for failure in [ReplicaFailure.tooManyRequestsOnce, .unavailableOnce] {
            let path = try XCTUnwrap(catalog.page(failure)?.path)
            let hits = log.filter { $0.target == path }
            XCTAssertEqual(hits.map(\.status), [failure == .tooManyRequestsOnce ? 429 : 503, 200], "\(failure)")
            if hits.count == 2 {
                XCTAssertGreaterThanOrEqual(hits[1].time.timeIntervalSince(hits[0].time), 0.95, "\(failure) retried too early")
            }
        }
        // The truncated page was fetched again and archived whole (checked above), never half.
        let truncated = try XCTUnwrap(catalog.page(.truncatedOnce)?.path)
        XCTAssertEqual(log.filter { $0.target == truncated }.count, 2)

        // Redirects are followed by the crawler: the linked old path answers 301 once, its target is archived.
        let redirect = try XCTUnwrap(catalog.page(.redirectFromLegacyPath))
        XCTAssertEqual(log.filter { $0.target == redirect.path }.map(\.status), [301])
        XCTAssertTrue(articles.contains(try XCTUnwrap(redirect.redirectTarget)))

        // Opt-out signals are recorded in state and WARC headers.
        let state = try CrawlState(path: dir.path + "/crawl.sqlite")
        let canonical = try SiteDefinition.load(site.rawValue, crawlersDirectory: repositoryRoot + "/crawlers").origin
        let noAI = try XCTUnwrap(catalog.page(.noAIHeader)?.path)
        XCTAssertTrue(try state.optOuts(canonical + noAI).contains { $0.hasPrefix("x-robots-tag: noai") })
        let tdm = try XCTUnwrap(catalog.page(.tdmReservation)?.path)
        let tdmSignals = try state.optOuts(canonical + tdm)
        XCTAssertTrue(tdmSignals.contains("tdm-reservation: 1"), "\(tdmSignals)")
        XCTAssertTrue(tdmSignals.contains("meta tdm-reservation: 1"), "\(tdmSignals)")
        let noAIRecord = try XCTUnwrap(responses.first { $0.targetURI == canonical + noAI })
        XCTAssertEqual(noAIRecord.header("KoLlama-Fetched-From"), server.origin + noAI)
        XCTAssertTrue(noAIRecord.headers.contains { $0.name == "KoLlama-Opt-Out" && $0.value.hasPrefix("x-robots-tag") })
        if let rights = catalog.articles.first(where: { $0.rightsNotice != nil }),
           catalog.expectedArchivedPaths.contains(rights.path) {
            XCTAssertTrue(try state.optOuts(canonical + rights.path).contains { $0.hasPrefix("rights notice: ") })
        }
    }

    func testCrawlsXinhuaReplicaPolitelyAndCompletely() throws {
        try assertFullPoliteCrawl(.xinhua)
    }

    func testCrawlsPeopleReplicaPolitelyAndCompletely() throws {
        try assertFullPoliteCrawl(.people)
    }

    /// The reference WARC reader over a real crawl (both templates, every failure mode): record,
    /// block and payload digests check, and each response's HTTP head describes its payload.
    func testWarcioReadsARealCrawl() throws {
        try PythonPeer.require("warcio")
        let server = try startServer(.xinhua)
        let dir = try TemporaryDirectory("crawl-warcio")
        let summary = try crawl(server, corpus: dir.path)
        let out = try PythonPeer.run("""
            import sys, glob
            from warcio.archiveiterator import ArchiveIterator
            records = responses = reframed = 0
            for path in sorted(glob.glob(sys.argv[1] + '/raw/*.warc.gz')):
                with open(path, 'rb') as f:
                    for rec in ArchiveIterator(f, check_digests='raise'):
                        payload = rec.raw_stream.read()
                        records += 1
                        if rec.rec_type != 'response':
                            continue
                        responses += 1
                        h = rec.http_headers
                        assert h.get_header('Transfer-Encoding') is None, rec.rec_headers.get_header('WARC-Target-URI')
                        assert int(h.get_header('Content-Length')) == len(payload), rec.rec_headers.get_header('WARC-Target-URI')
                        if h.get_header('X-Crawler-Transfer-Encoding') == 'chunked':
                            reframed += 1
            print(records, responses, reframed)
            """, [dir.path])
        let counts = out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let responses = try ReplicaCrawlTests.archivedResponses(dir.path)
        XCTAssertEqual(counts, [2 * responses.count + summary.warcFiles.count, responses.count, 1], out)
    }

    func testSecondRunFetchesNoArticlesAndAPublishFetchesOnlyTheNewOnes() throws {
        let server = try startServer(.xinhua)
        let dir = try TemporaryDirectory("crawl-incremental")
        let first = try crawl(server, corpus: dir.path)
        XCTAssertGreaterThan(first.archived, 0)
        let before = Set(ReplicaCrawlTests.articlePaths(try ReplicaCrawlTests.archivedResponses(dir.path)))
        let articlePattern = try SiteScope(site: SiteDefinition.load("xinhua-ko", crawlersDirectory: repositoryRoot + "/crawlers"))

        server.clearRequestLog()
        let second = try crawl(server, corpus: dir.path)
        XCTAssertEqual(second.archived, 0, "nothing new: exit code 3")
        XCTAssertGreaterThan(second.notModified, 0)
        for request in server.requestLog {
            XCTAssertNil(articlePattern.articleName(of: "https://kr.news.cn" + request.target), "second run fetched article \(request.target)")
            // Lists and sitemaps are revalidated (304); the home alias answers its 301 again; robots.txt is refetched.
            XCTAssertTrue([304, 301].contains(request.status) || request.target == "/robots.txt", "\(request.target) answered \(request.status)")
        }

        server.clearRequestLog()
        server.publish(count: 3)
        let third = try crawl(server, corpus: dir.path)
        let expectedNew = server.catalog.expectedArchivedPaths.subtracting(before)
        XCTAssertFalse(expectedNew.isEmpty)
        let fetchedArticles = Set(server.requestLog.map(\.target).filter { articlePattern.articleName(of: "https://kr.news.cn" + $0) != nil })
        XCTAssertEqual(fetchedArticles, expectedNew)
        XCTAssertEqual(third.archivedArticles, expectedNew.count)
        let after = ReplicaCrawlTests.articlePaths(try ReplicaCrawlTests.archivedResponses(dir.path))
        XCTAssertEqual(after, server.catalog.expectedArchivedPaths.sorted())
    }

    func testMaxPagesBoundsRunsThatResumeWithoutDuplicates() throws {
        let server = try startServer(.people)
        let dir = try TemporaryDirectory("crawl-max-pages")
        var runs = 0
        while true {
            let summary = try crawl(server, corpus: dir.path, maxPages: 7)
            runs += 1
            XCTAssertLessThanOrEqual(summary.requests, 7)
            if summary.stoppedBy == nil { break }
            XCTAssertEqual(summary.stoppedBy, "max-pages")
            guard runs < 40 else { return XCTFail("bounded runs never finish the frontier") }
        }
        XCTAssertGreaterThan(runs, 2)
        let articles = ReplicaCrawlTests.articlePaths(try ReplicaCrawlTests.archivedResponses(dir.path))
        XCTAssertEqual(articles, server.catalog.expectedArchivedPaths.sorted())
        // No WARC .open file is left behind by a bounded run.
        XCTAssertTrue(try FileSystem.files(under: dir.path + "/raw", suffixes: [".open"]).isEmpty)
    }

    func testMaxDurationStopsARunThatTheNextOneFinishes() throws {
        let server = try startServer(.people)
        let dir = try TemporaryDirectory("crawl-max-duration")
        var options = CrawlOptions(corpus: dir.path)
        options.originOverride = server.origin
        options.delay = 0.05
        options.backoff = 0.05
        options.maxDuration = 0.5
        let site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        let bounded = try Crawler(site: site, options: options).run()
        XCTAssertEqual(bounded.stoppedBy, "max-duration")
        XCTAssertLessThan(bounded.seconds, 1.5)
        let rest = try crawl(server, corpus: dir.path)
        XCTAssertNil(rest.stoppedBy)
        XCTAssertEqual(ReplicaCrawlTests.articlePaths(try ReplicaCrawlTests.archivedResponses(dir.path)),
                       server.catalog.expectedArchivedPaths.sorted())
    }

    func testMaxDurationCutsARetryAfterWaitAndALaterRunResumes() throws {
        var replica = ReplicaCrawlTests.replicaOptions
        replica.retryAfterSeconds = 2
        let server = try startServer(.people, options: replica)
        let page = try XCTUnwrap(server.catalog.page(.tooManyRequestsOnce)?.path)
        // The 429 page is the first article asked for (after robots.txt's sitemaps and the lists).
        var site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        site.seeds = [page]
        site.sitemaps = []
        let dir = try TemporaryDirectory("crawl-retry-after-deadline")
        var options = CrawlOptions(corpus: dir.path)
        options.originOverride = server.origin
        options.delay = 0.001
        options.backoff = 0.05
        options.maxDuration = 1
        let bounded = try Crawler(site: site, options: options).run()
        XCTAssertEqual(bounded.stoppedBy, "max-duration")
        XCTAssertLessThan(bounded.seconds, 1.8, "the run ends by its deadline instead of sleeping through Retry-After: 2")
        XCTAssertEqual(server.requestLog.last.map { [$0.target, String($0.status)] }, [page, "429"], "nothing asked for after the 429")

        options.maxDuration = nil
        let resumed = try Crawler(site: site, options: options).run()
        XCTAssertNil(resumed.stoppedBy)
        let hits = server.requestLog.filter { $0.target == page }
        XCTAssertEqual(hits.map(\.status), [429, 200])
        if hits.count == 2 {
            XCTAssertGreaterThanOrEqual(hits[1].time.timeIntervalSince(hits[0].time), 1.95, "Retry-After honoured across runs")
        }
        XCTAssertEqual(ReplicaCrawlTests.articlePaths(try ReplicaCrawlTests.archivedResponses(dir.path)),
                       server.catalog.expectedArchivedPaths.sorted())
    }

    func testRobotsSitemapsReachTheFrontier() throws {
        let server = try startServer(.people)
        var site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        site.seeds = ["/"]
        site.sitemaps = [] // robots.txt alone names them
        let dir = try TemporaryDirectory("crawl-robots-sitemaps")
        var options = CrawlOptions(corpus: dir.path)
        options.originOverride = server.origin
        options.delay = 0.001
        options.maxPages = 3
        _ = try Crawler(site: site, options: options).run()
        XCTAssertEqual(server.requestLog.map(\.target), ["/robots.txt", "/", "/sitemap.xml", "/sitemap-sections.xml"])
        let state = try CrawlState(path: dir.path + "/crawl.sqlite")
        func discoveredFrom(_ path: String) throws -> String? {
            try state.db.query("SELECT discovered_from FROM frontier WHERE url = ?", [.text(site.origin + path)]).first?.first?.string
        }
        XCTAssertEqual(try discoveredFrom("/sitemap.xml"), site.origin + "/robots.txt")
        XCTAssertEqual(try state.entry(site.origin + "/sitemap.xml")?.kind, .sitemap)
        // The oldest article is on no page fetched yet: the sitemap put it in the frontier.
        let oldest = try XCTUnwrap(server.catalog.articles.last?.path)
        XCTAssertEqual(try discoveredFrom(oldest), site.origin + "/sitemap.xml")
    }

    func testRobotsCrawlDelayIsKeptBetweenRequests() throws {
        var replica = ReplicaCrawlTests.replicaOptions
        replica.crawlDelay = 0.2
        let server = try startServer(.people, options: replica)
        let dir = try TemporaryDirectory("crawl-delay")
        _ = try crawl(server, corpus: dir.path, maxPages: 3) // the site delay is 0.001 s: robots.txt's 0.2 s wins
        let times = server.requestLog.map(\.time)
        XCTAssertEqual(times.count, 4)
        for (earlier, later) in zip(times, times.dropFirst()) {
            XCTAssertGreaterThanOrEqual(later.timeIntervalSince(earlier), 0.2, "Crawl-delay kept, robots.txt to first page included")
        }
    }

    func testFetcherKeepsBytesAsSentAndCapsTheBody() throws {
        let server = try startServer(.people)
        let fetcher = HTTPFetcher(settings: .init(userAgent: "ko-llama/0.1 (+tests)"))
        let page = try fetcher.get(server.origin + "/robots.txt")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.responseHead.starts(with: Array("HTTP/1.1 200".utf8)))
        XCTAssertEqual(page.header("Content-Length").flatMap(Int.init), page.body.count)
        XCTAssertTrue(String(decoding: page.requestHead, as: UTF8.self).contains("Accept-Encoding: identity\r\n"))
        let redirect = try XCTUnwrap(server.catalog.page(.redirectHomeAlias))
        let hop = try fetcher.get(server.origin + redirect.path)
        XCTAssertEqual(hop.status, 301, "curl never follows redirects itself")
        let chunked = try fetcher.get(server.origin + XCTUnwrap(server.catalog.page(.chunked)).path)
        XCTAssertEqual(chunked.header("X-Crawler-Transfer-Encoding"), "chunked")
        XCTAssertNil(chunked.header("Transfer-Encoding"))
        XCTAssertEqual(chunked.header("Content-Length").flatMap(Int.init), chunked.body.count)
        XCTAssertTrue(String(decoding: chunked.body, as: UTF8.self).contains("</html>"), "the whole page, framing removed")
        var small = HTTPFetcher.Settings(userAgent: "ko-llama/0.1 (+tests)")
        small.maxBodyBytes = 64
        XCTAssertThrowsError(try HTTPFetcher(settings: small).get(server.origin + "/")) { error in
            XCTAssertEqual((error as? FetchError)?.kind, .permanent)
        }
    }

    func testStoredHeadDescribesTheStoredBody() {
        func stored(_ head: String, status: Int = 200, body: Int) -> String {
            String(decoding: HTTPFetcher.storedHead(Array(head.utf8), status: status, bodyLength: body), as: UTF8.self)
        }
        XCTAssertEqual(stored("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nETag: \"a\"\r\n\r\n", body: 12),
                       "HTTP/1.1 200 OK\r\nX-Crawler-Transfer-Encoding: chunked\r\nETag: \"a\"\r\nContent-Length: 12\r\n\r\n")
        // Both framings sent (the length must be ignored, RFC 9112 6.3): both kept, renamed.
        XCTAssertEqual(stored("HTTP/1.1 200 OK\r\ncontent-length: 99\r\ntransfer-encoding: chunked\r\n\r\n", body: 5),
                       "HTTP/1.1 200 OK\r\nX-Crawler-content-length: 99\r\nX-Crawler-transfer-encoding: chunked\r\nContent-Length: 5\r\n\r\n")
        let plain = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        XCTAssertEqual(stored(plain, body: 5), plain)
        let notModified = "HTTP/1.1 304 Not Modified\r\nContent-Length: 5000\r\n\r\n"
        XCTAssertEqual(stored(notModified, status: 304, body: 0), notModified, "a 304's length describes the cached page")
    }

    func testConcurrentRunIsRefusedByTheLock() throws {
        let server = try startServer(.xinhua)
        let dir = try TemporaryDirectory("crawl-lock")
        let held = try XCTUnwrap(try CrawlLock(path: dir.path + "/crawl.lock"))
        XCTAssertThrowsError(try crawl(server, corpus: dir.path)) { error in
            guard case CrawlError.locked = error else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(server.requestLog.isEmpty, "a refused run sends nothing")
        withExtendedLifetime(held) {}
    }

    func testUnavailableRobotsPausesTheHost() throws {
        // A port nobody listens on: robots.txt cannot be fetched, so nothing else is.
        let dir = try TemporaryDirectory("crawl-no-robots")
        var options = CrawlOptions(corpus: dir.path)
        options.originOverride = "http://127.0.0.1:1"
        options.delay = 0
        let site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        let summary = try Crawler(site: site, options: options).run()
        XCTAssertEqual(summary.requests, 0)
        XCTAssertEqual(summary.archived, 0)
        XCTAssertNotNil(summary.pausedReason)
    }
}
