import Corpus
import Foundation
import Replica
import TestSupport
import XCTest

/// Every published page of both replicas, read with the XPath rules of crawlers/<site>.json,
/// yields exactly the catalog's title, date, section and clean paragraphs: the templates and the
/// site definitions agree, including on the CP949 and malformed pages.
final class ReplicaExtractionRuleTests: ReplicaTestCase {
    func testSiteRulesRecoverTheCatalogFromEveryPage() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let definition = try siteDefinition(site)
            let client = RawHTTPClient(port: server.port)
            for article in server.catalog.articles {
                var paragraphs: [String] = []
                for (i, path) in ([article.path] + article.continuationPaths).enumerated() {
                    var response = try client.request("GET", path)
                    if response.status != 200 || response.truncated { response = try client.request("GET", path) } // once-failures
                    XCTAssertEqual(response.status, 200, path)
                    let utf8 = article.charset == "utf-8" ? response.body : Array(try ICU.decode(response.body, charset: article.charset).text.utf8)
                    let page = try SiteRuleReader(utf8: utf8, rules: definition.extraction)
                    let context = "\(site.rawValue) \(path)"
                    XCTAssertEqual(page.title, article.title, context)
                    XCTAssertEqual(page.date, article.date, context)
                    XCTAssertEqual(page.section, article.section, context)
                    XCTAssertEqual(page.bodyContainerCount, 1, context)
                    XCTAssertEqual(page.rightsNotice(definition.rights.noticePatterns) != nil, article.rightsNotice != nil, context)
                    paragraphs += page.paragraphs(stripPrefix: i == 0)
                }
                XCTAssertEqual(paragraphs, article.paragraphs, "\(site.rawValue) \(article.path)")
            }
        }
    }
}
