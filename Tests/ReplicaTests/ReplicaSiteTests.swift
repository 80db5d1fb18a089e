import Corpus
import Foundation
import Replica
import TestSupport
import XCTest

/// The replica's pages against the site definitions in crawlers/: URL shapes, list coverage,
/// publication order, robots.txt, sitemaps, templates.
final class ReplicaSiteTests: ReplicaTestCase {
    func testEveryArticlePathMatchesItsTemplatePattern() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site, initialArticles: 200)
            let definition = try siteDefinition(site)
            let catalog = server.catalog
            XCTAssertEqual(catalog.articles.count, 200, site.rawValue)
            XCTAssertEqual(Set(catalog.articles.map(\.template)), ["current", "legacy"], site.rawValue)
            for article in catalog.articles {
                for path in [article.path] + article.continuationPaths {
                    let names = definition.articlePatterns.filter { Self.matches($0.regex, path) }.map(\.name)
                    XCTAssertEqual(names, [article.template], "\(site.rawValue) \(path)")
                    XCTAssertFalse(definition.listPatterns.contains { Self.matches($0, path) }, path)
                }
                XCTAssertTrue(Self.matches(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, article.date))
                XCTAssertGreaterThanOrEqual(article.paragraphs.count, 3)
            }
            XCTAssertEqual(Set(catalog.articles.map(\.path)).count, 200, "paths are unique")
            let legacyPages = catalog.articles.filter { $0.template == "legacy" }.map(\.continuationPaths.count)
            if site == .xinhua {
                XCTAssertTrue(legacyPages.allSatisfy { (1...2).contains($0) }, "Xinhua legacy articles span 2-3 pages")
            } else {
                XCTAssertTrue(legacyPages.allSatisfy { $0 == 0 })
            }
            let years = Set(catalog.articles.map { $0.date.prefix(4) })
            XCTAssertGreaterThanOrEqual(years.count, 5, "dates spread over several years")
        }
    }

    func testListPagesLinkEveryPublishedArticleAndOtherHosts() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let definition = try siteDefinition(site)
            let lists = try crawlLists(server, definition)
            let linked = Set(lists.values.flatMap { $0 })
            let catalog = server.catalog
            for article in catalog.articles {
                XCTAssertTrue(linked.contains(article.path), "\(site.rawValue): \(article.path) not linked from any list page")
            }
            XCTAssertTrue(lists.keys.contains { Self.matches(#"index_?[0-9]+\.html$"#, $0) }, "\(site.rawValue) has paginated lists")
            // Links come root-relative, document-relative and absolute; some lead to other hosts.
            let home = try RawHTTPClient(port: server.port).request("GET", "/").text
            XCTAssertTrue(home.contains("href=\"\(server.origin)/"), "absolute links")
            XCTAssertTrue(Self.matches(#"href="(?!/|http)[^"]+\.html""#, home), "document-relative links")
            let external = links(in: home, page: "/", origin: server.origin).filter { $0.path == nil }
            XCTAssertFalse(external.isEmpty, "links to other hosts")
        }
    }

    func testPublishMakesNewArticlesAppearFirst() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site, initialArticles: 20)
            let before = server.catalog.articles
            server.publish(count: 3)
            let after = server.catalog.articles
            XCTAssertEqual(after.count, 23)
            XCTAssertEqual(Array(after.dropFirst(3)), before)
            XCTAssertTrue(after[0].date >= after[1].date && after[2].date >= before[0].date)
            let client = RawHTTPClient(port: server.port)
            let home = try client.request("GET", "/")
            let homeLinks = links(in: home.text, page: "/", origin: server.origin).compactMap(\.path)
            let firstArticle = homeLinks.first { p in after.contains { $0.path == p } }
            XCTAssertEqual(firstArticle, after[0].path, "\(site.rawValue): newest article first on the home page")
            let sitemap = try client.request("GET", "/sitemap.xml").text
            let firstLoc = sitemap.range(of: "<loc>").map { sitemap[$0.upperBound...].prefix { $0 != "<" } }
            XCTAssertEqual(firstLoc.map(String.init), server.origin + after[0].path)
            XCTAssertEqual(try client.request("GET", after[0].path).status, 200)
        }
    }

    func testRobotsTxtAnnouncesDelaySitemapsAndWildcardRules() throws {
        let server = try startServer(.people)
        let robots = try RawHTTPClient(port: server.port).request("GET", "/robots.txt")
        XCTAssertEqual(robots.status, 200)
        XCTAssertTrue(robots.header("Content-Type")!.hasPrefix("text/plain"))
        let lines = robots.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("Crawl-delay: 0.02"))
        XCTAssertTrue(lines.contains("Sitemap: \(server.origin)/sitemap.xml"))
        XCTAssertTrue(lines.contains("Disallow: /*?print="))
        XCTAssertTrue(lines.contains("Disallow: /*.pdf$"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("Allow: /n3/") })
    }

    func testPagesCarryTheSitesBoilerplate() throws {
        let xinhua = try startServer(.xinhua)
        let client = RawHTTPClient(port: xinhua.port)
        let current = xinhua.catalog.articles.first { $0.template == "current" && $0.charset == "utf-8" }!
        let page = try client.request("GET", current.path).text
        XCTAssertTrue(page.contains("<meta property=\"og:title\" content=\""))
        XCTAssertTrue(page.contains("<meta name=\"publishdate\" content=\"\(current.date)\">"))
        XCTAssertTrue(page.contains("<div id=\"detailContent\">"))
        XCTAssertTrue(page.contains("<p>원문 출처:신화사</p>"))
        XCTAssertTrue(page.contains("<p class=\"caption\">"))
        XCTAssertTrue(page.contains("<div class=\"related\">추천 기사:"))
        XCTAssertTrue(page.contains("<div class=\"share\">"))
        XCTAssertNil(current.rightsNotice)

        let legacy = xinhua.catalog.articles.last { $0.template == "legacy" && $0.continuationPaths.count == 2 }!
        var body = ""
        for path in [legacy.path] + legacy.continuationPaths {
            let response = try client.request("GET", path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertTrue(response.text.contains("<div id=\"p-detail\">"))
            XCTAssertTrue(response.text.contains("<div class=\"page-nav\">"))
            body += response.text
        }
        for paragraph in legacy.paragraphs { XCTAssertTrue(Self.unescape(body).contains(paragraph)) }

        let people = try startServer(.people)
        let article = people.catalog.articles.first { $0.template == "current" }!
        let html = Self.unescape(try RawHTTPClient(port: people.port).request("GET", article.path).text)
        let (month, day) = (Int(article.date.dropFirst(5).prefix(2))!, Int(article.date.suffix(2))!)
        XCTAssertTrue(html.contains("<p>[인민망 한국어판 \(month)월 \(day)일] \(article.paragraphs[0])</p>"))
        XCTAssertTrue(html.contains("<div class=\"wb_txt\">"))
        XCTAssertTrue(html.contains("<p class=\"pic_txt\">"))
        XCTAssertEqual(article.rightsNotice, "(무단 전재-재배포, AI 학습 및 활용 금지)")
        XCTAssertTrue(html.contains(article.rightsNotice!))
        let old = people.catalog.articles.last!
        XCTAssertEqual(old.template, "legacy")
        XCTAssertTrue(try RawHTTPClient(port: people.port).request("GET", old.path).text.contains("<div class=\"wb_1\">"))
    }

    func testMissingCorpusIsAClearError() throws {
        let options = ReplicaOptions(corpusFile: "/nonexistent/articles.jsonl.gz")
        XCTAssertThrowsError(try ReplicaServer(site: .xinhua, options: options)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/articles.jsonl.gz"), "\(error)")
            XCTAssertTrue("\(error)".contains("make-replica-corpus.py"), "\(error)")
        }
    }
}
