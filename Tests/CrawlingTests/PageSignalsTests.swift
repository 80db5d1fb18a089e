import Corpus
@testable import Crawling
import Foundation
import XCTest

final class PageSignalsTests: XCTestCase {
    private let notices = try! ["무단 ?(전재|복제).{0,40}(AI|인공지능) ?학습", "(AI|인공지능) ?학습.{0,20}금지"].map { try NSRegularExpression(pattern: $0) }

    func testCP949PageLinksMetaSignalsAndRightsNotice() throws {
        // 똠 is a syllable CP949 has and EUC-KR lacks: the page must be decoded as windows-949.
        let html = """
            <html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
            <meta content="noarchive, noai" name="ROBOTS"><meta name='tdm-reservation' content='1'>
            <meta name="tdm-policy" content="https://example.org/tdm.json"></head>
            <body><a href="/n3/2024/0305/c203-1.html">똠방각하</a> <a href='rel/2.html#x'>둘</a> <a href=/203/index.html>목록</a>
            <p>ⓒ 인민망. 무단 전재-재배포, AI 학습 및 활용 금지</p></body></html>
            """
        let bytes = try ICU.encode(html, charset: "windows-949").bytes
        XCTAssertEqual(try ICU.encode(html, charset: "windows-949").unmappable, 0)
        let s = PageSignals(headers: [("Content-Type", "text/html; charset=EUC-KR"), ("X-Robots-Tag", "noai, noimageai"), ("TDM-Reservation", "1")],
                            body: bytes, sitemap: false, charsetHint: "utf-8", noticePatterns: notices)
        XCTAssertEqual(s.charset, "EUC-KR")
        XCTAssertEqual(s.links, ["/n3/2024/0305/c203-1.html", "rel/2.html#x", "/203/index.html"])
        XCTAssertEqual(s.optOuts.filter { !$0.hasPrefix("rights notice") }, [
            "x-robots-tag: noai, noimageai", "tdm-reservation: 1",
            "meta robots: noarchive, noai", "meta tdm-reservation: 1", "meta tdm-policy: https://example.org/tdm.json",
        ])
        XCTAssertTrue(s.optOuts.contains { $0.hasPrefix("rights notice: 무단 전재-재배포, AI 학습") }, "\(s.optOuts)")
    }

    func testMetaCharsetOnlyAndSitemapLocs() {
        let page = Array("<meta charset=\"utf-8\"><a href=\"/x.html?a=1&amp;b=2\">x</a>".utf8)
        let s = PageSignals(headers: [("Content-Type", "text/html")], body: page, sitemap: false, charsetHint: nil, noticePatterns: [])
        XCTAssertEqual(s.charset, "utf-8")
        XCTAssertEqual(s.links, ["/x.html?a=1&b=2"])
        XCTAssertTrue(s.optOuts.isEmpty)
        let sitemap = Array("<urlset><url><loc> https://kr.news.cn/20240305/ab/c.html </loc></url><url><loc>/a.xml</loc></url></urlset>".utf8)
        let m = PageSignals(headers: [], body: sitemap, sitemap: true, charsetHint: nil, noticePatterns: [])
        XCTAssertEqual(m.links, ["https://kr.news.cn/20240305/ab/c.html", "/a.xml"])
    }
}
