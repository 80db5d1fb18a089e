import Corpus
import Foundation
import Replica
import TestSupport
import XCTest

/// Loading crawlers/replica/articles.jsonl.gz and the errors for a bad file.
final class ReplicaCorpusTests: ReplicaTestCase {
    func testRepositoryCorpusHoldsBothSites() throws {
        let corpus = try ReplicaCorpus.load(Self.corpusFile)
        for site in ReplicaSite.allCases {
            let entries = try XCTUnwrap(corpus.entries[site])
            XCTAssertEqual(entries.count, 200)
            XCTAssertTrue(entries.allSatisfy { (3...10).contains($0.paragraphs.count) && !$0.title.isEmpty })
        }
        XCTAssertLessThan(try FileSystem.fileSize(Self.corpusFile), 2 << 20)
    }

    func testBadLinesAreTypedErrorsNamingFileAndLine() throws {
        let dir = try TemporaryDirectory()
        let good = #"{"site":"xinhua-ko","title":"제목","paragraphs":["하나","둘","셋"]}"#
        let cases = [
            (good + "\n{not json\n", ":2", "invalid replica corpus"),
            (#"{"site":"kbs-ko","title":"제목","paragraphs":["하나","둘","셋"]}"# + "\n", ":1", "unknown site \"kbs-ko\""),
            (#"{"site":"people-ko","title":"제목","paragraphs":["하나"]}"# + "\n", ":1", "at least 3 paragraphs"),
            (good + "\n", "", "xinhua-ko has 1 articles, needs 40"),
        ]
        for (i, (content, position, message)) in cases.enumerated() {
            let path = dir.file("bad\(i).jsonl.gz")
            try AtomicFileWriter.write(GzipCompressor.member(Array(content.utf8)), to: path)
            XCTAssertThrowsError(try ReplicaCorpus.load(path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + position), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
