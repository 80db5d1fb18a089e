import XCTest
@testable import Corpus

final class GzipTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "corpus-tests-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testMultiMemberRoundTripReadsEveryLine() throws {
        let path = dir + "/a.gz"
        var bytes: [UInt8] = []
        for m in 0..<3 {
            let text = (0..<1000).map { "member \(m) line \($0) 한국어 문장" }.joined(separator: "\n") + "\n"
            bytes += GzipCompressor.member(Array(text.utf8))
        }
        try AtomicFileWriter.write(bytes, to: path)
        let r = try ByteReader(path: path)
        XCTAssertTrue(r.isGzip)
        var lines: [String] = []
        while let l = try r.readLine() { lines.append(String(decoding: l, as: UTF8.self)) }
        XCTAssertEqual(lines.count, 3000)
        XCTAssertEqual(lines[1500], "member 1 line 500 한국어 문장")
        XCTAssertEqual(r.lineNumber, 3000)
    }

    func testEmptyOrPlainFileNamedGzIsAnErrorNotAnEmptyInput() throws {
        try AtomicFileWriter.write([UInt8](), to: dir + "/empty.jsonl.gz")
        XCTAssertThrowsError(try DocumentShardReader(path: dir + "/empty.jsonl.gz").next()) { error in
            XCTAssertEqual(error as? CorpusError, .truncatedGzip(InputPosition(path: dir + "/empty.jsonl.gz", offset: 0)))
            XCTAssertEqual("\(error)", "\(dir!)/empty.jsonl.gz (byte 0): gzip stream is truncated")
        }
        try AtomicFileWriter.write("{}\n", to: dir + "/plain.warc.gz")
        XCTAssertThrowsError(try ByteReader(path: dir + "/plain.warc.gz").readLine()) { error in
            guard case CorpusError.corruptGzip = error else { return XCTFail("\(error)") }
        }
        // Without a .gz name, an empty file is simply empty.
        try AtomicFileWriter.write([UInt8](), to: dir + "/empty.jsonl")
        XCTAssertNil(try DocumentShardReader(path: dir + "/empty.jsonl").next())
    }

    func testTruncatedGzipNamesFileAndOffset() throws {
        let path = dir + "/t.jsonl.gz"
        let text = String(repeating: "가나다라마바사 아자차카타파하\n", count: 20000)
        let full = GzipCompressor.member(Array(text.utf8))
        try AtomicFileWriter.write(Array(full[0..<(full.count / 2)]), to: path)
        let r = try ByteReader(path: path)
        XCTAssertThrowsError(try { while try r.readLine() != nil {} }()) { error in
            guard case let CorpusError.truncatedGzip(pos) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(pos.path, path)
            XCTAssertNotNil(pos.offset)
            XCTAssertTrue("\(error)".contains("t.jsonl.gz"))
        }
    }

    func testCorruptGzipIsReported() throws {
        let path = dir + "/c.gz"
        var bytes = GzipCompressor.member(Array(String(repeating: "abc 한국\n", count: 5000).utf8))
        for i in 20..<60 { bytes[i] ^= 0x5A }
        try AtomicFileWriter.write(bytes, to: path)
        let r = try ByteReader(path: path)
        XCTAssertThrowsError(try { while try r.readLine() != nil {} }())
    }

    func testPlainFileAndCRLFAndMissingFinalNewline() throws {
        let path = dir + "/p.txt"
        try AtomicFileWriter.write("one\r\ntwo\n\nthree", to: path)
        let r = try ByteReader(path: path)
        XCTAssertFalse(r.isGzip)
        var lines: [String] = []
        while let l = try r.readLine() { lines.append(String(decoding: l, as: UTF8.self)) }
        XCTAssertEqual(lines, ["one", "two", "", "three"])
    }

    func testGiantLineIsRejectedNotLoaded() throws {
        let path = dir + "/g.txt"
        try AtomicFileWriter.write(String(repeating: "가", count: 100_000), to: path)
        let r = try ByteReader(path: path)
        XCTAssertThrowsError(try r.readLine(maxLength: 10_000)) { error in
            guard case CorpusError.lineTooLong = error else { return XCTFail("\(error)") }
        }
    }

    func testAtomicWriterLeavesNothingWithoutCommit() throws {
        let path = dir + "/x.bin"
        try AtomicFileWriter.write("old", to: path)
        do {
            let w = try AtomicFileWriter(path: path)
            try w.write("new content")
        }
        XCTAssertEqual(String(decoding: try FileSystem.readAll(path), as: UTF8.self), "old")
        XCTAssertEqual(try FileSystem.listDirectory(dir), ["x.bin"])
    }
}
