@testable import Crawling
import Foundation
import XCTest

/// A clock that only moves when someone sleeps on it: scheduler tests run instantly.
final class FakeClock: CrawlClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time: Double
    private(set) var sleeps: [Double] = []

    init(start: Double = 1000) { time = start }

    func now() -> Double {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func sleep(seconds: Double) {
        lock.lock()
        sleeps.append(seconds)
        time += seconds
        lock.unlock()
    }
}

final class PolitenessSchedulerTests: XCTestCase {
    private func scheduler(delay: Double = 2, jitter: Double = 0.25, concurrency: Int = 1, clock: FakeClock) -> PolitenessScheduler {
        PolitenessScheduler(settings: .init(delay: delay, jitter: jitter, concurrencyPerHost: concurrency, backoff: 4, maxBackoff: 60,
                                            maxRetryAfter: 600), clock: clock)
    }

    func testDelayWithJitterBetweenRequests() {
        let clock = FakeClock()
        let s = scheduler(clock: clock)
        XCTAssertTrue(s.acquire(host: "h"))
        XCTAssertEqual(clock.now(), 1000, "the first request starts at once")
        var gaps: [Double] = []
        for _ in 0..<200 {
            s.release(host: "h", outcome: .done)
            let finished = clock.now()
            XCTAssertTrue(s.acquire(host: "h"))
            gaps.append(clock.now() - finished)
        }
        XCTAssertGreaterThanOrEqual(gaps.min()!, 2.0)
        XCTAssertLessThanOrEqual(gaps.max()!, 2.5)
        XCTAssertGreaterThan(gaps.max()! - gaps.min()!, 0.3, "jitter spreads the gaps")
        // Hosts are independent.
        let before = clock.now()
        XCTAssertTrue(s.acquire(host: "other"))
        XCTAssertEqual(clock.now(), before)
    }

    func testCrawlDelayWinsWhenLarger() {
        let clock = FakeClock()
        let s = scheduler(delay: 0.1, jitter: 0, clock: clock)
        s.setCrawlDelay(5, host: "h")
        XCTAssertEqual(s.effectiveDelay(host: "h"), 5)
        XCTAssertTrue(s.acquire(host: "h"))
        s.release(host: "h", outcome: .done)
        XCTAssertTrue(s.acquire(host: "h"))
        XCTAssertEqual(clock.now(), 1005, accuracy: 1e-9)
    }

    func testRetryAfterIsHonouredAndTooLongPausesTheHost() {
        let clock = FakeClock()
        let s = scheduler(delay: 1, jitter: 0, clock: clock)
        XCTAssertTrue(s.acquire(host: "h"))
        s.release(host: "h", outcome: .retryAfter(30))
        XCTAssertTrue(s.acquire(host: "h"))
        XCTAssertEqual(clock.now(), 1030, accuracy: 1e-9)
        s.release(host: "h", outcome: .retryAfter(3600))
        XCTAssertFalse(s.acquire(host: "h"), "Retry-After beyond maxRetryAfter pauses the host for the run")
        XCTAssertNotNil(s.pauseReason(host: "h"))
        XCTAssertEqual(Crawler.parseRetryAfter("120"), 120)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(Crawler.parseRetryAfter("Tue, 14 Nov 2023 22:15:00 GMT", now: now), 100)
        XCTAssertNil(Crawler.parseRetryAfter("soon"))
    }

    func testAWaitPastTheDeadlineIsNotStarted() {
        let clock = FakeClock()
        let s = scheduler(delay: 1, jitter: 0, clock: clock)
        XCTAssertTrue(s.acquire(host: "h", deadline: 1010))
        s.release(host: "h", outcome: .retryAfter(40))
        XCTAssertFalse(s.acquire(host: "h", deadline: 1010), "Retry-After 40 would end after the deadline")
        XCTAssertEqual(clock.sleeps, [], "and nothing was slept")
        XCTAssertNil(s.pauseReason(host: "h"), "the host is not paused: a later run goes on")
        XCTAssertTrue(s.acquire(host: "h", deadline: 1040))
        XCTAssertEqual(clock.now(), 1040, accuracy: 1e-9)
    }

    func testBackoffDoublesUpToTheCap() {
        let s = scheduler(clock: FakeClock())
        XCTAssertEqual((1...6).map { s.backoff(attempt: $0) }, [4, 8, 16, 32, 60, 60])
    }

    func testPerHostConcurrencyLimit() {
        let clock = FakeClock()
        let s = scheduler(delay: 0, jitter: 0, concurrency: 2, clock: clock)
        XCTAssertTrue(s.acquire(host: "h"))
        XCTAssertTrue(s.acquire(host: "h"))
        XCTAssertEqual(s.inFlight(host: "h"), 2)
        let third = expectation(description: "third request waits for a slot")
        let started = NSLock()
        nonisolated(unsafe) var thirdStarted = false
        DispatchQueue.global().async {
            XCTAssertTrue(s.acquire(host: "h"))
            started.lock()
            thirdStarted = true
            started.unlock()
            third.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.2)
        started.lock()
        XCTAssertFalse(thirdStarted, "a third request must not start while two are in flight")
        started.unlock()
        s.release(host: "h", outcome: .done)
        wait(for: [third], timeout: 5)
        XCTAssertEqual(s.inFlight(host: "h"), 2)
    }
}
