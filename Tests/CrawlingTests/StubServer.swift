import Corpus
@testable import Crawling
import Foundation
@testable import Replica
import TestSupport

/// A loopback server with scripted answers per request target, for the HTTP behaviours the
/// replica does not stage (robots.txt statuses, redirect chains, unusual 2xx). Built on the
/// replica's `LoopbackHTTPServer`. A target's answers are used in order, the last one repeats;
/// unknown targets answer 404.
final class StubServer: @unchecked Sendable {
    private let http: LoopbackHTTPServer
    private let state: StubState

    init(_ routes: [String: [HTTPResponsePlan]]) throws {
        let state = StubState()
        http = LoopbackHTTPServer(port: 0, handler: { head in
            let answers = routes[head.target] ?? []
            let n = state.next(head.target)
            return answers.isEmpty ? StubServer.status(404) : answers[min(n, answers.count - 1)]
        }, logger: { head, status, _, _ in state.append(head.target, status) })
        self.state = state
        try http.start()
    }

    deinit { http.stop() }

    var origin: String { "http://127.0.0.1:\(http.port)" }

    /// Targets requested so far, in order, with the status answered.
    var requests: [(target: String, status: Int)] { state.log }
    var targets: [String] { requests.map(\.target) }

    static func page(_ html: String, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponsePlan {
        HTTPResponsePlan(status: status, headers: [("Content-Type", "text/html; charset=utf-8")] + headers, body: Array(html.utf8))
    }

    static func text(_ text: String) -> HTTPResponsePlan {
        HTTPResponsePlan(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    static func status(_ status: Int, headers: [(String, String)] = []) -> HTTPResponsePlan {
        HTTPResponsePlan(status: status, headers: headers, body: Array("\(status)\n".utf8))
    }

    static func redirect(_ location: String, status: Int = 301) -> HTTPResponsePlan {
        HTTPResponsePlan(status: status, headers: [("Location", location)], body: [])
    }

    /// A People's Daily shaped site definition whose only seeds are `seeds` (no sitemaps).
    static func site(seeds: [String]) throws -> SiteDefinition {
        var site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        site.seeds = seeds
        site.sitemaps = []
        return site
    }

    /// Crawls `site` from this server with test timings.
    func crawl(_ site: SiteDefinition, corpus: String, maxDuration: Double? = nil) throws -> CrawlSummary {
        var options = CrawlOptions(corpus: corpus)
        options.originOverride = origin
        options.delay = 0
        options.backoff = 0.02
        options.maxDuration = maxDuration
        return try Crawler(site: site, options: options).run()
    }
}

/// The stub's counters and log, shared with the server threads.
private final class StubState: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var entries: [(target: String, status: Int)] = []

    /// How many times `target` was asked before (0 for the first request).
    func next(_ target: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        counts[target, default: 0] += 1
        return counts[target]! - 1
    }

    func append(_ target: String, _ status: Int) {
        lock.lock()
        entries.append((target, status))
        lock.unlock()
    }

    var log: [(target: String, status: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}
