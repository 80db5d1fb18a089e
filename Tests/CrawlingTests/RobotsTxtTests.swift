@testable import Crawling
import XCTest

final class RobotsTxtTests: XCTestCase {
    private func robots(_ text: String, agent: String = "ko-llama") -> RobotsTxt {
        RobotsTxt(bytes: Array(text.utf8), userAgent: agent)
    }

    func testLongestMatchWinsAndAllowWinsTies() {
        let r = robots("""
            User-agent: *
            Disallow: /search/
            Allow: /search/help
            Disallow: /page
            Allow: /page
            Disallow: /a/b/
            Allow: /a/
            """)
        XCTAssertFalse(r.isAllowed("/search/q?x=1"))
        XCTAssertTrue(r.isAllowed("/search/help.html"))
        XCTAssertTrue(r.isAllowed("/page.html"), "equal length: Allow wins")
        XCTAssertFalse(r.isAllowed("/a/b/c"), "longer Disallow beats shorter Allow")
        XCTAssertTrue(r.isAllowed("/a/c"))
        XCTAssertTrue(r.isAllowed("/other"))
        XCTAssertEqual(r.decidingRule(for: "/search/help")?.pattern, "/search/help")
    }

    func testWildcardsAndEndAnchor() {
        let r = robots("""
            User-agent: *
            Disallow: /*?print=
            Disallow: /*.pdf$
            Disallow: /private*/x
            """)
        XCTAssertFalse(r.isAllowed("/20240305/abc/c.html?print=1"))
        XCTAssertTrue(r.isAllowed("/20240305/abc/c.html?page=2"))
        XCTAssertFalse(r.isAllowed("/files/report.pdf"))
        XCTAssertTrue(r.isAllowed("/files/report.pdf?download=1"), "$ anchors the end")
        XCTAssertTrue(r.isAllowed("/files/report.pdfx"))
        XCTAssertFalse(r.isAllowed("/private-area/x/y"))
        XCTAssertTrue(r.isAllowed("/private-area/y"))
    }

    func testGroupSelectionMergesOurGroupsAndFallsBackToStar() {
        let text = """
            User-agent: GPTBot
            Disallow: /

            User-agent: *
            Disallow: /star-only

            User-agent: KO-LLAMA
            User-agent: otherbot
            Disallow: /ours-1
            Crawl-delay: 3

            User-agent: ko-llama
            Disallow: /ours-2
            """
        let ours = robots(text)
        XCTAssertEqual(ours.matchedAgent, "ko-llama")
        XCTAssertFalse(ours.isAllowed("/ours-1"))
        XCTAssertFalse(ours.isAllowed("/ours-2"), "groups naming the same agent merge")
        XCTAssertTrue(ours.isAllowed("/star-only"), "the * group does not apply when ours exists")
        XCTAssertEqual(ours.crawlDelay, 3)
        let other = robots(text, agent: "somebot")
        XCTAssertEqual(other.matchedAgent, "*")
        XCTAssertFalse(other.isAllowed("/star-only"))
        XCTAssertTrue(other.isAllowed("/ours-1"))
        XCTAssertNil(other.crawlDelay)
        XCTAssertTrue(robots("User-agent: gptbot\nDisallow: /\n").isAllowed("/x"), "no group for us: allow all")
    }

    func testCrawlDelaySitemapsCommentsAndEmptyDisallow() {
        let r = robots("User-agent: * # everyone\r\nCrawl-delay: 0.5\r\nDisallow:\r\nSitemap: https://kr.news.cn/sitemap.xml\r\nsitemap: /news.xml")
        XCTAssertEqual(r.crawlDelay, 0.5)
        XCTAssertEqual(r.sitemaps, ["https://kr.news.cn/sitemap.xml", "/news.xml"])
        XCTAssertTrue(r.isAllowed("/anything"))
        XCTAssertTrue(r.rules.isEmpty)
    }

    func testPercentEncodingNormalisation() {
        let r = robots("User-agent: *\nDisallow: /%7Euser/\nDisallow: /뉴스/\nDisallow: /a%2fb\n")
        XCTAssertFalse(r.isAllowed("/~user/page"), "%7E is the unreserved ~")
        XCTAssertFalse(r.isAllowed("/%EB%89%B4%EC%8A%A4/1.html"), "UTF-8 pattern matches its escaped path")
        XCTAssertFalse(r.isAllowed("/a%2Fb"), "escapes compare with upper-case hex")
        XCTAssertTrue(r.isAllowed("/a/b"), "an escaped slash is not a slash")
    }

    func testHostileInput() {
        // Binary junk, NULs and a missing final newline: parsed, never a crash, rules still read.
        var junk: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        junk += Array("\nUser-agent: *\nDisallow: /x".utf8)
        XCTAssertFalse(RobotsTxt(bytes: junk, userAgent: "ko-llama").isAllowed("/x/1"))
        // A huge file: only the first 500 KiB count, so a rule after that is ignored.
        var huge = Array("User-agent: *\nDisallow: /early\n".utf8)
        huge += [UInt8](repeating: UInt8(ascii: "#"), count: RobotsTxt.maxBytes)
        huge += Array("\nDisallow: /late\n".utf8)
        let big = RobotsTxt(bytes: huge, userAgent: "ko-llama")
        XCTAssertFalse(big.isAllowed("/early"))
        XCTAssertTrue(big.isAllowed("/late"))
        // A pathological wildcard pattern stays fast (no exponential backtracking).
        let pattern = "/" + String(repeating: "*a", count: 200) + "b"
        let r = robots("User-agent: *\nDisallow: \(pattern)\n")
        let started = Date()
        XCTAssertTrue(r.isAllowed("/" + String(repeating: "a", count: 5000)))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertTrue(RobotsTxt(bytes: [], userAgent: "ko-llama").isAllowed("/"))
    }
}
