import Corpus
@testable import Crawling
import Foundation
@testable import Replica
import TestSupport
import XCTest

/// The crawler's decisions on HTTP answers the replica does not stage, against a `StubServer`.
final class CrawlerStatusTests: XCTestCase {
    func testOutcomeTellsAFailedRunFromNothingNew() throws {
        let site = try StubServer.site(seeds: ["/"])
        // A 503 that a retry gets past: the site answered, nothing new.
        let flaky = try StubServer(["/": [StubServer.page("<p>home</p>"), StubServer.status(503), StubServer.page("<p>home</p>")]])
        let dir = try TemporaryDirectory("crawl-outcome")
        XCTAssertEqual(try flaky.crawl(site, corpus: dir.path).outcome, .newPages)
        let again = try flaky.crawl(site, corpus: dir.path)
        XCTAssertEqual(again.errors, 1)
        XCTAssertEqual(again.failed, 0)
        XCTAssertEqual(again.outcome, .nothingNew)

        // A page that never stops failing: retries used up, the run failed.
        let broken = try StubServer(["/": [StubServer.status(500)]])
        let brokenDir = try TemporaryDirectory("crawl-outcome-failed")
        let summary = try broken.crawl(site, corpus: brokenDir.path)
        XCTAssertEqual(summary.errors, site.politeness.maxRetries + 1)
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.outcome, .failed)
    }

    func testMaxDurationCutsARequestInFlight() throws {
        // A page that takes 1.5 s to answer, in a run bounded to 0.3 s.
        var slow = StubServer.page("<p>slow</p>")
        slow.delay = 1.5
        let stub = try StubServer(["/": [slow]])
        let dir = try TemporaryDirectory("crawl-cut-request")
        let summary = try stub.crawl(try StubServer.site(seeds: ["/"]), corpus: dir.path, maxDuration: 0.3)
        XCTAssertEqual(summary.requests, 1)
        XCTAssertEqual(summary.stoppedBy, "max-duration")
        XCTAssertLessThan(summary.seconds, 1.2, "the request was cut at the deadline, not waited out")
        XCTAssertEqual(summary.errors, 0, "a cut request is not the server's failure")
        XCTAssertEqual(summary.outcome, .failed, "cut short before any page was answered: not 'nothing new'")
        let entry = try XCTUnwrap(try CrawlState(path: dir.path + "/crawl.sqlite").entry("http://kr.people.com.cn/"))
        XCTAssertEqual([entry.status, String(entry.attempts)], ["pending", "0"], "left as it was for the next run")
    }

    /// Seeds of the robots.txt tests: a home page, and a section list the stub's rules disallow.
    private static let seeds = ["/", "/203/index.html"]
    private static let rules = StubServer.text("User-agent: *\nDisallow: /203/\n")

    /// Crawls `seeds` from a stub answering `robots` (and the pages), returning the summary and the targets asked for.
    private func crawl(robots routes: [String: [HTTPResponsePlan]]) throws -> (CrawlSummary, [String]) {
        var all = routes
        for seed in CrawlerStatusTests.seeds { all[seed] = [StubServer.page("<p>\(seed)</p>")] }
        let stub = try StubServer(all)
        let dir = try TemporaryDirectory("crawl-robots")
        let summary = try stub.crawl(try StubServer.site(seeds: CrawlerStatusTests.seeds), corpus: dir.path)
        return (summary, stub.targets)
    }

    /// `/robots.txt` redirecting through `hops` hops (relative and absolute Locations) to the rules.
    private func redirectChain(_ hops: Int) -> [String: [HTTPResponsePlan]] {
        var routes: [String: [HTTPResponsePlan]] = ["/moved-\(hops).txt": [CrawlerStatusTests.rules]]
        for i in 0..<hops {
            let from = i == 0 ? "/robots.txt" : "/moved-\(i).txt"
            routes[from] = [StubServer.redirect("/moved-\(i + 1).txt", status: [301, 302, 307, 308][i % 4])]
        }
        return routes
    }

    func testRobotsRulesAreFollowedThroughFiveRedirects() throws {
        let (direct, directTargets) = try crawl(robots: ["/robots.txt": [CrawlerStatusTests.rules]])
        XCTAssertEqual(directTargets, ["/robots.txt", "/"], "the rules disallow /203/")
        XCTAssertEqual(direct.disallowed, 1)

        let (summary, targets) = try crawl(robots: redirectChain(5))
        XCTAssertEqual(targets, ["/robots.txt"] + (1...5).map { "/moved-\($0).txt" } + ["/"], "five hops followed, the rules applied")
        XCTAssertEqual(summary.disallowed, 1)
        XCTAssertNil(summary.pausedReason)

        // A sixth hop is not taken: robots.txt counts as unavailable, which allows everything.
        let (longer, longerTargets) = try crawl(robots: redirectChain(6))
        XCTAssertEqual(longerTargets, ["/robots.txt"] + (1...5).map { "/moved-\($0).txt" } + CrawlerStatusTests.seeds)
        XCTAssertEqual(longer.disallowed, 0)
    }

    func testRobotsStatusesUnavailableAllowsUnreachablePauses() throws {
        for status in [404, 403, 410] {
            let (summary, targets) = try crawl(robots: ["/robots.txt": [StubServer.status(status)]])
            XCTAssertEqual(targets, ["/robots.txt"] + CrawlerStatusTests.seeds, "robots.txt \(status) allows everything")
            XCTAssertNil(summary.pausedReason)
            XCTAssertEqual(summary.outcome, .newPages)
        }
        for status in [429, 500, 503] {
            let (summary, targets) = try crawl(robots: ["/robots.txt": [StubServer.status(status, headers: [("Retry-After", "1")])]])
            XCTAssertEqual(targets, ["/robots.txt"], "robots.txt \(status) disallows everything")
            XCTAssertEqual(summary.pausedReason, "robots.txt answered \(status)")
            XCTAssertEqual(summary.outcome, .failed)
        }
    }

    func testRedirectsAreFollowedForFiveHopsNotSix() throws {
        // /1/index.html -> /2/index.html -> ... (list pages of the People's Daily shape).
        func chain(_ hops: Int) -> [String: [HTTPResponsePlan]] {
            var routes = ["/\(hops + 1)/index.html": [StubServer.page("<p>end</p>")]]
            for i in 1...hops { routes["/\(i)/index.html"] = [StubServer.redirect("/\(i + 1)/index.html")] }
            return routes
        }
        let site = try StubServer.site(seeds: ["/1/index.html"])
        let five = try StubServer(chain(5))
        let fiveDir = try TemporaryDirectory("crawl-redirects-5")
        XCTAssertEqual(try five.crawl(site, corpus: fiveDir.path).archived, 1, "the end of five hops is archived")
        XCTAssertEqual(five.targets, ["/robots.txt"] + (1...6).map { "/\($0)/index.html" })

        let six = try StubServer(chain(6))
        let sixDir = try TemporaryDirectory("crawl-redirects-6")
        XCTAssertEqual(try six.crawl(site, corpus: sixDir.path).archived, 0)
        XCTAssertEqual(six.targets, ["/robots.txt"] + (1...6).map { "/\($0)/index.html" }, "the sixth hop is not taken")
        let sixth = try XCTUnwrap(try CrawlState(path: sixDir.path + "/crawl.sqlite").entry(site.origin + "/6/index.html"))
        XCTAssertEqual(sixth.status, "failed")
        XCTAssertEqual(sixth.redirects, 5)
    }

    func testSuccessfulStatusesOtherThan200AreNotGone() throws {
        var partial = StubServer.page("<p>half</p>", status: 206)
        partial.headers.append(("Content-Range", "bytes 0-10/22"))
        let stub = try StubServer([
            "/1/index.html": [StubServer.page("<p>via a proxy</p>", status: 203)],
            "/2/index.html": [StubServer.status(204)],
            "/3/index.html": [partial, StubServer.page("<p>whole</p>")],
        ])
        let site = try StubServer.site(seeds: ["/1/index.html", "/2/index.html", "/3/index.html"])
        let dir = try TemporaryDirectory("crawl-2xx")
        let summary = try stub.crawl(site, corpus: dir.path)
        XCTAssertEqual(summary.gone, 0)
        XCTAssertEqual(summary.archived, 2, "the 203 page, and the 206 one once whole")
        XCTAssertEqual(summary.errors, 1, "the unasked-for 206")
        let state = try CrawlState(path: dir.path + "/crawl.sqlite")
        for path in ["/1/index.html", "/2/index.html", "/3/index.html"] {
            XCTAssertEqual(try state.entry(site.origin + path)?.status, "done", path)
        }
        let archived = try ReplicaCrawlTests.archivedResponses(dir.path).compactMap { $0.targetURI.map(SiteScope.pathAndQuery) }
        XCTAssertEqual(archived.sorted(), ["/1/index.html", "/3/index.html"])
    }
}
