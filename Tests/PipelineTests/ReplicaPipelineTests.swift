import Corpus
import Crawling
import Extraction
import Foundation
import Replica
import TestSupport
import XCTest

/// The stages together on the loopback replica: crawl both sites, extract the archive, and
/// measure extraction against the replica's ground truth (title, date, clean paragraphs).
final class ReplicaPipelineTests: XCTestCase {
    func crawlAndExtract(_ site: ReplicaSite, corpus: String) throws -> (ReplicaCatalog, [Document]) {
        let server = try ReplicaServer(site: site, options: ReplicaOptions(initialArticles: 30, crawlDelay: 0.002, slowResponseSeconds: 0.2, retryAfterSeconds: 1))
        try server.start()
        defer { server.stop() }
        var options = CrawlOptions(corpus: corpus)
        options.originOverride = server.origin
        options.delay = 0.001
        options.backoff = 0.05
        let definition = try SiteDefinition.load(site.rawValue, crawlersDirectory: repositoryRoot + "/crawlers")
        _ = try Crawler(site: definition, options: options).run()

        let sites = try ["xinhua-ko", "people-ko"].map { try SiteDefinition.load($0, crawlersDirectory: repositoryRoot + "/crawlers") }
        let summary = try CorpusExtractor(configuration: ExtractionConfiguration(corpus: corpus), matcher: SiteMatcher(sites: sites)).run()
        XCTAssertTrue(summary.damagedFiles.isEmpty)
        var docs: [Document] = []
        for shard in try FileSystem.files(under: corpus + "/docs", suffixes: [".jsonl.gz"]) {
            let r = try DocumentShardReader(path: shard)
            while let d = try r.next() { docs.append(d) }
        }
        return (server.catalog, docs)
    }

    func testExtractionMatchesTheReplicaGroundTruthOnBothSites() throws {
        for site in ReplicaSite.allCases {
            let dir = try TemporaryDirectory("pipeline-\(site.rawValue)")
            let (catalog, docs) = try crawlAndExtract(site, corpus: dir.path)
            let byPath = Dictionary(docs.compactMap { d in d.url.flatMap { URL(string: $0) }.map { ($0.path, d) } }, uniquingKeysWith: { a, _ in a })
            let expected = catalog.articles.filter { catalog.expectedArchivedPaths.contains($0.path) }
            XCTAssertGreaterThan(expected.count, 20)
            var f1s: [Double] = []
            var titles = 0, dates = 0
            for article in expected {
                guard let doc = byPath[article.path] else {
                    XCTFail("\(site.rawValue): no document for \(article.path)")
                    continue
                }
                XCTAssertEqual(doc.source, site.rawValue)
                let scores = ExtractionEvaluator.tokenScores(extracted: doc.text, expected: article.paragraphs.joined(separator: "\n\n"))
                f1s.append(scores.f1)
                if doc.metadata["title"]?.stringValue == article.title { titles += 1 }
                if doc.created == article.date { dates += 1 }
                if article.rightsNotice != nil {
                    XCTAssertNotNil(doc.metadata["rights_notice"]?.stringValue, "\(article.path): rights line recorded")
                }
            }
            let mean = f1s.reduce(0, +) / Double(max(1, f1s.count))
            XCTAssertGreaterThanOrEqual(mean, 0.95, "\(site.rawValue): mean body F1 \(mean)")
            XCTAssertGreaterThanOrEqual(f1s.min() ?? 0, 0.9, "\(site.rawValue): worst page F1")
            XCTAssertEqual(titles, expected.count, "\(site.rawValue): titles")
            XCTAssertEqual(dates, expected.count, "\(site.rawValue): dates")
            print("pipeline \(site.rawValue): \(expected.count) articles, mean body F1 \(String(format: "%.4f", mean)), min \(String(format: "%.4f", f1s.min() ?? 0)), titles \(titles)/\(expected.count), dates \(dates)/\(expected.count)")
        }
    }
}
