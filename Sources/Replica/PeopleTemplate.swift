/// Pages in the style of People's Daily's Korean edition (kr.people.com.cn): current articles
/// `/n3/YYYY/MMDD/c<channel>-<id>.html` with the body in `div.wb_txt`, older ones `/n/...` with
/// `div.wb_1`; a "[인민망 한국어판 M월 D일]" dateline opens the first paragraph and the rights line
/// "(무단 전재-재배포, AI 학습 및 활용 금지)" follows the body.
struct PeopleTemplate: SiteTemplate {
    func listPath(_ section: ReplicaSection, page number: Int) -> String {
        number == 1 ? "/\(section.slug)/index.html" : "/\(section.slug)/index\(number).html"
    }

    private func header(_ sections: [ReplicaSection], malformed: Bool = false) -> String {
        let items = sections.map { "<li><a href=\"/\($0.slug)/index.html\">\($0.name)</a>" + (malformed ? "" : "</li>") }
        return """
        <div class="top">
        <div class="logo"><a href="/index.html"><img src="/img/logo.png" alt="인민망 한국어판"></a></div>
        <ul class="nav">
        \(items.joined(separator: "\n"))
        </ul>
        <div class="search"><a href="/search/?keywords=%EC%A4%91%EA%B5%AD">검색</a></div>
        </div>\(malformed ? "\n</div></span>" : "")
        """
    }

    private let footer = """
    <div class="foot">
    <p><a href="http://www.people.com.cn/">인민망</a> | <a href="http://en.people.cn/">People's Daily English</a> | <a href="http://j.people.com.cn/">日本語</a></p>
    <p>인민망 한국어판 판권 소유. 무단 전재 금지</p>
    </div>
    """

    private func dateLine(_ t: CivilTime) -> String {
        "\(t.yyyy)년 \(t.mm)월 \(t.dd)일 \(t.clock.prefix(5))"
    }

    func listPage(_ model: ListPageModel) -> String {
        let heading = model.section?.name ?? "인민망 한국어판"
        let pages = model.pagePaths.enumerated().map { i, p in
            i + 1 == model.pageNumber ? "<b>\(i + 1)</b>" : "<a href=\"\(p)\">\(i + 1)</a>"
        }
        let next = model.pageNumber < model.pagePaths.count ? " <a href=\"\(model.pagePaths[model.pageNumber])\">다음</a>" : ""
        return """
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <title>\(heading)--인민망 한국어판--인민망</title>
        </head>
        <body>
        \(header(model.sections))
        <div class="route"><a href="/">인민망 한국어판</a>\(model.section.map { " &gt;&gt; <a href=\"/\($0.slug)/index.html\">\($0.name)</a>" } ?? "")</div>
        <div class="p2_left">
        <ul class="list_14">
        \(listItems(model) { self.dateLine($0) })
        </ul>
        <div class="page_n">\(pages.joined(separator: " "))\(next)</div>
        </div>
        <div class="p2_right"><ul>
        \(extraLinks(model))
        </ul></div>
        \(footer)
        </body>
        </html>

        """
    }

    func articlePage(_ model: ArticlePageModel) -> String {
        let a = model.article
        let t = a.published
        let current = a.article.template == "current"
        let dateline = "[인민망 한국어판 \(t.month)월 \(t.day)일] "
        let caption = "\(t.month)월 \(t.day)일 촬영한 현장 모습. [사진 출처: 인민망]"
        let body = model.paragraphs(dateline: dateline, captionClass: "pic_txt", caption: caption)
        let related = """
        <div class="related">추천 기사:
        <ul>
        \(model.relatedLinks())
        </ul>
        </div>
        """
        let share = "<div class=\"share\">공유: <a href=\"https://service.weibo.com/share/share.php?url=\(model.origin)\(a.article.path)\">웨이보</a> <a href=\"\(a.printPath)\">인쇄</a></div>"
        let dateBlock = current
            ? "<div class=\"box01\"><div class=\"fl\">\(dateLine(t)) | 출처: 인민망 한국어판</div>\(share)</div>"
            : "<p class=\"origin\">\(dateLine(t)) 출처: 인민망 한국어판</p>\n\(share)"
        let bodyClass = current ? "wb_txt" : "wb_1"
        return """
        <!DOCTYPE html>
        <html>
        <head>
        \(model.charsetMeta)
        <title>\(HTMLText.escape(a.article.title))--인민망 한국어판--인민망</title>
        \(model.articleMeta)
        </head>
        <body>
        \(header(model.sections, malformed: model.failure == .malformedHTML))
        <div class="route"><a href="/">인민망 한국어판</a> &gt;&gt; <a href="/\(a.section.slug)/index.html">\(a.section.name)</a></div>
        <div class="text_c">
        <h1>\(HTMLText.escape(a.article.title))</h1>
        \(dateBlock)
        <div class="\(bodyClass)">
        \(body)<div class="edit">(책임편집: 한재희)</div>
        \(related)
        </div>
        <p class="rights">\(ReplicaPlan.peopleRightsNotice)</p>
        </div>
        \(footer)
        </body>
        </html>

        """
    }
}
