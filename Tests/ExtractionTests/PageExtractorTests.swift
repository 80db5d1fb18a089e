import Corpus
@testable import Extraction
import TestSupport
import XCTest

final class PageExtractorTests: XCTestCase {
    private var matcher: SiteMatcher!

    override func setUpWithError() throws {
        matcher = try SiteMatcher(sites: SiteMatcher.loadDefinitions(directory: WARCFixtures.crawlersDirectory))
    }

    private func extract(_ html: String, url: String, headers: [(name: String, value: String)] = [("Content-Type", "text/html; charset=utf-8")],
                         declaredSite: String? = nil) throws -> PageOutcome {
        let site = matcher.site(for: try XCTUnwrap(URLParts(url)), declaredSite: declaredSite)
        return try PageExtractor().extract(FetchedPage(url: url, httpHeaders: headers, body: Array(html.utf8)), site: site)
    }

    private func page(_ outcome: PageOutcome, file: StaticString = #filePath, line: UInt = #line) throws -> ExtractedPage {
        guard case let .page(p) = outcome else {
            XCTFail("expected a page, got \(outcome)", file: file, line: line)
            throw XCTSkip("no page")
        }
        return p
    }

    func testPeopleRulesDropBoilerplateStripDatelineAndDetectRightsNotice() throws {
        let html = String(decoding: try WARCFixtures.fixture("people-current.html"), as: UTF8.self)
        let p = try page(extract(html, url: "http://kr.people.com.cn/n3/2024/0308/c204-20145678.html"))
        XCTAssertEqual(p.site, "people-ko")
        XCTAssertEqual(p.template, "current")
        XCTAssertEqual(p.section, "경제")
        XCTAssertEqual(p.rightsNotice, "무단 전재-재배포, AI 학습 및 활용 금지")
        XCTAssertTrue(p.paragraphs[0].hasPrefix("중국 해관총서"), p.paragraphs[0])
        XCTAssertFalse(p.paragraphs.contains { $0.contains("책임편집") || $0.contains("번역") || $0.contains("사진 출처") || $0.contains("Web editor") })
    }

    func testLoopbackReplicaURLMatchesBySiteArticlePattern() throws {
        let html = String(decoding: try WARCFixtures.fixture("xinhua-current.html"), as: UTF8.self)
        let p = try page(extract(html, url: "http://127.0.0.1:48123/20240305/3f1d0c2e9a7b4c5d8e6f7a8b9c0d1e2f/c.html"))
        XCTAssertEqual(p.site, "xinhua-ko")
        XCTAssertEqual(p.extractor, "rules:xinhua-ko")
        XCTAssertEqual(p.date, "2024-03-05")
        XCTAssertTrue(p.paragraphs[0].hasPrefix("중국 정부가"))
        XCTAssertFalse(p.paragraphs.contains { $0.hasPrefix("원문 출처") || $0.contains("사진/신화통신") })
        // The crawler's KoLlama-Site header wins over pattern matching.
        let declared = try page(extract(html, url: "http://127.0.0.1:48123/other/page.html", declaredSite: "xinhua-ko"))
        XCTAssertEqual(declared.site, "xinhua-ko")
    }

    func testMalformedHTMLKeepsEveryParagraphAndPrintsNothing() throws {
        let html = "<html><body><div id='detailContent'><p>첫 문단 <b>굵게<p>둘째 문단</span><p>셋째 & 넷째<br>넷째</div></div></div><p>밖<p class='x"
        let scratch = try TemporaryDirectory()
        let stderrLog = scratch.file("stderr")
        let saved = dup(2)
        let log = open(stderrLog, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(log, 2)
        let outcome = try extract(html, url: "https://kr.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html")
        dup2(saved, 2)
        close(log)
        close(saved)
        let p = try page(outcome)
        XCTAssertEqual(p.paragraphs, ["첫 문단 굵게", "둘째 문단", "셋째 & 넷째", "넷째"])
        XCTAssertEqual(String(decoding: try FileSystem.readAll(stderrLog), as: UTF8.self), "", "libxml2 must not print parser errors")
    }

    func testEmptyPageIsSkippedWithAReason() throws {
        guard case let .skipped(reason) = try extract("", url: "https://kr.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html") else {
            return XCTFail("empty page must be skipped")
        }
        XCTAssertEqual(reason, "empty_page")
        guard case let .skipped(reason2) = try extract("<html><body><div id='detailContent'> </div></body></html>",
                                                       url: "https://kr.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html") else {
            return XCTFail("page without text must be skipped")
        }
        XCTAssertEqual(reason2, "no_text")
    }

    func testSitePageWithoutBodyMatchFallsBackToGeneric() throws {
        let body = (1...4).map { "<p>새 템플릿 기사 본문의 \($0)번째 문단입니다. 충분히 긴 문장으로 이루어져 있어 점수를 받습니다.</p>" }.joined()
        let html = """
        <html><head><meta property="og:title" content="새 템플릿"></head><body>
        <ul class="menu"><li><a href="/a">정치</a></li><li><a href="/b">경제</a></li><li><a href="/c">사회</a></li></ul>
        <div class="article-v2">\(body)<p>원문 출처:신화사</p></div>
        <div class="links"><a href="/x">다른 기사 제목이 여기에 길게 들어갑니다 첫째</a><br><a href="/y">다른 기사 제목이 여기에 길게 들어갑니다 둘째</a></div>
        </body></html>
        """
        let p = try page(extract(html, url: "https://kr.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html"))
        XCTAssertEqual(p.extractor, "generic")
        XCTAssertEqual(p.site, "xinhua-ko")
        XCTAssertEqual(p.title, "새 템플릿")
        XCTAssertEqual(p.date, "2024-01-01", "falls back to the date in the URL")
        XCTAssertEqual(p.paragraphs.count, 4, "\(p.paragraphs)")
        XCTAssertFalse(p.paragraphs.contains { $0.contains("다른 기사") || $0.contains("원문 출처") })
    }

    func testOptOutSignalsFromHeadersAndMeta() throws {
        let html = """
        <html><head><meta name="robots" content="noarchive"><meta name="tdm-reservation" content="1"></head>
        <body><div id="detailContent"><p>본문입니다.</p></div></body></html>
        """
        let p = try page(extract(html, url: "https://kr.news.cn/20240101/0123456789abcdef0123456789abcdef/c.html",
                                 headers: [("Content-Type", "text/html"), ("X-Robots-Tag", "noai, noimageai"), ("tdm-reservation", "1")]))
        XCTAssertEqual(p.optOut, ["x-robots-tag: noai, noimageai", "tdm-reservation: 1", "meta robots: noarchive", "meta tdm-reservation: 1"])
    }

    func testNestedBodyMatchesAreNotDuplicated() throws {
        let html = "<html><body><div class='wb_txt'><p>하나</p><div class='wb_txt inner'><p>둘</p></div></div></body></html>"
        let p = try page(extract(html, url: "http://kr.people.com.cn/n3/2024/0308/c204-1.html"))
        XCTAssertEqual(p.paragraphs, ["하나", "둘"])
    }
}
