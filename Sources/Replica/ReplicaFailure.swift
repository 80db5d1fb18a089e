/// The deliberate misbehaviours of the replica. Each is tied to one fixed article index in
/// publication order (0 = oldest; indices 0-9 use the legacy template, 10 and up the current
/// one), so the same server options always put the same failure on the same page, and every
/// failure is published with the default 40 initial articles (20 suffice).
/// `ReplicaCatalog.failurePages` lists the pages now published.
public enum ReplicaFailure: String, CaseIterable, Sendable {
    /// Served only with `<meta charset="utf-8">`; the Content-Type header names no charset.
    case metaCharsetOnly
    /// CP949 bytes (with a syllable EUC-KR lacks) labelled `charset=euc-kr` in the header and
    /// the page, as old Korean sites did.
    case cp949
    /// Unclosed `<p>` and `<li>` tags and a stray `</div>` around the body.
    case malformedHTML
    /// Answers after `slowResponseSeconds` (every time).
    case slow
    /// A linked old-style path (the legacy URL shape of a current article) answering 301 to the article.
    case redirectFromLegacyPath
    /// A linked home-page alias (`/index.htm` on Xinhua, `/index.html` on People) answering 301 to `/`.
    case redirectHomeAlias
    /// First request: Content-Length of the whole page, half the body, then the connection closes.
    case truncatedOnce
    /// Sent with `Transfer-Encoding: chunked` and no Content-Length, as pages generated on the
    /// fly by a front end such as nginx are.
    case chunked
    /// First request: 429 with Retry-After; later requests: the page.
    case tooManyRequestsOnce
    /// `X-Robots-Tag: noai, noimageai`.
    case noAIHeader
    /// First request: 503 with Retry-After; later requests: the page.
    case unavailableOnce
    /// `tdm-reservation: 1` header and `<meta name="tdm-reservation" content="1">`.
    case tdmReservation
    /// Disallowed by a robots.txt rule for its whole day (an "embargoed" day).
    case disallowedByRobots
    /// Same day as `disallowedByRobots`, but reachable through robots.txt's `Allow` exception.
    case allowedByException
    /// A linked article path that answers 404.
    case deadLink404
    /// A linked article path that answers 410 Gone.
    case deadLink410

    /// The article index the failure is tied to (dead links and the home alias are linked
    /// once the article at this index is published).
    public var articleIndex: Int {
        switch self {
        case .metaCharsetOnly: return 3
        case .cp949: return 5 // scripts/make-replica-corpus.py puts a CP949-only text here
        case .malformedHTML: return 7
        case .slow: return 11
        case .redirectFromLegacyPath: return 12
        case .redirectHomeAlias: return 0
        case .truncatedOnce: return 13
        case .chunked: return 10
        case .tooManyRequestsOnce: return 14
        case .noAIHeader: return 15
        case .unavailableOnce: return 16
        case .tdmReservation: return 17
        case .disallowedByRobots: return 18
        case .allowedByException: return 19
        case .deadLink404: return 8
        case .deadLink410: return 9
        }
    }

    /// Failures that replace an article's page (as opposed to extra linked paths).
    var isArticlePage: Bool {
        switch self {
        case .redirectFromLegacyPath, .redirectHomeAlias, .deadLink404, .deadLink410: return false
        default: return true
        }
    }

    /// The failure on the page of the article at `index`, if any.
    static func onArticle(_ index: Int) -> ReplicaFailure? {
        allCases.first { $0.isArticlePage && $0.articleIndex == index }
    }
}
