import Corpus

/// Answers the replica's requests: list pages, articles, robots.txt, sitemaps, redirects and
/// the failure modes of `ReplicaFailure`. Pure apart from its inputs: the server passes how many
/// articles are published and how many times the path has been requested.
struct ReplicaRouter: Sendable {
    let plan: ReplicaPlan
    let options: ReplicaOptions
    let template: any SiteTemplate
    /// Article page path -> (article index, page index), for every planned article.
    private let pages: [String: (Int, Int)]
    /// Articles per page of a section list.
    static let listPageSize = 6
    /// Newest articles on the home page.
    static let homeSize = 12

    init(plan: ReplicaPlan, options: ReplicaOptions) {
        self.plan = plan
        self.options = options
        template = plan.site == .xinhua ? XinhuaTemplate() : PeopleTemplate()
        var pages: [String: (Int, Int)] = [:]
        for a in plan.articles {
            for (p, path) in a.pagePaths.enumerated() { pages[path] = (a.index, p) }
        }
        self.pages = pages
    }

    // MARK: Special paths

    var homePaths: [String] { plan.site == .xinhua ? ["/", "/index.html"] : ["/"] }
    /// `redirectHomeAlias`: a home-page alias that answers 301 to `/`.
    var homeAlias: String { plan.site == .xinhua ? "/index.htm" : "/index.html" }
    var searchLink: String { plan.site == .xinhua ? "/search/?keyword=%EC%8B%A0%ED%99%94" : "/search/?keywords=%EC%A4%91%EA%B5%AD" }
    func pdfLink(_ section: ReplicaSection) -> String { "/download/\(section.slug)-weekly.pdf" }

    /// `redirectFromLegacyPath`: the legacy URL shape of a current article, answering 301 to it.
    var legacyAlias: (path: String, target: String)? {
        let index = ReplicaFailure.redirectFromLegacyPath.articleIndex
        guard options.failureModes, index < plan.articles.count else { return nil }
        let a = plan.articles[index]
        return (ReplicaPlan.articlePath(plan.site, template: "legacy", index: index, time: a.published, section: a.section), a.article.path)
    }

    /// Linked article-shaped paths that answer 404 and 410 (withdrawn stories).
    func deadLink(_ failure: ReplicaFailure) -> String {
        let time = ReplicaPlan.publicationTime(failure.articleIndex)
        return ReplicaPlan.articlePath(plan.site, template: "current", index: 100_000 + failure.articleIndex, time: time, section: plan.sections[0])
    }

    /// robots.txt's day-wide Disallow for `disallowedByRobots` and the Allow exception for
    /// `allowedByException` (longest match wins, RFC 9309).
    private var embargoRules: (disallow: String, allow: String)? {
        let blocked = ReplicaFailure.disallowedByRobots.articleIndex, allowed = ReplicaFailure.allowedByException.articleIndex
        guard options.failureModes, allowed < plan.articles.count else { return nil }
        let t = plan.articles[blocked].published
        let day = plan.site == .xinhua ? "/\(t.yyyy)\(t.mm)\(t.dd)/" : "/n3/\(t.yyyy)/\(t.mm)\(t.dd)/"
        return (day, plan.articles[allowed].article.path + "$")
    }

    private func published(_ count: Int, _ failure: ReplicaFailure) -> Bool {
        options.failureModes && failure.articleIndex < count
    }

    // MARK: Catalog

    func catalog(published count: Int) -> ReplicaCatalog {
        let live = plan.articles.prefix(count)
        let blocked = options.failureModes ? ReplicaFailure.disallowedByRobots.articleIndex : -1
        var expected = Set<String>(), disallowed = Set<String>([searchLink])
        for section in plan.sections { disallowed.insert(pdfLink(section)) }
        for a in live {
            if a.index == blocked {
                disallowed.formUnion(a.pagePaths)
            } else {
                expected.formUnion(a.pagePaths)
                disallowed.insert(a.printPath)
            }
        }
        var failures: [ReplicaFailurePage] = []
        for failure in ReplicaFailure.allCases where published(count, failure) {
            let article = plan.articles[failure.articleIndex].article.path
            switch failure {
            case .redirectFromLegacyPath:
                if let alias = legacyAlias { failures.append(ReplicaFailurePage(failure: failure, path: alias.path, redirectTarget: alias.target, articlePath: article)) }
            case .redirectHomeAlias:
                failures.append(ReplicaFailurePage(failure: failure, path: homeAlias, redirectTarget: "/"))
            case .deadLink404, .deadLink410:
                failures.append(ReplicaFailurePage(failure: failure, path: deadLink(failure)))
            default:
                failures.append(ReplicaFailurePage(failure: failure, path: article, articlePath: article))
            }
        }
        return ReplicaCatalog(articles: live.reversed().map(\.article), expectedArchivedPaths: expected,
                              disallowedLinkedPaths: disallowed, failurePages: failures)
    }

    // MARK: Responses

    /// The response to `head` when `count` articles are published and this is request number
    /// `attempt` (1-based) for its path.
    func respond(_ head: HTTPRequestHead, published count: Int, attempt: Int, origin: String) throws -> HTTPResponsePlan {
        let path = head.path
        if path == "/robots.txt" { return text(robots(origin: origin), type: "text/plain; charset=utf-8", head, count, origin: origin) }
        if path == "/sitemap.xml" { return text(articleSitemap(count, origin: origin), type: "application/xml; charset=utf-8", head, count, origin: origin) }
        if path == "/sitemap-sections.xml" { return text(sectionSitemap(origin: origin), type: "application/xml; charset=utf-8", head, count, origin: origin) }
        if homePaths.contains(path) { return text(template.listPage(home(path, count, origin)), type: "text/html; charset=utf-8", head, count, origin: origin) }
        if options.failureModes && path == homeAlias { return redirect("/", origin: origin) }
        if let alias = legacyAlias, path == alias.path, published(count, .redirectFromLegacyPath) { return redirect(alias.target, origin: origin) }
        if published(count, .deadLink410) && path == deadLink(.deadLink410) { return notFound(410) }
        if let model = sectionList(path, count, origin) {
            return text(template.listPage(model), type: "text/html; charset=utf-8", head, count, origin: origin)
        }
        guard let (index, page) = pages[path], index < count else { return notFound(404) }
        return try article(index: index, page: page, head: head, count: count, attempt: attempt, origin: origin)
    }

    private func article(index: Int, page: Int, head: HTTPRequestHead, count: Int, attempt: Int, origin: String) throws -> HTTPResponsePlan {
        let a = plan.articles[index]
        let related = plan.articles[max(0, index - 3)..<index].reversed()
        let html = template.articlePage(ArticlePageModel(article: a, page: page, origin: origin, sections: plan.sections, related: Array(related)))
        var type = "text/html; charset=utf-8"
        var body = Array(html.utf8)
        var extra: [(String, String)] = []
        var response = HTTPResponsePlan(status: 200, headers: [], body: [])
        switch a.failure {
        case .tooManyRequestsOnce? where attempt == 1:
            return retryLater(429)
        case .unavailableOnce? where attempt == 1:
            return retryLater(503)
        case .cp949?:
            body = try ICU.encode(html, charset: "windows-949").bytes
            type = "text/html; charset=euc-kr"
        case .metaCharsetOnly?:
            type = "text/html"
        case .noAIHeader?:
            extra.append(("X-Robots-Tag", "noai, noimageai"))
        case .tdmReservation?:
            extra.append(("tdm-reservation", "1"))
        case .slow?:
            response.delay = options.slowResponseSeconds
        case .truncatedOnce? where attempt == 1:
            response.truncateBodyAt = body.count / 2
        case .chunked?:
            response.chunked = true
        default:
            break
        }
        let validated = validators(content: html, type: type, origin: origin, lastModified: a.published, head: head)
        response.status = validated.status
        response.headers = [("Content-Type", type)] + validated.headers + extra
        response.body = validated.status == 304 ? [] : body
        if validated.status == 304 { response.truncateBodyAt = nil }
        return response
    }

    /// Strong ETag and Last-Modified; 304 when the request's If-None-Match names the ETag or,
    /// without If-None-Match, If-Modified-Since is not older. The ETag hashes the page with its
    /// own origin left out, so a replica restarted on another port keeps its validators (as a
    /// real site keeps them across deploys) and a re-crawl gets its 304s.
    private func validators(content: String, type: String, origin: String, lastModified: CivilTime,
                            head: HTTPRequestHead) -> (status: Int, headers: [(String, String)]) {
        let identity = Array((type + "\n" + content.replacingOccurrences(of: origin, with: "")).utf8)
        let etag = "\"\(DigestEncoding.hex(SHA1.hash(identity)).prefix(20))\""
        let headers = [("ETag", etag), ("Last-Modified", lastModified.httpDate), ("Cache-Control", "max-age=60")]
        if let inm = head.header("If-None-Match") {
            let tags = inm.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return (tags.contains(etag) || tags.contains("*") || tags.contains("W/" + etag) ? 304 : 200, headers)
        }
        if let ims = head.header("If-Modified-Since").flatMap(CivilTime.init(httpDate:)), lastModified <= ims {
            return (304, headers)
        }
        return (200, headers)
    }

    private func newest(_ count: Int) -> CivilTime {
        count > 0 ? plan.articles[count - 1].published : ReplicaPlan.publicationTime(0)
    }

    private func text(_ content: String, type: String, _ head: HTTPRequestHead, _ count: Int, origin: String) -> HTTPResponsePlan {
        let body = Array(content.utf8)
        let validated = validators(content: content, type: type, origin: origin, lastModified: newest(count), head: head)
        return HTTPResponsePlan(status: validated.status, headers: [("Content-Type", type)] + validated.headers,
                                body: validated.status == 304 ? [] : body)
    }

    private func redirect(_ target: String, origin: String) -> HTTPResponsePlan {
        let html = "<html><body>Moved to <a href=\"\(target)\">\(target)</a></body></html>\n"
        return HTTPResponsePlan(status: 301, headers: [("Location", origin + target), ("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    private func notFound(_ status: Int) -> HTTPResponsePlan {
        let html = "<html><head><meta charset=\"utf-8\"><title>\(status)</title></head><body><h1>\(status)</h1><p>요청하신 페이지를 찾을 수 없습니다.</p></body></html>\n"
        return HTTPResponsePlan(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    private func retryLater(_ status: Int) -> HTTPResponsePlan {
        let html = "<html><head><meta charset=\"utf-8\"></head><body><h1>\(status)</h1><p>잠시 후 다시 시도해 주십시오.</p></body></html>\n"
        return HTTPResponsePlan(status: status, headers: [("Retry-After", String(options.retryAfterSeconds)), ("Content-Type", "text/html; charset=utf-8")],
                                body: Array(html.utf8))
    }

    // MARK: Lists

    private func home(_ path: String, _ count: Int, _ origin: String) -> ListPageModel {
        var extra: [(String, String)] = []
        if options.failureModes {
            extra.append((plan.site == .xinhua ? "신화망 한국어판 홈" : "인민망 한국어판 홈", homeAlias))
            if published(count, .redirectFromLegacyPath), let alias = legacyAlias {
                extra.append((plan.articles[ReplicaFailure.redirectFromLegacyPath.articleIndex].article.title, alias.path))
            }
            for dead in [ReplicaFailure.deadLink404, .deadLink410] where published(count, dead) {
                extra.append(("지난 기사 보기", deadLink(dead)))
            }
        }
        let items = plan.articles.prefix(count).suffix(Self.homeSize).reversed()
        return ListPageModel(path: path, origin: origin, section: nil, sections: plan.sections, items: Array(items),
                             pageNumber: 1, pagePaths: [path], extraLinks: extra)
    }

    private func sectionList(_ path: String, _ count: Int, _ origin: String) -> ListPageModel? {
        for section in plan.sections where path.hasPrefix("/\(section.slug)/") {
            let items = plan.articles.prefix(count).filter { $0.section == section }.reversed()
            let pageCount = max(1, (items.count + Self.listPageSize - 1) / Self.listPageSize)
            let pagePaths = (1...pageCount).map { template.listPath(section, page: $0) }
            guard let number = pagePaths.firstIndex(of: path) else { return nil }
            let slice = Array(items.dropFirst(number * Self.listPageSize).prefix(Self.listPageSize))
            return ListPageModel(path: path, origin: origin, section: section, sections: plan.sections, items: slice,
                                 pageNumber: number + 1, pagePaths: pagePaths, extraLinks: [("주간 뉴스 PDF", pdfLink(section))])
        }
        return nil
    }

    // MARK: robots.txt and sitemaps

    private func robots(origin: String) -> String {
        let delay = options.crawlDelay == options.crawlDelay.rounded() ? String(Int(options.crawlDelay)) : String(options.crawlDelay)
        var lines = ["# robots.txt for the ko-llama \(plan.site.rawValue) replica", "", "User-agent: *", "Crawl-delay: \(delay)",
                     "Disallow: /search/", "Disallow: /*?print=", "Disallow: /*.pdf$"]
        if let embargo = embargoRules {
            lines += ["Disallow: \(embargo.disallow)", "Allow: \(embargo.allow)"]
        }
        lines += ["", "User-agent: GPTBot", "Disallow: /", "",
                  "Sitemap: \(origin)/sitemap.xml", "Sitemap: \(origin)/sitemap-sections.xml", ""]
        return lines.joined(separator: "\n")
    }

    private func articleSitemap(_ count: Int, origin: String) -> String {
        let urls = plan.articles.prefix(count).reversed().map {
            "<url><loc>\(origin)\($0.article.path)</loc><lastmod>\($0.article.date)</lastmod></url>"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            + urls.joined(separator: "\n") + "\n</urlset>\n"
    }

    private func sectionSitemap(origin: String) -> String {
        let urls = ["/"] + plan.sections.map { template.listPath($0, page: 1) }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            + urls.map { "<url><loc>\(origin)\($0)</loc></url>" }.joined(separator: "\n") + "\n</urlset>\n"
    }
}
