/// How a `ReplicaServer` behaves: how much is published at start, the politeness it announces,
/// and the timing of its failure modes.
public struct ReplicaOptions: Sendable {
    /// Articles published when the server starts.
    public var initialArticles: Int
    /// The Crawl-delay robots.txt announces (tests use ~0.02).
    public var crawlDelay: Double
    /// How long the one "slow" page stalls before answering (tests use ~0.3).
    public var slowResponseSeconds: Double
    /// Retry-After on the 429 and 503 pages.
    public var retryAfterSeconds: Int
    /// Serve the failure-mode pages (see `ReplicaFailure`); false serves every page plainly.
    public var failureModes: Bool
    /// The article texts (`crawlers/replica/articles.jsonl.gz`); see `ReplicaCorpus.defaultPath`.
    public var corpusFile: String

    public init(initialArticles: Int = 40, crawlDelay: Double = 1.0, slowResponseSeconds: Double = 2.0,
                retryAfterSeconds: Int = 1, failureModes: Bool = true, corpusFile: String = ReplicaCorpus.defaultPath) {
        self.initialArticles = initialArticles
        self.crawlDelay = crawlDelay
        self.slowResponseSeconds = slowResponseSeconds
        self.retryAfterSeconds = retryAfterSeconds
        self.failureModes = failureModes
        self.corpusFile = corpusFile
    }
}
