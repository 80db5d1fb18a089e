import Corpus
import Foundation
import TestSupport
import XCTest

/// `ko-llama extract` as a script sees it: exit codes and the messages naming damaged files.
final class ExtractCommandTests: XCTestCase {
    private func extract(_ corpus: String, _ more: String...) throws -> (status: Int32, stderr: String) {
        try KoLlamaExecutable.run(["extract", "--corpus", corpus, "--crawlers-dir", WARCFixtures.crawlersDirectory, "--quiet"] + more)
    }

    private func article() throws -> WARCRecord {
        WARCFixtures.response(url: "https://kr.news.cn/20240305/3f1d0c2e9a7b4c5d8e6f7a8b9c0d1e2f/c.html",
                              body: try WARCFixtures.fixture("xinhua-current.html"))
    }

    func testExitCodesForGoodDamagedEmptyAndMissingInput() throws {
        let dir = try TemporaryDirectory()
        try WARCFixtures.write([try article()], to: dir.path + "/raw/a.warc.gz")
        XCTAssertEqual(try extract(dir.path).status, 0)

        // A truncated WARC: records before the damage are kept; named with its byte offset;
        // exit 0 by default, 1 with --strict.
        let damaged = try TemporaryDirectory()
        let other = WARCFixtures.response(url: "http://kr.people.com.cn/n3/2024/0308/c204-20145678.html", body: try WARCFixtures.fixture("people-current.html"))
        try WARCFixtures.write([try article(), other], to: damaged.path + "/raw/b.warc.gz", truncateLastBy: 100)
        let lenient = try extract(damaged.path)
        XCTAssertEqual(lenient.status, 0)
        XCTAssertTrue(lenient.stderr.contains("damaged input: \(damaged.path)/raw/b.warc.gz (byte "), lenient.stderr)
        let strictCopy = try TemporaryDirectory()
        try FileSystem.createDirectory(strictCopy.path + "/raw")
        try FileManager.default.copyItem(atPath: damaged.path + "/raw/b.warc.gz", toPath: strictCopy.path + "/raw/b.warc.gz")
        let strict = try extract(strictCopy.path, "--strict")
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.contains("\(strictCopy.path)/raw/b.warc.gz (byte "), strict.stderr)

        // A 0-byte .warc.gz is a truncated stream, not an empty archive.
        let empty = try TemporaryDirectory()
        try FileSystem.createDirectory(empty.path + "/raw")
        try AtomicFileWriter.write([UInt8](), to: empty.path + "/raw/c.warc.gz")
        let none = try extract(empty.path)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("\(empty.path)/raw/c.warc.gz (byte 0): gzip stream is truncated"), none.stderr)

        let missing = try TemporaryDirectory()
        let noInput = try extract(missing.path)
        XCTAssertEqual(noInput.status, 1)
        XCTAssertTrue(noInput.stderr.contains("no .warc.gz files"), noInput.stderr)
    }
}
