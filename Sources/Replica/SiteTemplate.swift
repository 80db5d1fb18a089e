/// A list page (home or section, one page of its pagination) ready to render.
struct ListPageModel {
    let path: String
    let origin: String
    /// nil on the home page.
    let section: ReplicaSection?
    let sections: [ReplicaSection]
    /// Newest first.
    let items: [PlannedArticle]
    /// 1-based.
    let pageNumber: Int
    /// Paths of every page of this list, in order.
    let pagePaths: [String]
    /// Extra links the page carries (redirect aliases, dead links, disallowed paths): text, path.
    let extraLinks: [(String, String)]
}

/// One page of an article ready to render.
struct ArticlePageModel {
    let article: PlannedArticle
    /// 0-based page of a multi-page article.
    let page: Int
    let origin: String
    let sections: [ReplicaSection]
    /// Older published articles for the "추천 기사:" block.
    let related: [PlannedArticle]

    var failure: ReplicaFailure? { article.failure }
    var path: String { article.pagePaths[page] }
    var isLastPage: Bool { page == article.pages.count - 1 }

    /// The charset declaration inside the page: `<meta charset>` on the current templates and
    /// the meta-only failure page, `http-equiv` on legacy ones (with "euc-kr" on the CP949 page).
    var charsetMeta: String {
        if failure == .cp949 { return #"<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">"# }
        if failure == .metaCharsetOnly || article.article.template == "current" { return #"<meta charset="utf-8">"# }
        return #"<meta http-equiv="Content-Type" content="text/html; charset=utf-8">"#
    }

    /// Metadata both sites' extraction rules read: og:title, publishdate, section, plus reservation metas.
    var articleMeta: String {
        let a = article.article
        var meta = """
        <meta property="og:title" content="\(HTMLText.escape(a.title))">
        <meta property="og:type" content="article">
        <meta name="publishdate" content="\(a.date)">
        <meta name="section" content="\(HTMLText.escape(a.section))">
        <link rel="canonical" href="\(origin)\(a.path)">
        """
        if failure == .tdmReservation { meta += "\n<meta name=\"tdm-reservation\" content=\"1\">" }
        return meta
    }

    /// Body paragraphs of this page: the first one carries the site's dateline prefix, a photo
    /// and its caption follow it on the first page. On the malformed page no `</p>` is closed.
    func paragraphs(dateline: String, captionClass: String, caption: String) -> String {
        let close = failure == .malformedHTML ? "" : "</p>"
        var html = ""
        for (i, text) in article.pages[page].enumerated() {
            let prefix = page == 0 && i == 0 ? dateline : ""
            html += "<p>\(HTMLText.escape(prefix + text))\(close)\n"
            if page == 0 && i == 0 {
                html += "<p style=\"text-align: center;\"><img src=\"/images/\(article.index)_1.jpg\" alt=\"\">\(close)\n"
                html += "<p class=\"\(captionClass)\">\(HTMLText.escape(caption))\(close)\n"
            }
        }
        return html
    }

    /// Links to the related articles, root-relative and absolute alternately.
    func relatedLinks() -> String {
        related.enumerated().map { i, r in
            "<li><a href=\"\(HTMLText.href(r.article.path, from: path, origin: origin, style: i))\">\(HTMLText.escape(r.article.title))</a></li>"
        }.joined(separator: "\n")
    }
}

/// The HTML of one site's pages (Xinhua's or People's Daily's look, current and legacy).
protocol SiteTemplate: Sendable {
    /// Path of page `number` (1-based) of a section list.
    func listPath(_ section: ReplicaSection, page number: Int) -> String
    func listPage(_ model: ListPageModel) -> String
    func articlePage(_ model: ArticlePageModel) -> String
}

extension SiteTemplate {
    /// The list items, cycling through root-relative, absolute and document-relative links.
    func listItems(_ model: ListPageModel, dateFormat: (CivilTime) -> String) -> String {
        model.items.enumerated().map { i, item in
            let href = HTMLText.href(item.article.path, from: model.path, origin: model.origin, style: i)
            return "<li><a href=\"\(href)\">\(HTMLText.escape(item.article.title))</a> <span class=\"date\">\(dateFormat(item.published))</span></li>"
        }.joined(separator: "\n")
    }

    func extraLinks(_ model: ListPageModel) -> String {
        model.extraLinks.map { "<li><a href=\"\($0.1)\">\(HTMLText.escape($0.0))</a></li>" }.joined(separator: "\n")
    }
}
