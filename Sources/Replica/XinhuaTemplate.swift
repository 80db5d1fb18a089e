/// Pages in the style of Xinhua's Korean edition: the current kr.news.cn layout (body in
/// `div#detailContent`, `/YYYYMMDD/<hex>/c.html`) and the older kr.xinhuanet.com layout (body in
/// `div#p-detail`, articles split over `c_<id>.htm`, `c_<id>_2.htm`, ... with a page-nav).
struct XinhuaTemplate: SiteTemplate {
    func listPath(_ section: ReplicaSection, page number: Int) -> String {
        number == 1 ? "/\(section.slug)/index.html" : "/\(section.slug)/index_\(number).html"
    }

    private func header(_ sections: [ReplicaSection], malformed: Bool = false) -> String {
        let items = sections.map { "<li><a href=\"/\($0.slug)/index.html\">\($0.name)</a>" + (malformed ? "" : "</li>") }
        return """
        <div class="header">
        <div class="logo"><a href="/"><img src="/images/logo.png" alt="신화망 한국어판"></a></div>
        <ul class="nav"><li><a href="/">홈</a></li>
        \(items.joined(separator: "\n"))
        </ul>
        <div class="search"><a href="/search/?keyword=%EC%8B%A0%ED%99%94">검색</a></div>
        </div>\(malformed ? "\n</div></span>" : "")
        """
    }

    private let footer = """
    <div class="footer">
    <p><a href="http://www.news.cn/">신화망</a> | <a href="https://english.news.cn/">Xinhua English</a> | <a href="http://kr.news.cn/about.html">회사 소개</a></p>
    <p>Copyright 2000-2025 XINHUANET.com All Rights Reserved. 신화망 한국어판 저작권 소유</p>
    </div>
    """

    func listPage(_ model: ListPageModel) -> String {
        let heading = model.section?.name ?? "최신 기사"
        let pages = model.pagePaths.enumerated().map { i, p in
            i + 1 == model.pageNumber ? "<span class=\"current\">\(i + 1)</span>" : "<a href=\"\(p)\">\(i + 1)</a>"
        }
        let next = model.pageNumber < model.pagePaths.count ? " <a href=\"\(model.pagePaths[model.pageNumber])\">다음 페이지</a>" : ""
        return """
        <!DOCTYPE html>
        <html lang="ko">
        <head>
        <meta charset="utf-8">
        <title>\(heading) - 신화망 한국어판</title>
        <meta name="keywords" content="신화망, 신화사, 중국, 뉴스">
        </head>
        <body>
        \(header(model.sections))
        <div class="breadcrumb"><a href="/">홈</a>\(model.section.map { " &gt; <a href=\"/\($0.slug)/index.html\">\($0.name)</a>" } ?? "")</div>
        <div class="list">
        <h2>\(heading)</h2>
        <ul class="dataList">
        \(listItems(model) { "\($0.isoDate) \($0.clock)" })
        </ul>
        <div class="pagination">\(pages.joined(separator: " "))\(next)</div>
        </div>
        <div class="hot"><ul>
        \(extraLinks(model))
        </ul></div>
        \(footer)
        </body>
        </html>

        """
    }

    func articlePage(_ model: ArticlePageModel) -> String {
        model.article.article.template == "current" ? current(model) : legacy(model)
    }

    private func caption(_ model: ArticlePageModel) -> String {
        "사진: \(model.article.published.month)월 \(model.article.published.day)일 촬영한 현장 모습. (신화사)"
    }

    private func current(_ model: ArticlePageModel) -> String {
        let a = model.article
        return """
        <!DOCTYPE html>
        <html lang="ko">
        <head>
        \(model.charsetMeta)
        <title>\(HTMLText.escape(a.article.title))-신화망 한국어판</title>
        \(model.articleMeta)
        </head>
        <body>
        \(header(model.sections, malformed: model.failure == .malformedHTML))
        <div class="breadcrumb"><a href="/">홈</a> &gt; <a href="/\(a.section.slug)/index.html">\(a.section.name)</a></div>
        <div class="head-line"><h1><span class="title">\(HTMLText.escape(a.article.title))</span></h1></div>
        <div class="header-time"><span class="year">\(a.published.yyyy)</span>-\(a.published.mm)-\(a.published.dd) \(a.published.clock)</div>
        <div class="share">공유: <a href="https://service.weibo.com/share/share.php?url=\(model.origin)\(a.article.path)">웨이보</a> <a href="\(a.printPath)">인쇄</a></div>
        <div id="detailContent">
        \(model.paragraphs(dateline: "(베이징=신화사) ", captionClass: "caption", caption: caption(model)))<p>원문 출처:신화사</p>
        <div class="related">추천 기사:
        <ul>
        \(model.relatedLinks())
        </ul>
        </div>
        </div>
        \(footer)
        </body>
        </html>

        """
    }

    private func legacy(_ model: ArticlePageModel) -> String {
        let a = model.article
        let t = a.published
        let nav: String
        if a.pages.count > 1 {
            let links = a.pagePaths.enumerated().map { i, p in
                i == model.page ? "<span>\(i + 1)</span>" : "<a href=\"\(p.split(separator: "/").last!)\">\(i + 1)</a>"
            }
            let next = model.isLastPage ? "" : " <a href=\"\(a.pagePaths[model.page + 1].split(separator: "/").last!)\">다음 페이지</a>"
            nav = "<div class=\"page-nav\">\(links.joined(separator: " "))\(next)</div>\n"
        } else {
            nav = ""
        }
        return """
        <html>
        <head>
        \(model.charsetMeta)
        <title>\(HTMLText.escape(a.article.title))_한국어_신화망</title>
        \(model.articleMeta)
        </head>
        <body>
        \(header(model.sections, malformed: model.failure == .malformedHTML))
        <table width="960" class="top"><tr><td><a href="/\(a.section.slug)/index.html">\(a.section.name)</a></td></tr></table>
        <div id="wrapper">
        <h1 id="title">\(HTMLText.escape(a.article.title))</h1>
        <div class="info"><span class="time">\(t.isoDate) \(t.clock)</span> 출처: 신화망 <a href="\(a.printPath)">인쇄</a></div>
        <div id="p-detail">
        \(model.paragraphs(dateline: "[신화망 베이징 \(t.month)월 \(t.day)일] ", captionClass: "caption", caption: caption(model)))\(model.isLastPage ? "<p>원문 출처:신화사</p>\n" : "")\(nav)</div>
        <div class="share">공유하기</div>
        <div class="related">추천 기사:
        <ul>
        \(model.relatedLinks())
        </ul>
        </div>
        </div>
        \(footer)
        </body>
        </html>

        """
    }
}
