import Corpus
@testable import Extraction
import TestSupport
import XCTest

/// `ko-llama extract` end to end on WARC files built like the crawler's.
final class CorpusExtractorTests: XCTestCase {
    private var matcher: SiteMatcher!

    override func setUpWithError() throws {
        matcher = try SiteMatcher(sites: SiteMatcher.loadDefinitions(directory: WARCFixtures.crawlersDirectory))
    }

    private func run(_ corpus: String, configure: (inout ExtractionConfiguration) -> Void = { _ in }) throws -> ExtractionSummary {
        var configuration = ExtractionConfiguration(corpus: corpus)
        configuration.batchSize = 3
        configure(&configuration)
        return try CorpusExtractor(configuration: configuration, matcher: matcher).run()
    }

    private func documents(_ corpus: String) throws -> [Document] {
        var out: [Document] = []
        for shard in try FileSystem.files(under: corpus + "/docs", suffixes: [".jsonl.gz"]) {
            let reader = try DocumentShardReader(path: shard)
            while let d = try reader.next() { out.append(d) }
        }
        return out
    }

    private let xinhuaURL = "https://kr.news.cn/20240305/3f1d0c2e9a7b4c5d8e6f7a8b9c0d1e2f/c.html"
    private let peopleURL = "http://kr.people.com.cn/n3/2024/0308/c204-20145678.html"

    private func mixedRecords() throws -> [WARCRecord] {
        [
            WARCFixtures.request(url: xinhuaURL),
            WARCFixtures.response(url: xinhuaURL, body: try WARCFixtures.fixture("xinhua-current.html"), headers: [("X-Robots-Tag", "noai, noimageai")]),
            WARCFixtures.response(url: "https://kr.news.cn/robots.txt", body: Array("User-agent: *\n".utf8), contentType: "text/plain"),
            WARCFixtures.response(url: "https://kr.news.cn/economy/index.html", body: Array("<html><body><a href='/x'>x</a></body></html>".utf8)),
            WARCFixtures.response(url: "https://kr.news.cn/gone.html", body: Array("<html>gone</html>".utf8), status: 404),
            WARCFixtures.response(url: peopleURL, body: try WARCFixtures.fixture("people-current.html")),
            WARCFixtures.response(url: "http://kr.people.com.cn/n3/2024/0311/c206-20146001.html", body: try WARCFixtures.fixture("people-cp949.html"),
                                  contentType: "text/html; charset=euc-kr"),
            WARCFixtures.response(url: "https://blog.example.org/2024/02/20/library-alley.html", body: try WARCFixtures.fixture("unknown-blog.html")),
        ]
    }

    func testExtractsDocumentsWithMetadataAndCountsSkips() throws {
        let dir = try TemporaryDirectory()
        try WARCFixtures.write(try mixedRecords(), to: dir.path + "/raw/crawl-0001.warc.gz")
        let summary = try run(dir.path)
        XCTAssertEqual(summary.records, 8)
        XCTAssertEqual(summary.documents, 4)
        XCTAssertEqual(summary.genericDocuments, 1)
        XCTAssertEqual(summary.skipped, ["not_response": 1, "not_html": 1, "list_page": 1, "http_404": 1])
        XCTAssertTrue(summary.line.contains("4 documents"), summary.line)

        let docs = try documents(dir.path)
        XCTAssertEqual(docs.map(\.source), ["xinhua-ko", "people-ko", "people-ko", "blog.example.org"])
        let xinhua = docs[0]
        XCTAssertEqual(xinhua.id, ArticleAssembler.documentID(source: "xinhua-ko", key: "/20240305/3f1d0c2e9a7b4c5d8e6f7a8b9c0d1e2f/c.html"))
        XCTAssertEqual(xinhua.id.count, 32)
        XCTAssertEqual(xinhua.created, "2024-03-05")
        XCTAssertEqual(xinhua.added, "2024-03-09T16:00:00Z")
        XCTAssertEqual(xinhua.url, xinhuaURL)
        XCTAssertEqual(xinhua.metadata["title"], .string("中 정부업무보고, 올해 경제성장률 목표 5% 안팎 제시"))
        XCTAssertEqual(xinhua.metadata["extractor"], .string("rules:xinhua-ko"))
        XCTAssertEqual(xinhua.metadata["opt_out"], .array([.string("x-robots-tag: noai, noimageai")]))
        XCTAssertEqual(xinhua.metadata["warc_file"], .string(dir.path + "/raw/crawl-0001.warc.gz"))
        XCTAssertNotNil(xinhua.metadata["warc_record_id"]?.stringValue)
        let expected = try JSONDecoder().decode(ExtractionExpectation.self, from: Data(WARCFixtures.fixture("xinhua-current.expected.json")))
        XCTAssertEqual(xinhua.text, expected.paragraphs.joined(separator: "\n\n"))
        XCTAssertEqual(docs[1].metadata["rights_notice"], .string("무단 전재-재배포, AI 학습 및 활용 금지"))
        XCTAssertEqual(docs[2].metadata["charset"], .string("windows-949"))
        XCTAssertTrue(docs[2].text.contains("똠방각하"))
        XCTAssertEqual(docs[3].metadata["extractor"], .string("generic"))
    }

    func testInvalidByteSequencesAreCountedInTheSummaryAndTheDocument() throws {
        let dir = try TemporaryDirectory()
        var body = try WARCFixtures.fixture("xinhua-current.html")
        let paragraph = Array("<p>(베이징=신화사)".utf8)
        let at = try XCTUnwrap((0...(body.count - paragraph.count)).first { Array(body[$0..<($0 + paragraph.count)]) == paragraph })
        body.insert(contentsOf: [0xFF, 0xFE, 0x20], at: at + paragraph.count)
        try WARCFixtures.write([WARCFixtures.response(url: xinhuaURL, body: body),
                                WARCFixtures.response(url: peopleURL, body: try WARCFixtures.fixture("people-current.html"))],
                               to: dir.path + "/raw/a.warc.gz")
        let summary = try run(dir.path)
        XCTAssertEqual(summary.invalidSequences, 2)
        XCTAssertEqual(summary.pagesWithInvalidSequences, 1)
        let docs = try documents(dir.path)
        XCTAssertEqual(docs.count, 2, "a page with invalid bytes is kept, not dropped")
        let damaged = try XCTUnwrap(docs.first { $0.url == xinhuaURL })
        XCTAssertEqual(damaged.metadata["invalid_sequences"], .number(2))
        XCTAssertTrue(damaged.text.contains("\u{FFFD}"), damaged.text)
        XCTAssertEqual(docs.first { $0.url == peopleURL }?.metadata["invalid_sequences"], .number(0))
    }

    func testTruncatedResponseBodyIsSkippedNotExtracted() throws {
        let dir = try TemporaryDirectory()
        let html = try WARCFixtures.fixture("people-current.html")
        var record = WARCFixtures.response(url: peopleURL, body: Array(html.prefix(html.count / 2)))
        // Announce the full length, as the replica's truncated page does before it hangs up.
        let block = String(decoding: record.block, as: UTF8.self)
            .replacingOccurrences(of: "Content-Length: \(html.count / 2)\r\n", with: "Content-Length: \(html.count)\r\n")
        record = WARCRecord.make(type: "response", targetURI: peopleURL, date: WARCFixtures.fetchDate,
                                 contentType: "application/http;msgtype=response", block: Array(block.utf8))
        try WARCFixtures.write([record], to: dir.path + "/raw/t.warc.gz")
        let summary = try run(dir.path)
        XCTAssertEqual(summary.documents, 0)
        XCTAssertEqual(summary.skipped, ["truncated_body": 1])
    }

    func testMultiPageArticleJoinsAcrossTwoWARCFilesOutOfOrder() throws {
        let dir = try TemporaryDirectory()
        let base = "http://kr.xinhuanet.com/2015-06/12/c_134321"
        try WARCFixtures.write([WARCFixtures.response(url: base + "_2.htm", body: try WARCFixtures.fixture("xinhua-legacy-multipage_2.html"))],
                               to: dir.path + "/raw/a.warc.gz")
        try WARCFixtures.write([WARCFixtures.response(url: peopleURL, body: try WARCFixtures.fixture("people-current.html")),
                                WARCFixtures.response(url: base + ".htm", body: try WARCFixtures.fixture("xinhua-legacy-multipage.html"))],
                               to: dir.path + "/raw/b.warc.gz")
        let summary = try run(dir.path)
        XCTAssertEqual(summary.documents, 2)
        XCTAssertEqual(summary.incompleteArticles, 0)
        let docs = try documents(dir.path)
        let article = try XCTUnwrap(docs.first { $0.source == "xinhua-ko" })
        let expected = try JSONDecoder().decode(ExtractionExpectation.self, from: Data(WARCFixtures.fixture("xinhua-legacy-multipage.expected.json")))
        XCTAssertEqual(article.text, expected.paragraphs.joined(separator: "\n\n"))
        XCTAssertEqual(article.url, base + ".htm")
        XCTAssertEqual(article.created, "2015-06-12")
        XCTAssertEqual(article.metadata["pages"], .number(2))
        XCTAssertEqual(article.id, ArticleAssembler.documentID(source: "xinhua-ko", key: "2015-06/12/c_134321"))
    }

    func testMultiPageArticleFetchedAcrossTwoRunsBecomesOneCompleteDocument() throws {
        let dir = try TemporaryDirectory()
        let base = "http://kr.xinhuanet.com/2015-06/12/c_134321"
        try WARCFixtures.write([WARCFixtures.response(url: base + ".htm", body: try WARCFixtures.fixture("xinhua-legacy-multipage.html"))],
                               to: dir.path + "/raw/a.warc.gz")
        let first = try run(dir.path)
        XCTAssertEqual(first.documents, 0)
        XCTAssertEqual(first.pendingArticles, 1)
        try WARCFixtures.write([WARCFixtures.response(url: base + "_2.htm", body: try WARCFixtures.fixture("xinhua-legacy-multipage_2.html"))],
                               to: dir.path + "/raw/b.warc.gz")
        let second = try run(dir.path)
        XCTAssertEqual(second.documents, 1)
        XCTAssertEqual(second.pendingArticles, 0)
        let docs = try documents(dir.path)
        XCTAssertEqual(docs.count, 1)
        let expected = try JSONDecoder().decode(ExtractionExpectation.self, from: Data(WARCFixtures.fixture("xinhua-legacy-multipage.expected.json")))
        XCTAssertEqual(docs[0].text, expected.paragraphs.joined(separator: "\n\n"))
        XCTAssertNil(docs[0].metadata["missing_pages"])
        XCTAssertEqual(docs[0].metadata["warc_file"], .string(dir.path + "/raw/a.warc.gz"))
        XCTAssertEqual(docs[0].metadata["page_urls"], .array([.string(base + ".htm"), .string(base + "_2.htm")]))
    }

    func testMissingContinuationPageIsWrittenAsIncompleteAfterTheLimitOrWhenFlushed() throws {
        let dir = try TemporaryDirectory()
        try WARCFixtures.write([WARCFixtures.response(url: "http://kr.xinhuanet.com/2015-06/12/c_134321.htm",
                                                      body: try WARCFixtures.fixture("xinhua-legacy-multipage.html"))],
                               to: dir.path + "/raw/a.warc.gz")
        XCTAssertEqual(try run(dir.path).pendingArticles, 1)
        XCTAssertEqual(try run(dir.path).pendingArticles, 1)
        let third = try run(dir.path)
        XCTAssertEqual(third.incompleteArticles, 1, "written in the third run that saw it waiting")
        XCTAssertEqual(third.pendingArticles, 0)
        XCTAssertEqual(try documents(dir.path).map(\.metadata["missing_pages"]), [.array([.number(2)])])
        XCTAssertEqual(try run(dir.path).documents, 0, "written once")

        let flushed = try TemporaryDirectory()
        try FileSystem.createDirectory(flushed.path + "/raw")
        try FileManager.default.copyItem(atPath: dir.path + "/raw/a.warc.gz", toPath: flushed.path + "/raw/a.warc.gz")
        XCTAssertEqual(try run(flushed.path) { $0.flushIncomplete = true }.incompleteArticles, 1)
    }

    func testTruncatedWARCKeepsRecordsBeforeTheDamageAndNamesFileAndOffset() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/raw/broken.warc.gz"
        try WARCFixtures.write(try mixedRecords(), to: path, truncateLastBy: 200)
        let summary = try run(dir.path)
        XCTAssertEqual(summary.damagedFiles.count, 1)
        XCTAssertTrue(summary.damagedFiles[0].contains(path), summary.damagedFiles[0])
        XCTAssertTrue(summary.damagedFiles[0].contains("byte"), summary.damagedFiles[0])
        XCTAssertEqual(summary.documents, 3, "the three articles before the damaged last record")
        XCTAssertTrue(summary.line.contains("damaged files: 1"))
        let strictDir = try TemporaryDirectory()
        try WARCFixtures.write(try mixedRecords(), to: strictDir.path + "/raw/broken.warc.gz", truncateLastBy: 200)
        XCTAssertThrowsError(try run(strictDir.path) { $0.strict = true }) { error in
            XCTAssertTrue("\(error)".contains(strictDir.path + "/raw/broken.warc.gz"))
        }
        XCTAssertEqual(try documents(strictDir.path).count, 3, "documents written before --strict fails are kept")
        XCTAssertEqual(try run(strictDir.path).documents, 0, "and recorded in the state, so not written twice")
    }

    func testNothingReadableIsAnError() throws {
        let dir = try TemporaryDirectory()
        try FileSystem.createDirectory(dir.path + "/raw")
        try AtomicFileWriter.write(Array(GzipCompressor.member(Array("not a warc\r\n\r\n".utf8))), to: dir.path + "/raw/junk.warc.gz")
        XCTAssertThrowsError(try run(dir.path)) { error in
            XCTAssertTrue("\(error)".contains("junk.warc.gz"), "\(error)")
        }
    }

    func testRerunIsIdempotentAndNewWARCFilesMakeNewShards() throws {
        let dir = try TemporaryDirectory()
        try WARCFixtures.write(try mixedRecords(), to: dir.path + "/raw/crawl-0001.warc.gz")
        XCTAssertEqual(try run(dir.path).documents, 4)
        let first = try FileSystem.files(under: dir.path + "/docs", suffixes: [".jsonl.gz"])
        let again = try run(dir.path)
        XCTAssertEqual(again.documents, 0)
        XCTAssertEqual(again.filesAlreadyDone, 1)
        XCTAssertEqual(try FileSystem.files(under: dir.path + "/docs", suffixes: [".jsonl.gz"]), first)

        try WARCFixtures.write([WARCFixtures.response(url: "https://kr.news.cn/20240412/0a1b2c3d4e5f60718293a4b5c6d7e8f9/c.html",
                                                      body: try WARCFixtures.fixture("xinhua-current-world.html"))],
                               to: dir.path + "/raw/crawl-0002.warc.gz")
        XCTAssertEqual(try run(dir.path).documents, 1)
        let docs = try documents(dir.path)
        XCTAssertEqual(docs.count, 5)
        XCTAssertEqual(Set(docs.map(\.id)).count, 5)
        XCTAssertEqual(try FileSystem.files(under: dir.path + "/docs", suffixes: [".jsonl.gz"]).count, 2)
    }

    func testRecordsAlreadyHandledInADamagedFileAreNotWrittenAgain() throws {
        let dir = try TemporaryDirectory()
        let records = try mixedRecords()
        let path = dir.path + "/raw/c.warc.gz"
        try WARCFixtures.write(records, to: path, truncateLastBy: 200)
        XCTAssertEqual(try run(dir.path).documents, 3)
        // The crawler later rewrites the file in full: only the last record is new.
        try WARCFixtures.write(records, to: path)
        let second = try run(dir.path)
        XCTAssertEqual(second.documents, 1)
        XCTAssertEqual(second.skipped["already_extracted"], 6, "the six responses before the damage")
    }

    func testShardOptionsPartitionInputFilesStablyAndOutputRotates() throws {
        let dir = try TemporaryDirectory()
        let records = try mixedRecords()
        // File names chosen so the two land on different workers.
        let names = (0..<64).map { "part-\($0).warc.gz" }
        let first = try XCTUnwrap(names.first { CorpusExtractor.worker(ofFile: dir.path + "/raw/" + $0, corpus: dir.path, count: 2) == 0 })
        let second = try XCTUnwrap(names.first { CorpusExtractor.worker(ofFile: dir.path + "/raw/" + $0, corpus: dir.path, count: 2) == 1 })
        try WARCFixtures.write(Array(records[0...4]), to: dir.path + "/raw/" + first)
        try WARCFixtures.write(Array(records[5...]), to: dir.path + "/raw/" + second)
        let zero = try run(dir.path) { $0.shardCount = 2; $0.shardIndex = 0; $0.documentsPerShard = 1 }
        let one = try run(dir.path) { $0.shardCount = 2; $0.shardIndex = 1; $0.documentsPerShard = 2 }
        XCTAssertEqual(zero.documents, 1)
        XCTAssertEqual(one.documents, 3)
        XCTAssertEqual(one.shards.map(\.documents), [2, 1])
        XCTAssertEqual(try documents(dir.path).count, 4)
        XCTAssertTrue(FileSystem.exists(dir.path + "/docs/extract-state-s1of2.json"))

        // New files, whatever their names sort between, never move a file to another worker.
        var configuration = ExtractionConfiguration(corpus: dir.path)
        configuration.shardCount = 2
        for name in names where name != first && name != second {
            try WARCFixtures.write(Array(records[0...1]), to: dir.path + "/raw/" + name)
        }
        configuration.shardIndex = 0
        let workerZero = try CorpusExtractor(configuration: configuration, matcher: matcher).inputFiles()
        configuration.shardIndex = 1
        let workerOne = try CorpusExtractor(configuration: configuration, matcher: matcher).inputFiles()
        XCTAssertTrue(workerZero.contains(dir.path + "/raw/" + first) && workerOne.contains(dir.path + "/raw/" + second))
        XCTAssertTrue(Set(workerZero).isDisjoint(with: workerOne))
        XCTAssertEqual(workerZero.count + workerOne.count, names.count)
    }

    func testInputOptionReadsPlainWARCAndChunkedResponses() throws {
        let dir = try TemporaryDirectory()
        let html = try WARCFixtures.fixture("people-current.html")
        var chunked: [UInt8] = []
        for start in stride(from: 0, to: html.count, by: 1000) {
            let chunk = html[start..<min(start + 1000, html.count)]
            chunked += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + [0x0D, 0x0A]
        }
        chunked += Array("0\r\n\r\n".utf8)
        let record = WARCFixtures.response(url: peopleURL, body: chunked, headers: [("Transfer-Encoding", "chunked")])
        let plain = dir.path + "/other-crawler/capture.warc"
        try AtomicFileWriter.write(record.serialized(), to: plain)
        let summary = try run(dir.path + "/corpus") { $0.inputs = [dir.path + "/other-crawler"] }
        XCTAssertEqual(summary.documents, 1)
        let doc = try XCTUnwrap(try documents(dir.path + "/corpus").first)
        XCTAssertTrue(doc.text.hasPrefix("중국 해관총서"))
        XCTAssertEqual(doc.metadata["warc_file"], .string(plain))
    }

    func testOutputIsDeterministicAcrossRuns() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        let records = try mixedRecords()
        try WARCFixtures.write(records, to: a.path + "/raw/x.warc.gz")
        try WARCFixtures.write(records, to: b.path + "/raw/x.warc.gz")
        _ = try run(a.path) { $0.batchSize = 64 }
        _ = try run(b.path) { $0.batchSize = 2 }
        let strip: (Document) -> Document = { var d = $0; d.metadata["warc_file"] = nil; return d }
        XCTAssertEqual(try documents(a.path).map(strip), try documents(b.path).map(strip))
    }

    func testPythonReadsTheShardsWithJSONAndGzip() throws {
        try PythonPeer.require("json", "gzip")
        let dir = try TemporaryDirectory()
        try WARCFixtures.write(try mixedRecords(), to: dir.path + "/raw/crawl.warc.gz")
        _ = try run(dir.path)
        let script = """
        import glob, gzip, json, sys
        rows = []
        for path in sorted(glob.glob(sys.argv[1] + "/docs/*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                rows += [json.loads(line) for line in f if line.strip()]
        keys = {"id", "text", "source", "url", "created", "added", "metadata"}
        assert all(set(r) == keys for r in rows), rows[0].keys()
        print(len(rows), rows[0]["source"], rows[0]["metadata"]["extractor"], "똠방각하" in rows[2]["text"])
        """
        XCTAssertEqual(try PythonPeer.run(script, [dir.path]).trimmingCharacters(in: .whitespacesAndNewlines), "4 xinhua-ko rules:xinhua-ko True")
    }
}
