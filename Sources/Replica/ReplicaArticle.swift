/// One published replica article as the ground truth a crawler and extractor are checked against.
public struct ReplicaArticle: Sendable, Equatable {
    /// First page, e.g. `/20240305/<32 hex>/c.html` or `/n3/2024/0305/c203-20140000.html`.
    public var path: String
    /// Xinhua legacy multi-page articles: `/YYYY-MM/DD/c_<id>_2.htm`, ...
    public var continuationPaths: [String]
    /// "current" or "legacy" (the site definition's articlePatterns names).
    public var template: String
    public var title: String
    /// YYYY-MM-DD
    public var date: String
    public var section: String
    /// The expected clean body, in order, across all pages (no dateline, captions, source or rights lines).
    public var paragraphs: [String]
    /// The rights line printed on the page, if any.
    public var rightsNotice: String?
    /// "utf-8" or "windows-949" (bytes as served).
    public var charset: String
    /// Reservation signals the page carries, e.g. "x-robots-tag: noai", "tdm-reservation: 1".
    public var optOut: [String]

    public init(path: String, continuationPaths: [String], template: String, title: String, date: String,
                section: String, paragraphs: [String], rightsNotice: String?, charset: String, optOut: [String]) {
        self.path = path
        self.continuationPaths = continuationPaths
        self.template = template
        self.title = title
        self.date = date
        self.section = section
        self.paragraphs = paragraphs
        self.rightsNotice = rightsNotice
        self.charset = charset
        self.optOut = optOut
    }
}
