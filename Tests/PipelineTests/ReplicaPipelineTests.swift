import Cleaning
import Corpus
import Crawling
import Extraction
import Foundation
import Replica
import TestSupport
import XCTest

/// The stages together on the loopback replica: crawl both sites, extract the archive, measure
/// extraction against the replica's ground truth (title, date, clean paragraphs), clean the
/// documents, and load docs and splits with Hugging Face `datasets`.
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
            try cleanAndCheck(corpus: dir.path, docs: docs)
            print("pipeline \(site.rawValue): \(expected.count) articles, mean body F1 \(String(format: "%.4f", mean)), min \(String(format: "%.4f", f1s.min() ?? 0)), titles \(titles)/\(expected.count), dates \(dates)/\(expected.count)")
        }
    }

    /// Cleans the extracted corpus and checks the splits, manifest and report against the
    /// documents: reserved documents (People's Daily rights line) excluded, every input counted
    /// once, and the files readable by `datasets.load_dataset("json", ...)`.
    func cleanAndCheck(corpus: String, docs: [Document]) throws {
        var options = CorpusCleaner.Options(corpus: corpus)
        options.crawlersDirectory = repositoryRoot + "/crawlers"
        let outcome = try CorpusCleaner(options: options).run()
        let run = outcome.run
        let reserved = Set(docs.filter(RightsReservation.isReserved).map(\.id))
        XCTAssertEqual(run.inputDocuments, docs.count)
        XCTAssertEqual(run.filtered["rights_reserved"] ?? 0, reserved.count)
        XCTAssertEqual(run.kept + run.filtered.values.reduce(0, +), run.inputDocuments, "every input counted once")
        XCTAssertTrue(run.inputErrors.isEmpty && run.skippedLines == 0)
        if reserved.count < docs.count { XCTAssertGreaterThan(run.kept, 0) }

        let manifest = try CleanManifest.load(path: outcome.manifestPath)
        let splits = try Dictionary(uniqueKeysWithValues: Split.allCases.map { split in
            (split, try (manifest.splits[split.rawValue]?.shards ?? []).flatMap { shard -> [Document] in
                let reader = try DocumentShardReader(path: corpus + "/clean/" + shard.path)
                var out: [Document] = []
                while let d = try reader.next() { out.append(d) }
                XCTAssertEqual(out.count, shard.documents)
                return out
            })
        })
        let kept = splits.values.flatMap { $0 }
        XCTAssertEqual(kept.count, run.kept)
        for split in Split.allCases {
            XCTAssertEqual(manifest.splits[split.rawValue]?.documents ?? 0, splits[split]!.count)
            XCTAssertEqual(run.perSplit[split.rawValue] ?? 0, splits[split]!.count)
        }
        XCTAssertTrue(kept.allSatisfy { !reserved.contains($0.id) }, "no reserved document in the splits")
        XCTAssertEqual(Set(kept.map(\.id)).count, kept.count)
        XCTAssertEqual(manifest.indexedDocuments, kept.count)
        for (source, counts) in run.perSource {
            XCTAssertEqual(counts.input, docs.filter { $0.source == source }.count, source)
            XCTAssertEqual(counts.reservedExcluded, docs.filter { $0.source == source && reserved.contains($0.id) }.count, source)
        }
        let report = String(decoding: try FileSystem.readAll(corpus + "/clean/report.md"), as: UTF8.self)
        XCTAssertTrue(report.contains("| train | \(splits[.train]!.count) |"), report)
        if !reserved.isEmpty { XCTAssertTrue(report.contains("| rights_reserved | \(reserved.count) |"), report) }

        try PythonPeer.require("datasets")
        let cache = try TemporaryDirectory("hf-cache")
        // scripts/check-datasets.py, offline, with a throwaway cache.
        let script = """
        import os, runpy, sys
        path, corpus, cache = sys.argv[1:4]
        os.environ.update(HF_DATASETS_OFFLINE="1", HF_HOME=cache, HF_DATASETS_CACHE=cache + "/datasets")
        sys.argv = [path, corpus]
        runpy.run_path(path, run_name="__main__")
        """
        let rows = try PythonPeer.run(script, [repositoryRoot + "/scripts/check-datasets.py", corpus, cache.path])
        var expected = "docs \(docs.count)\n"
        for split in Split.allCases where !splits[split]!.isEmpty { expected += "\(split.rawValue) \(splits[split]!.count)\n" }
        XCTAssertEqual(rows, expected)
    }
}
