import Corpus

/// One article of a replica site with everything its pages need: the public ground truth plus
/// its section, page split, publication time and failure mode.
struct PlannedArticle: Sendable {
    let index: Int
    let article: ReplicaArticle
    let section: ReplicaSection
    /// Paragraphs of each page (one page unless a Xinhua legacy article).
    let pages: [[String]]
    let published: CivilTime
    let failure: ReplicaFailure?
    /// Every page path in order (`article.path` first).
    var pagePaths: [String] { [article.path] + article.continuationPaths }
    /// The disallowed print version linked from the first page.
    var printPath: String { article.path + "?print=1" }
}

/// A section of a site: its list-page slug (`politics`, `203`) and Korean name.
struct ReplicaSection: Sendable, Equatable {
    let slug: String
    let name: String
}

/// Deterministic layout of one replica site: which corpus text becomes which article, with
/// what date, section, ID, URL and template. Publication order is corpus order; the oldest ten
/// articles (2015-2019) use the legacy template, the rest (from mid-2020, nine days apart) the
/// current one.
struct ReplicaPlan: Sendable {
    /// Articles a corpus must hold per site (every failure mode needs its index).
    static let minimumArticles = 40
    static let legacyCount = 10

    let site: ReplicaSite
    let articles: [PlannedArticle]
    let sections: [ReplicaSection]

    static func sections(of site: ReplicaSite) -> [ReplicaSection] {
        let names = ["정치", "경제", "사회", "문화", "국제"]
        let slugs = site == .xinhua ? ["politics", "economy", "society", "culture", "world"] : ["203", "204", "205", "206", "207"]
        return zip(slugs, names).map { ReplicaSection(slug: $0, name: $1) }
    }

    /// The rights line People's Daily prints under every article (NOTES.md).
    static let peopleRightsNotice = "(무단 전재-재배포, AI 학습 및 활용 금지)"

    init(site: ReplicaSite, corpus: ReplicaCorpus, failureModes: Bool) throws {
        self.site = site
        sections = Self.sections(of: site)
        let entries = corpus.entries[site] ?? []
        var planned: [PlannedArticle] = []
        for (index, entry) in entries.enumerated() {
            planned.append(try Self.plan(index: index, entry: entry, site: site, sections: sections, failureModes: failureModes))
        }
        articles = planned
    }

    /// When article `index` was published: legacy ones 170 days apart from 2015-03-02, current
    /// ones nine days apart from 2020-06-01; the `allowedByException` article shares the day of
    /// the `disallowedByRobots` one (robots.txt disallows that day and allows it back).
    static func publicationTime(_ index: Int) -> CivilTime {
        var dayIndex = index
        if index == ReplicaFailure.allowedByException.articleIndex { dayIndex = ReplicaFailure.disallowedByRobots.articleIndex }
        let base = dayIndex < legacyCount
            ? CivilTime(year: 2015, month: 3, day: 2).daysSinceEpoch + dayIndex * 170
            : CivilTime(year: 2020, month: 6, day: 1).daysSinceEpoch + (dayIndex - legacyCount) * 9
        return CivilTime(daysSinceEpoch: base, hour: 7 + (index * 5) % 12, minute: (index * 17) % 60, second: (index * 31) % 60)
    }

    /// Numeric document ID: Xinhua's legacy `c_<docid>`, People's `c<channel>-<id>`.
    static func numericID(_ site: ReplicaSite, _ index: Int) -> Int {
        site == .xinhua ? 135_000_000 + index * 7_919 : 10_000_000 + index * 1_471
    }

    /// Xinhua's current 32-hex article key.
    static func hexID(_ key: String) -> String {
        String(DigestEncoding.hex(SHA1.hash(Array(key.utf8))).prefix(32))
    }

    /// First-page path of an article of `template` ("current"/"legacy") published at `time`.
    static func articlePath(_ site: ReplicaSite, template: String, index: Int, time: CivilTime, section: ReplicaSection) -> String {
        let id = numericID(site, index)
        switch (site, template) {
        case (.xinhua, "current"): return "/\(time.yyyy)\(time.mm)\(time.dd)/\(hexID("xinhua-ko/\(index)"))/c.html"
        case (.xinhua, _): return "/\(time.yyyy)-\(time.mm)/\(time.dd)/c_\(id).htm"
        case (.people, "current"): return "/n3/\(time.yyyy)/\(time.mm)\(time.dd)/c\(section.slug)-\(id).html"
        case (.people, _): return "/n/\(time.yyyy)/\(time.mm)\(time.dd)/c\(section.slug)-\(id).html"
        }
    }

    private static func plan(index: Int, entry: ReplicaCorpus.Entry, site: ReplicaSite, sections: [ReplicaSection],
                             failureModes: Bool) throws -> PlannedArticle {
        let time = publicationTime(index)
        let template = index < legacyCount ? "legacy" : "current"
        let section = sections[index % sections.count]
        let path = articlePath(site, template: template, index: index, time: time, section: section)
        // Xinhua's legacy pages split an article over 2 pages, or 3 from 6 paragraphs on.
        var pages = [entry.paragraphs]
        if site == .xinhua && template == "legacy" {
            let count = entry.paragraphs.count >= 6 ? 3 : 2
            let size = (entry.paragraphs.count + count - 1) / count
            pages = stride(from: 0, to: entry.paragraphs.count, by: size).map { Array(entry.paragraphs[$0..<min($0 + size, entry.paragraphs.count)]) }
        }
        let continuation = pages.indices.dropFirst().map { path.replacingOccurrences(of: ".htm", with: "_\($0 + 1).htm") }
        let failure = failureModes ? ReplicaFailure.onArticle(index) : nil
        var optOut: [String] = []
        if failure == .noAIHeader { optOut = ["x-robots-tag: noai", "x-robots-tag: noimageai"] }
        if failure == .tdmReservation { optOut = ["tdm-reservation: 1"] }
        let charset = failure == .cp949 ? "windows-949" : "utf-8"
        if failure == .cp949 {
            let text = ([entry.title] + entry.paragraphs).joined(separator: "\n")
            let encoded = try ICU.encode(text, charset: charset)
            guard encoded.unmappable == 0, hasCP949OnlySyllable(encoded.bytes) else {
                throw ReplicaPlanError.notCP949(site: site.rawValue, index: index)
            }
        }
        let article = ReplicaArticle(
            path: path, continuationPaths: continuation, template: template, title: entry.title, date: time.isoDate,
            section: section.name, paragraphs: entry.paragraphs,
            rightsNotice: site == .people ? peopleRightsNotice : nil, charset: charset, optOut: optOut)
        return PlannedArticle(index: index, article: article, section: section, pages: pages, published: time, failure: failure)
    }
}

extension ReplicaPlan {
    /// True when CP949 bytes hold a syllable outside KS X 1001 (EUC-KR): those are the 8,822
    /// UHC extension syllables, whose lead or trail byte lies below 0xA1.
    static func hasCP949OnlySyllable(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            if i + 1 < bytes.count && (bytes[i] < 0xA1 || bytes[i + 1] < 0xA1) { return true }
            i += 2
        }
        return false
    }
}

/// The corpus does not fit the plan.
enum ReplicaPlanError: Error, CustomStringConvertible {
    case notCP949(site: String, index: Int)

    var description: String {
        switch self {
        case let .notCP949(site, index):
            return "replica corpus: \(site) article \(index) must encode in CP949 and use a syllable only CP949 has (regenerate with scripts/make-replica-corpus.py)"
        }
    }
}
