import Corpus
import Foundation
@testable import Replica
import TestSupport
import XCTest

/// Each deliberate failure of the replica, as documented on `ReplicaFailure`, seen on the wire.
final class ReplicaFailureModeTests: ReplicaTestCase {
    func testEveryFailureModeIsPublishedWithTheDefaultArticles() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site, initialArticles: 20)
            let kinds = server.catalog.failurePages.map(\.failure)
            XCTAssertEqual(kinds, ReplicaFailure.allCases, site.rawValue)
            let plain = try startServer(site, failureModes: false)
            XCTAssertTrue(plain.catalog.failurePages.isEmpty)
            XCTAssertTrue(plain.catalog.articles.allSatisfy { $0.charset == "utf-8" && $0.optOut.isEmpty })
        }
    }

    func testRedirectsDeadLinksAndRetries() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let catalog = server.catalog
            let client = RawHTTPClient(port: server.port)
            let linked = Set(try crawlLists(server, try siteDefinition(site)).values.flatMap { $0 })

            for failure in [ReplicaFailure.redirectFromLegacyPath, .redirectHomeAlias] {
                let page = try XCTUnwrap(catalog.page(failure))
                XCTAssertTrue(linked.contains(page.path), "\(failure) alias is linked")
                let response = try client.request("GET", page.path)
                XCTAssertEqual(response.status, 301, "\(site.rawValue) \(failure)")
                XCTAssertEqual(response.header("Location"), server.origin + page.redirectTarget!)
                XCTAssertEqual(try client.request("GET", page.redirectTarget!).status, 200)
            }
            let legacyAlias = catalog.page(.redirectFromLegacyPath)!
            XCTAssertTrue(catalog.expectedArchivedPaths.contains(legacyAlias.redirectTarget!))
            XCTAssertFalse(catalog.expectedArchivedPaths.contains(legacyAlias.path))

            for (failure, status) in [(ReplicaFailure.deadLink404, 404), (.deadLink410, 410)] {
                let page = try XCTUnwrap(catalog.page(failure))
                XCTAssertTrue(linked.contains(page.path), "\(failure) is linked")
                XCTAssertFalse(catalog.expectedArchivedPaths.contains(page.path))
                XCTAssertEqual(try client.request("GET", page.path).status, status)
            }

            for (failure, status) in [(ReplicaFailure.tooManyRequestsOnce, 429), (.unavailableOnce, 503)] {
                let page = try XCTUnwrap(catalog.page(failure))
                let first = try client.request("GET", page.path)
                XCTAssertEqual(first.status, status)
                XCTAssertEqual(first.header("Retry-After"), "1")
                XCTAssertEqual(try client.request("GET", page.path).status, 200, "answers once the client retries")
                XCTAssertTrue(catalog.expectedArchivedPaths.contains(page.path))
            }
        }
    }

    func testSlowAndTruncatedResponses() throws {
        let server = try startServer(.xinhua)
        let catalog = server.catalog
        let client = RawHTTPClient(port: server.port)

        let slow = try XCTUnwrap(catalog.page(.slow))
        let started = Date()
        XCTAssertEqual(try client.request("GET", slow.path).status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3)

        let truncated = try XCTUnwrap(catalog.page(.truncatedOnce))
        let first = try client.request("GET", truncated.path)
        XCTAssertEqual(first.status, 200)
        XCTAssertTrue(first.truncated, "first answer stops short of its Content-Length")
        XCTAssertFalse(client.isConnected, "and the connection is closed")
        let second = try client.request("GET", truncated.path)
        XCTAssertFalse(second.truncated)
        XCTAssertEqual(second.body.count, Int(second.header("Content-Length")!))
        XCTAssertEqual(first.header("Content-Length"), second.header("Content-Length"))
        XCTAssertLessThan(first.body.count, second.body.count)
    }

    func testChunkedPage() throws {
        let server = try startServer(.people)
        let client = RawHTTPClient(port: server.port)
        let page = try XCTUnwrap(server.catalog.page(.chunked))
        let article = try XCTUnwrap(server.catalog.articles.first { $0.path == page.path })
        let response = try client.request("GET", page.path)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Transfer-Encoding"), "chunked")
        XCTAssertNil(response.header("Content-Length"))
        XCTAssertGreaterThan(response.body.count, 4096, "more than one chunk")
        XCTAssertTrue(Self.unescape(response.text).contains(article.title))
        XCTAssertTrue(response.text.contains("</html>"), "every chunk arrived")
        XCTAssertTrue(client.isConnected, "chunk framing ends the body on a kept-alive connection")
        XCTAssertEqual(try client.request("GET", "/robots.txt").status, 200)
        XCTAssertEqual(try client.request("GET", page.path, headers: [("If-None-Match", response.header("ETag")!)]).status, 304)
    }

    func testCharsetPages() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let catalog = server.catalog
            let client = RawHTTPClient(port: server.port)

            let cp949 = try XCTUnwrap(catalog.page(.cp949))
            let article = catalog.articles.first { $0.path == cp949.path }!
            XCTAssertEqual(article.charset, "windows-949")
            var raw: [UInt8] = [], text = ""
            for path in [article.path] + article.continuationPaths {
                let response = try client.request("GET", path)
                XCTAssertEqual(response.header("Content-Type"), "text/html; charset=euc-kr")
                XCTAssertNil(String(validating: response.body, as: UTF8.self), "CP949 bytes are not UTF-8")
                let decoded = try ICU.decode(response.body, charset: "windows-949")
                XCTAssertEqual(decoded.invalidSequences, 0)
                XCTAssertTrue(decoded.text.contains("charset=euc-kr"))
                raw += response.body
                text += Self.unescape(decoded.text)
            }
            XCTAssertTrue(ReplicaPlan.hasCP949OnlySyllable(raw), "\(site.rawValue): a syllable EUC-KR lacks")
            XCTAssertTrue(text.contains(article.title))
            for paragraph in article.paragraphs { XCTAssertTrue(text.contains(paragraph), paragraph) }

            let metaOnly = try XCTUnwrap(catalog.page(.metaCharsetOnly))
            let response = try client.request("GET", metaOnly.path)
            XCTAssertEqual(response.header("Content-Type"), "text/html")
            XCTAssertTrue(response.text.contains("<meta charset=\"utf-8\">"))
        }
    }

    func testMalformedHTMLAndReservationSignals() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let catalog = server.catalog
            let client = RawHTTPClient(port: server.port)

            let malformed = try client.request("GET", try XCTUnwrap(catalog.page(.malformedHTML)).path).text
            let opened = malformed.components(separatedBy: "<p").count, closed = malformed.components(separatedBy: "</p>").count
            XCTAssertGreaterThanOrEqual(opened - closed, 3, "paragraphs, photo and caption are left unclosed")
            XCTAssertTrue(malformed.contains("</div></span>"), "stray end tags")

            let noAI = try XCTUnwrap(catalog.page(.noAIHeader))
            XCTAssertEqual(try client.request("GET", noAI.path).header("X-Robots-Tag"), "noai, noimageai")
            XCTAssertEqual(catalog.articles.first { $0.path == noAI.path }?.optOut, ["x-robots-tag: noai", "x-robots-tag: noimageai"])

            let tdm = try XCTUnwrap(catalog.page(.tdmReservation))
            let tdmResponse = try client.request("GET", tdm.path)
            XCTAssertEqual(tdmResponse.header("tdm-reservation"), "1")
            XCTAssertTrue(tdmResponse.text.contains("<meta name=\"tdm-reservation\" content=\"1\">"))
            XCTAssertEqual(catalog.articles.first { $0.path == tdm.path }?.optOut, ["tdm-reservation: 1"])
            XCTAssertEqual(catalog.articles.filter { !$0.optOut.isEmpty }.count, 2)
        }
    }

    func testRobotsDisallowedLinksAndTheAllowException() throws {
        for site in ReplicaSite.allCases {
            let server = try startServer(site)
            let catalog = server.catalog
            let client = RawHTTPClient(port: server.port)
            let robots = try client.request("GET", "/robots.txt").text
            let blocked = try XCTUnwrap(catalog.page(.disallowedByRobots))
            let allowed = try XCTUnwrap(catalog.page(.allowedByException))
            XCTAssertTrue(catalog.disallowedLinkedPaths.contains(blocked.path))
            XCTAssertFalse(catalog.expectedArchivedPaths.contains(blocked.path))
            XCTAssertTrue(catalog.expectedArchivedPaths.contains(allowed.path))
            XCTAssertTrue(robots.contains("\nAllow: \(allowed.path)$\n"))
            let disallowRule = robots.split(separator: "\n").first { $0.hasPrefix("Disallow: /") && blocked.path.hasPrefix($0.dropFirst(10)) && $0.count > 16 }
            XCTAssertNotNil(disallowRule, "a day-wide Disallow covers \(blocked.path)")
            XCTAssertTrue(allowed.path.hasPrefix(disallowRule!.dropFirst(10)), "the Allow exception lies under the same rule")

            // Every disallowed path is really linked from a crawlable page (list pages or allowed articles).
            let lists = try crawlLists(server, try siteDefinition(site))
            var linked = Set(lists.values.flatMap { $0 })
            for article in catalog.articles where article.path != blocked.path {
                var page = try client.request("GET", article.path)
                if page.status != 200 { page = try client.request("GET", article.path) } // the 429/503-once pages
                XCTAssertEqual(page.status, 200)
                linked.formUnion(links(in: page.text, page: article.path, origin: server.origin).compactMap(\.path))
            }
            XCTAssertEqual(catalog.disallowedLinkedPaths.subtracting(linked), [])
            XCTAssertTrue(catalog.disallowedLinkedPaths.contains { $0.hasSuffix("?print=1") })
            XCTAssertTrue(catalog.disallowedLinkedPaths.contains { $0.hasSuffix(".pdf") })
            XCTAssertTrue(catalog.disallowedLinkedPaths.contains { $0.hasPrefix("/search/") })
        }
    }
}
