import Corpus
@testable import Crawling
import TestSupport
import XCTest

final class SiteScopeTests: XCTestCase {
    private func scope(_ site: String, origin: String? = nil) throws -> SiteScope {
        try SiteScope(site: SiteDefinition.load(site, crawlersDirectory: repositoryRoot + "/crawlers"), originOverride: origin)
    }

    func testNormalisation() {
        XCTAssertEqual(SiteScope.normalize("HTTP://KR.News.CN:80/a/b.html#top"), "http://kr.news.cn/a/b.html")
        XCTAssertEqual(SiteScope.normalize("https://kr.news.cn"), "https://kr.news.cn/")
        XCTAssertEqual(SiteScope.normalize("https://kr.news.cn:8443/x?q=1"), "https://kr.news.cn:8443/x?q=1")
        XCTAssertEqual(SiteScope.pathAndQuery("http://h/a/b?c=d"), "/a/b?c=d")
    }

    func testClassificationOfBothSites() throws {
        let x = try scope("xinhua-ko")
        XCTAssertEqual(x.kind(of: "https://kr.news.cn/"), .list)
        XCTAssertEqual(x.kind(of: "https://kr.news.cn/politics/index_2.html"), .list)
        XCTAssertEqual(x.kind(of: "https://kr.news.cn/20240305/0123456789abcdef0123456789abcdef/c.html"), .article)
        XCTAssertEqual(x.articleName(of: "https://kr.news.cn/2015-03/05/c_134039877.htm"), "legacy")
        XCTAssertEqual(x.kind(of: "https://kr.news.cn/2015-03/05/c_134039877_2.htm"), .article)
        XCTAssertEqual(x.continuationKey(of: "https://kr.news.cn/2015-03/05/c_134039877_2.htm"), "2015-03/05/c_134039877")
        XCTAssertEqual(x.continuationKey(of: "https://kr.news.cn/2015-03/05/c_134039877.htm"), "2015-03/05/c_134039877")
        XCTAssertEqual(x.kind(of: "https://kr.news.cn/sitemap.xml"), .sitemap)
        XCTAssertNil(x.kind(of: "https://kr.news.cn/about.html"))
        XCTAssertNil(x.kind(of: "https://kr.news.cn/20240305/0123456789abcdef0123456789abcdef/c.html?print=1"))
        let p = try scope("people-ko")
        XCTAssertEqual(p.kind(of: "http://kr.people.com.cn/n3/2024/0305/c203-20140000.html"), .article)
        XCTAssertEqual(p.articleName(of: "http://kr.people.com.cn/n/2012/0305/c203-20140000.html"), "legacy")
        XCTAssertEqual(p.kind(of: "http://kr.people.com.cn/203/index2.html"), .list)
    }

    func testResolutionStaysOnTheSiteAndMapsSiteHostsOntoTheOrigin() throws {
        let x = try scope("xinhua-ko", origin: "http://127.0.0.1:8123/")
        XCTAssertEqual(x.origin, "https://kr.news.cn")
        XCTAssertEqual(x.fetchOrigin, "http://127.0.0.1:8123")
        let base = "https://kr.news.cn/politics/index.html"
        XCTAssertEqual(x.resolve("../20240305/aa/c.html#x", against: base), "https://kr.news.cn/20240305/aa/c.html")
        XCTAssertEqual(x.resolve("https://kr.xinhuanet.com/2015-03/05/c_1.htm", against: base), "https://kr.news.cn/2015-03/05/c_1.htm")
        XCTAssertEqual(x.resolve("https://KR.NEWS.CN/", against: base), "https://kr.news.cn/")
        XCTAssertEqual(x.resolve("http://127.0.0.1:8123/sitemap.xml", against: base), "https://kr.news.cn/sitemap.xml", "mirror links map back")
        XCTAssertNil(x.resolve("https://example.com/x", against: base))
        XCTAssertNil(x.resolve("http://127.0.0.1:9999/x", against: base))
        XCTAssertNil(x.resolve("mailto:a@b.c", against: base))
        XCTAssertNil(x.resolve("javascript:void(0)", against: base))
        XCTAssertEqual(x.fetchURL("https://kr.news.cn/a?b=1"), "http://127.0.0.1:8123/a?b=1")
    }
}
