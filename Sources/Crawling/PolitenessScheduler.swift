import Foundation

/// Time source and sleeper for the scheduler; tests inject a fake one that advances on sleep.
public protocol CrawlClock: Sendable {
    /// Seconds since some fixed point.
    func now() -> Double
    func sleep(seconds: Double)
}

/// The real clock (wall time, `Thread.sleep`).
public struct SystemClock: CrawlClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public func sleep(seconds: Double) { if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } }
}

/// Per-host politeness, as Heritrix and Scrapy's AutoThrottle-free defaults do it: a delay of
/// `max(site delay, robots Crawl-delay)` plus random jitter after each request finishes, at most
/// `concurrencyPerHost` requests in flight per host, `Retry-After` honoured (a host asking for
/// more than `maxRetryAfter` is paused for the run), exponential backoff for failures.
/// Thread-safe; `acquire` blocks (through the injected clock) until a request may start.
public final class PolitenessScheduler: @unchecked Sendable {
    public struct Settings: Sendable {
        public var delay: Double
        public var jitter: Double
        public var concurrencyPerHost: Int
        public var backoff: Double
        public var maxBackoff: Double
        public var maxRetryAfter: Double
        public init(delay: Double, jitter: Double, concurrencyPerHost: Int, backoff: Double, maxBackoff: Double = 300, maxRetryAfter: Double) {
            self.delay = delay
            self.jitter = jitter
            self.concurrencyPerHost = concurrencyPerHost
            self.backoff = backoff
            self.maxBackoff = maxBackoff
            self.maxRetryAfter = maxRetryAfter
        }
    }

    /// How a request ended, for the host's next slot.
    public enum Outcome: Sendable, Equatable {
        case done
        /// The server asked for this many seconds (429/503 Retry-After).
        case retryAfter(Double)
    }

    private struct HostState {
        var nextAllowed: Double = 0
        var inFlight = 0
        var crawlDelay: Double = 0
        var paused: String?
    }

    public let settings: Settings
    private let clock: CrawlClock
    private let condition = NSCondition()
    private var hosts: [String: HostState] = [:]
    private var random: SplitMix64

    public init(settings: Settings, clock: CrawlClock = SystemClock(), seed: UInt64 = 0x6B6F2D6C6C616D61) {
        self.settings = settings
        self.clock = clock
        random = SplitMix64(seed: seed)
    }

    /// Records the host's robots.txt Crawl-delay (the effective delay is the larger of the two).
    public func setCrawlDelay(_ seconds: Double?, host: String) {
        condition.lock()
        hosts[host, default: HostState()].crawlDelay = seconds ?? 0
        condition.unlock()
    }

    public func effectiveDelay(host: String) -> Double {
        condition.lock()
        defer { condition.unlock() }
        return max(settings.delay, hosts[host]?.crawlDelay ?? 0)
    }

    /// Stops every further request to `host` for this run, with the reason.
    public func pause(host: String, reason: String) {
        condition.lock()
        hosts[host, default: HostState()].paused = reason
        condition.broadcast()
        condition.unlock()
    }

    public func pauseReason(host: String) -> String? {
        condition.lock()
        defer { condition.unlock() }
        return hosts[host]?.paused
    }

    /// Waits until a request to `host` may start and takes a slot. Returns false at once when the
    /// host is paused, or when its next slot comes after `deadline` (a run's `--max-duration`, on
    /// the scheduler's clock): a wait that would overrun the run is not started.
    public func acquire(host: String, deadline: Double = .infinity) -> Bool {
        condition.lock()
        while true {
            let state = hosts[host, default: HostState()]
            if state.paused != nil || state.nextAllowed > deadline {
                condition.unlock()
                return false
            }
            if state.inFlight >= settings.concurrencyPerHost {
                condition.wait()
                continue
            }
            let wait = state.nextAllowed - clock.now()
            if wait <= 0 {
                hosts[host, default: HostState()].inFlight += 1
                condition.unlock()
                return true
            }
            condition.unlock()
            clock.sleep(seconds: wait)
            condition.lock()
        }
    }

    /// Gives the slot back and schedules the host's next allowed start.
    public func release(host: String, outcome: Outcome) {
        condition.lock()
        var state = hosts[host, default: HostState()]
        state.inFlight = max(0, state.inFlight - 1)
        let base = max(settings.delay, state.crawlDelay)
        let jittered = base * (1 + settings.jitter * random.nextUnit())
        var next = clock.now() + jittered
        if case let .retryAfter(seconds) = outcome {
            if seconds > settings.maxRetryAfter {
                state.paused = "Retry-After \(Int(seconds)) s exceeds the \(Int(settings.maxRetryAfter)) s limit"
            }
            next = max(next, clock.now() + seconds)
        }
        state.nextAllowed = max(state.nextAllowed, next)
        hosts[host] = state
        condition.broadcast()
        condition.unlock()
    }

    /// Seconds to wait before retry number `attempt` (1-based) of a failed URL: doubling, capped.
    public func backoff(attempt: Int) -> Double {
        min(settings.maxBackoff, settings.backoff * pow(2, Double(max(0, attempt - 1))))
    }

    /// Requests in flight to `host` right now.
    public func inFlight(host: String) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return hosts[host]?.inFlight ?? 0
    }
}

/// SplitMix64: a small seeded generator so jitter is reproducible in tests.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
