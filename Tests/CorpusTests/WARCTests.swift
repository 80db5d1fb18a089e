import XCTest
@testable import Corpus

final class WARCTests: XCTestCase {
    func testRecordsRoundTripThroughGzipMembers() throws {
        let dir = NSTemporaryDirectory() + "warc-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let body = Array("<html><body>안녕하세요</body></html>".utf8)
        let http = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".utf8) + body
        let rec = WARCRecord.make(type: "response", targetURI: "http://127.0.0.1:8080/a.html", date: Date(timeIntervalSince1970: 1_700_000_000),
                                  contentType: "application/http;msgtype=response", block: http,
                                  payloadOffset: http.count - body.count)
        XCTAssertEqual(rec.header("WARC-Date"), "2023-11-14T22:13:20Z")
        XCTAssertEqual(rec.header("WARC-Payload-Digest"), "sha1:" + DigestEncoding.base32(SHA1.hash(body)))
        let path = dir + "/x.warc.gz"
        try AtomicFileWriter.write(GzipCompressor.member(rec.serialized()) + GzipCompressor.member(rec.serialized()), to: path)
        let r = try WARCReader(path: path)
        let a = try XCTUnwrap(r.next())
        XCTAssertEqual(r.recordOffset, 0)
        let b = try XCTUnwrap(r.next())
        XCTAssertGreaterThan(r.recordOffset, 0)
        XCTAssertNil(try r.next())
        XCTAssertEqual(a, rec)
        XCTAssertEqual(b.block, http)
        let msg = try XCTUnwrap(HTTPMessage.parse(a.block))
        XCTAssertEqual(msg.statusCode, 200)
        XCTAssertEqual(msg.header("content-type"), "text/html; charset=utf-8")
        XCTAssertEqual(Array(a.block[msg.bodyOffset...]), body)
    }
}
