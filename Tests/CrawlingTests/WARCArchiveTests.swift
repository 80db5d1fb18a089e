import Corpus
@testable import Crawling
import Foundation
import Glibc
import TestSupport
import XCTest

final class WARCArchiveTests: XCTestCase {
    private func response(_ i: Int, size: Int = 2000) -> [WARCRecord] {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(size)\r\n\r\n".utf8)
        let body = (0..<size).map { UInt8(truncatingIfNeeded: ($0 * 31 + i * 7) % 251) }
        let id = WARCRecord.newRecordID()
        let url = "http://127.0.0.1/page-\(i).html"
        return [
            WARCRecord.make(type: "response", targetURI: url, date: Date(), contentType: "application/http; msgtype=response",
                            block: head + body, payloadOffset: head.count, extra: [("WARC-IP-Address", "127.0.0.1")], recordID: id),
            WARCRecord.make(type: "request", targetURI: url, date: Date(), contentType: "application/http; msgtype=request",
                            block: Array("GET /page-\(i).html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8), extra: [("WARC-Concurrent-To", id)]),
        ]
    }

    private func readAll(_ dir: String) throws -> [WARCRecord] {
        var out: [WARCRecord] = []
        for file in try FileSystem.files(under: dir, suffixes: [".warc.gz"]) {
            let r = try WARCReader(path: file)
            while let rec = try r.next() { out.append(rec) }
        }
        return out
    }

    func testRotationByteExactRecordsAndWarcio() throws {
        let dir = try TemporaryDirectory("warc-rotate")
        let archive = try WARCArchive(directory: dir.path, maxBytes: 1200, warcinfo: [("software", "ko-llama test")])
        var seq = 0
        for i in 0..<10 {
            _ = try archive.append(response(i), newFileName: { seq += 1; return String(format: "test-%03d", seq) }())
            if archive.shouldRotate { try archive.finalize() }
        }
        try archive.finalize()
        let files = try FileSystem.files(under: dir.path, suffixes: [".warc.gz"])
        XCTAssertGreaterThan(files.count, 2, "rotated by size")
        XCTAssertTrue(try FileSystem.files(under: dir.path, suffixes: [".open"]).isEmpty)
        let records = try readAll(dir.path)
        XCTAssertEqual(records.filter { $0.type == "warcinfo" }.count, files.count, "one warcinfo per file")
        XCTAssertEqual(records.filter { $0.type == "response" }.map(\.targetURI), (0..<10).map { "http://127.0.0.1/page-\($0).html" })
        let requests = records.filter { $0.type == "request" }
        XCTAssertEqual(requests.map { $0.header("WARC-Concurrent-To") }, records.filter { $0.type == "response" }.map(\.recordID))

        // The reference reader: warcio checks every record, block and payload digest.
        try PythonPeer.require("warcio")
        let out = try PythonPeer.run("""
            import sys, glob
            from warcio.archiveiterator import ArchiveIterator
            n = 0
            for path in sorted(glob.glob(sys.argv[1] + '/*.warc.gz')):
                with open(path, 'rb') as f:
                    it = ArchiveIterator(f, check_digests='raise')
                    for rec in it:
                        rec.content_stream().read()
                        n += 1
            print(n)
            """, [dir.path])
        XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), String(records.count))
    }

    func testRecoveryTruncatesAnOpenFileToItsCommittedLength() throws {
        let dir = try TemporaryDirectory("warc-recover")
        let committed: Int
        do {
            let archive = try WARCArchive(directory: dir.path, maxBytes: 1 << 30, warcinfo: [("software", "ko-llama test")])
            _ = try archive.append(response(0), newFileName: "crashed")
            committed = try archive.append(response(1), newFileName: "unused").length
            _ = try archive.append(response(2), newFileName: "unused") // written, but never committed to state
        }
        // A crash mid-record: half a gzip member at the end.
        let path = dir.path + "/crashed.warc.gz.open"
        let partial = Array(GzipCompressor.member(response(3)[0].serialized()).prefix(300))
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = partial.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        // An .open file with nothing committed at all is removed.
        try AtomicFileWriter.write([1, 2, 3], to: dir.path + "/orphan.warc.gz.open")

        let finalized = try WARCArchive.recover(directory: dir.path, committedLengths: ["crashed": committed])
        XCTAssertEqual(finalized, ["crashed"])
        XCTAssertFalse(FileSystem.exists(dir.path + "/orphan.warc.gz.open"))
        XCTAssertEqual(try FileSystem.fileSize(dir.path + "/crashed.warc.gz"), committed)
        let records = try readAll(dir.path)
        XCTAssertEqual(records.filter { $0.type == "response" }.map(\.targetURI), ["http://127.0.0.1/page-0.html", "http://127.0.0.1/page-1.html"])
    }
}
