@testable import Crawling
import TestSupport
import XCTest

final class CrawlStateTests: XCTestCase {
    func testSchemaVersionWALAndMigrationsAreIdempotent() throws {
        let dir = try TemporaryDirectory("crawl-state")
        let path = dir.file("crawl.sqlite")
        do {
            let state = try CrawlState(path: path)
            XCTAssertEqual(try state.db.userVersion, CrawlState.schemaVersion)
            XCTAssertEqual(try state.db.query("PRAGMA journal_mode").first?.first?.string, "wal")
            XCTAssertTrue(try state.enqueue("http://h/a", kind: .article, from: "http://h/"))
            XCTAssertFalse(try state.enqueue("http://h/a", kind: .article, from: nil), "known URLs are not added twice")
        }
        let reopened = try CrawlState(path: path)
        XCTAssertEqual(try reopened.entry("http://h/a")?.kind, .article)
        // A database from a newer ko-llama is refused, not corrupted.
        try reopened.db.execute("PRAGMA user_version = 99")
        XCTAssertThrowsError(try CrawlState(path: path))
    }

    func testFrontierOrderAndCyclesResumeOrRestart() throws {
        let dir = try TemporaryDirectory("crawl-state")
        let state = try CrawlState(path: dir.file("crawl.sqlite"))
        let o = "http://h"
        try state.enqueue("http://h/a1", kind: .article, from: nil)
        try state.enqueue("http://h/", kind: .list, from: nil)
        try state.enqueue("http://other/", kind: .list, from: nil)
        XCTAssertEqual(try state.nextReady(origin: o, now: 0)?.url, "http://h/", "lists before articles")
        try state.setStatus("http://h/", .done)
        try state.setStatus("http://h/a1", .pending, attempts: 1, nextAttempt: 50)
        XCTAssertNil(try state.nextReady(origin: o, now: 10), "a retry waits for its time")
        XCTAssertEqual(try state.earliestPending(origin: o), 50)
        XCTAssertFalse(try state.beginRun(origin: o), "pending work: the cycle resumes")
        XCTAssertEqual(try state.entry("http://h/")?.status, "done")
        try state.setStatus("http://h/a1", .done)
        XCTAssertTrue(try state.beginRun(origin: o), "finished cycle: a new one starts")
        XCTAssertEqual(try state.entry("http://h/")?.status, "pending", "lists are refetched every cycle")
        XCTAssertEqual(try state.entry("http://h/a1")?.status, "done", "archived articles are not")
    }

    func testValidatorsLogAndOptOuts() throws {
        let dir = try TemporaryDirectory("crawl-state")
        let state = try CrawlState(path: dir.file("crawl.sqlite"))
        try state.setValidators("http://h/a", .init(etag: "\"x\"", lastModified: "Tue, 05 Mar 2024 00:00:00 GMT", sha256: "ab"), archivedAt: 1)
        try state.setValidators("http://h/a", .init(etag: "\"y\"", lastModified: nil, sha256: "ab"), archivedAt: nil)
        XCTAssertEqual(try state.validators("http://h/a"), .init(etag: "\"y\"", lastModified: nil, sha256: "ab"))
        try state.log(.init(time: 1, url: "http://h/a", status: 200, bytes: 10, duration: 0.1, optOuts: ["x-robots-tag: noai", "tdm-reservation: 1"]))
        try state.log(.init(time: 2, url: "http://h/a", status: 304, bytes: 0, duration: 0.1, optOuts: ["x-robots-tag: noai"]))
        XCTAssertEqual(try state.optOuts("http://h/a"), ["tdm-reservation: 1", "x-robots-tag: noai"])
        XCTAssertEqual(try state.db.query("SELECT COUNT(*) FROM fetch_log").first?.first?.int, 2)
    }
}
