import Corpus
@testable import Crawling
import Foundation
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
}
