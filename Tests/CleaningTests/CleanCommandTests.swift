import Corpus
import Foundation
import TestSupport
import XCTest

/// `ko-llama clean` as a script sees it: exit codes and the messages naming damaged shards.
final class CleanCommandTests: XCTestCase {
    private func clean(_ corpus: String) throws -> (status: Int32, stderr: String) {
        try KoLlamaExecutable.run(["clean", "--corpus", corpus, "--crawlers-dir", repositoryRoot + "/crawlers", "--quiet"])
    }

    func testExitCodesForGoodTruncatedEmptyAndMissingShards() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.writeShard(dir.path + "/docs/a.jsonl.gz", [Fixtures.document("a", Fixtures.article)])
        XCTAssertEqual(try clean(dir.path).status, 0)

        var lines: [UInt8] = []
        for i in 0..<40 { lines += try JSONLines.line(Fixtures.document("t\(i)", Fixtures.randomArticle(seed: UInt64(i) + 40)), encoder: JSONLines.makeEncoder()) }
        let member = GzipCompressor.member(lines, level: 1)
        try AtomicFileWriter.write(Array(member.prefix(member.count / 2)), to: dir.path + "/docs/b.jsonl.gz")
        let truncated = try clean(dir.path)
        XCTAssertEqual(truncated.status, 1)
        XCTAssertTrue(truncated.stderr.contains("\(dir.path)/docs/b.jsonl.gz (byte "), truncated.stderr)
        XCTAssertTrue(truncated.stderr.contains("gzip stream is truncated"), truncated.stderr)

        let empty = try TemporaryDirectory()
        try FileSystem.createDirectory(empty.path + "/docs")
        try AtomicFileWriter.write([UInt8](), to: empty.path + "/docs/c.jsonl.gz")
        let zero = try clean(empty.path)
        XCTAssertEqual(zero.status, 1)
        XCTAssertTrue(zero.stderr.contains("\(empty.path)/docs/c.jsonl.gz (byte 0): gzip stream is truncated"), zero.stderr)

        let missing = try TemporaryDirectory()
        let noDocs = try clean(missing.path)
        XCTAssertNotEqual(noDocs.status, 0)
        XCTAssertTrue(noDocs.stderr.contains("\(missing.path)/docs: no *.jsonl.gz document shards"), noDocs.stderr)
    }
}
