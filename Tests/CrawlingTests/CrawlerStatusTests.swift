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
        let entry = try XCTUnwrap(try CrawlState(path: dir.path + "/crawl.sqlite").entry("http://kr.people.com.cn/"))
        XCTAssertEqual([entry.status, String(entry.attempts)], ["pending", "0"], "left as it was for the next run")
    }
}
