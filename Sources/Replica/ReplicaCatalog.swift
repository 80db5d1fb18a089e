/// What a replica server has published right now: the ground truth for crawler tests.
public struct ReplicaCatalog: Sendable {
    /// Every published article, newest first.
    public var articles: [ReplicaArticle]
    /// Paths a correct polite crawler ends up archiving as article pages with status 200
    /// (first pages and continuation pages; after redirects, the final path).
    /// Excludes 404/410 links and disallowed paths.
    public var expectedArchivedPaths: Set<String>
    /// Paths that are linked from crawlable pages but disallowed by robots.txt:
    /// a correct crawler never requests them.
    public var disallowedLinkedPaths: Set<String>
    /// Every failure-mode page now published, with what it does (see `ReplicaFailure`).
    public var failurePages: [ReplicaFailurePage]

    public init(articles: [ReplicaArticle], expectedArchivedPaths: Set<String>, disallowedLinkedPaths: Set<String>,
                failurePages: [ReplicaFailurePage]) {
        self.articles = articles
        self.expectedArchivedPaths = expectedArchivedPaths
        self.disallowedLinkedPaths = disallowedLinkedPaths
        self.failurePages = failurePages
    }

    /// The failure-mode page of a kind, if published.
    public func page(_ failure: ReplicaFailure) -> ReplicaFailurePage? {
        failurePages.first { $0.failure == failure }
    }
}

/// A path that misbehaves on purpose, and the article it belongs to (nil for dead links and
/// list-page redirects).
public struct ReplicaFailurePage: Sendable, Equatable {
    public var failure: ReplicaFailure
    /// The path (plus query) a crawler requests.
    public var path: String
    /// Where a redirect leads (301 only).
    public var redirectTarget: String?
    /// The article this page serves, if any.
    public var articlePath: String?

    public init(failure: ReplicaFailure, path: String, redirectTarget: String? = nil, articlePath: String? = nil) {
        self.failure = failure
        self.path = path
        self.redirectTarget = redirectTarget
        self.articlePath = articlePath
    }
}
