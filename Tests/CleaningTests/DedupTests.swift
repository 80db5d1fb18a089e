import Cleaning
import Corpus
import TestSupport
import XCTest

final class DedupTests: XCTestCase {
    let policy = CleaningPolicy()

    func entry(_ text: String) -> (UInt64, [UInt32]) {
        let p = DocumentProcessor(policy: policy).process(text)
        XCTAssertNil(p.reason)
        return (p.textHash, p.signature)
    }

    func testNearDuplicateWithFewEditsCaughtDifferentArticleNot() {
        let index = DedupIndex(policy: policy)
        let (h, sig) = entry(Fixtures.article)
        index.insert(idHash: 1, textHash: h, signature: sig)
        let (eh, esig) = entry(Fixtures.editedArticle)
        XCTAssertNotEqual(eh, h)
        XCTAssertEqual(index.duplicate(textHash: eh, signature: esig), .nearDuplicate)
        let (oh, osig) = entry(Fixtures.otherArticle)
        XCTAssertNil(index.duplicate(textHash: oh, signature: osig))
        let similarity = sig.withUnsafeBufferPointer { a in esig.withUnsafeBufferPointer { MinHasher.similarity(a, $0) } }
        XCTAssertGreaterThan(similarity, 0.8)
    }

    func testExactDuplicateAfterNormalization() {
        let index = DedupIndex(policy: policy)
        let (h, sig) = entry(Fixtures.article)
        index.insert(idHash: 1, textHash: h, signature: sig)
        // Same text with different spacing and a BOM normalizes to the same bytes.
        let (h2, sig2) = entry("\u{FEFF}" + Fixtures.article.replacingOccurrences(of: "\n\n", with: " \n\n\n"))
        XCTAssertEqual(index.duplicate(textHash: h2, signature: sig2), .exactDuplicate)
    }

    func testIndexRoundTripsAndRejectsOtherSettings() throws {
        let dir = try TemporaryDirectory()
        let index = DedupIndex(policy: policy)
        let (h, sig) = entry(Fixtures.article)
        index.insert(idHash: 42, textHash: h, signature: sig)
        try index.save(to: dir.file("dedup/index.bin"))
        let loaded = try DedupIndex.load(path: dir.file("dedup/index.bin"), policy: policy)
        XCTAssertEqual(loaded.count, 1)
        XCTAssertTrue(loaded.containsID(42))
        let (eh, esig) = entry(Fixtures.editedArticle)
        XCTAssertEqual(loaded.duplicate(textHash: eh, signature: esig), .nearDuplicate)
        var other = policy
        other.minHashBands = 32
        other.minHashRows = 4
        XCTAssertThrowsError(try DedupIndex.load(path: dir.file("dedup/index.bin"), policy: other))
        try AtomicFileWriter.write(Array("KLDEDUP1".utf8) + [UInt8](repeating: 0, count: 60), to: dir.file("bad.bin"))
        XCTAssertThrowsError(try DedupIndex.load(path: dir.file("bad.bin"), policy: policy)) { error in
            XCTAssertTrue("\(error)".contains("bad.bin"))
        }
    }
}
