import Foundation

/// Serves one replica site on 127.0.0.1 (HTTP/1.1, keep-alive, POSIX sockets, thread per
/// connection): a local stand-in for kr.news.cn or kr.people.com.cn with their current and
/// legacy page templates, list pages, robots.txt, sitemaps and deliberate failure modes
/// (`ReplicaFailure`). `catalog` is the ground truth a crawler's output is checked against.
public final class ReplicaServer: @unchecked Sendable {
    public let site: ReplicaSite
    public let options: ReplicaOptions
    private let router: ReplicaRouter
    private let lock = NSLock()
    private var publishedCount: Int
    private var attempts: [String: Int] = [:]
    private var log: [ReplicaRequest] = []
    private var http: LoopbackHTTPServer!

    /// Loads the corpus (`options.corpusFile`) and lays out the site; `port` 0 picks an ephemeral port.
    public init(site: ReplicaSite, port: UInt16 = 0, options: ReplicaOptions = .init()) throws {
        self.site = site
        self.options = options
        let plan = try ReplicaPlan(site: site, corpus: ReplicaCorpus.cached(options.corpusFile), failureModes: options.failureModes)
        router = ReplicaRouter(plan: plan, options: options)
        publishedCount = min(max(0, options.initialArticles), plan.articles.count)
        http = LoopbackHTTPServer(port: port, handler: { [unowned self] in handle($0) },
                                  logger: { [unowned self] in record($0, status: $1, bytes: $2, time: $3) })
    }

    deinit { http.stop() }

    public func start() throws { try http.start() }

    /// Stops accepting, closes every open connection and waits for the server threads.
    public func stop() { http.stop() }

    public var port: UInt16 { http.port }
    public var origin: String { "http://127.0.0.1:\(port)" }

    /// Articles the corpus holds for this site (the most `publish` can reach).
    public var availableArticles: Int { router.plan.articles.count }

    /// `count` more articles appear (newest first in list pages and the sitemap), up to `availableArticles`.
    public func publish(count: Int) {
        lock.lock()
        publishedCount = min(router.plan.articles.count, publishedCount + max(0, count))
        lock.unlock()
    }

    public var catalog: ReplicaCatalog {
        lock.lock()
        let count = publishedCount
        lock.unlock()
        return router.catalog(published: count)
    }

    /// Every request received, in order.
    public var requestLog: [ReplicaRequest] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    public func clearRequestLog() {
        lock.lock()
        log.removeAll()
        lock.unlock()
    }

    private func handle(_ head: HTTPRequestHead) -> HTTPResponsePlan {
        lock.lock()
        let count = publishedCount
        attempts[head.path, default: 0] += 1
        let attempt = attempts[head.path]!
        lock.unlock()
        do {
            return try router.respond(head, published: count, attempt: attempt, origin: origin)
        } catch {
            let body = Array("500 Internal Server Error: \(error)\n".utf8)
            return HTTPResponsePlan(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")], body: body)
        }
    }

    private func record(_ head: HTTPRequestHead, status: Int, bytes: Int, time: Date) {
        let entry = ReplicaRequest(method: head.method, target: head.target, headers: head.headers, status: status,
                                   bodyBytesSent: bytes, time: time)
        lock.lock()
        log.append(entry)
        lock.unlock()
    }
}
