import Corpus
import Foundation
import TestSupport

/// Builds WARC inputs for the extraction tests the way the crawler writes them: one gzip member
/// per record, HTTP response blocks with a payload digest.
enum WARCFixtures {
    static let fetchDate = Date(timeIntervalSince1970: 1_710_000_000) // 2024-03-09T16:00:00Z

    static func response(url: String, body: [UInt8], status: Int = 200, contentType: String? = "text/html; charset=utf-8",
                         headers: [(String, String)] = [], site: String? = nil, recordID: String = WARCRecord.newRecordID()) -> WARCRecord {
        var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Other")\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let block = Array(head.utf8) + body
        return WARCRecord.make(type: "response", targetURI: url, date: fetchDate, contentType: "application/http;msgtype=response",
                               block: block, payloadOffset: block.count - body.count,
                               extra: site.map { [("KoLlama-Site", $0)] } ?? [], recordID: recordID)
    }

    static func request(url: String) -> WARCRecord {
        let block = Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8)
        return WARCRecord.make(type: "request", targetURI: url, date: fetchDate, contentType: "application/http;msgtype=request", block: block)
    }

    /// Writes records as a `.warc.gz`; `truncateLastBy` cuts that many bytes off the end.
    static func write(_ records: [WARCRecord], to path: String, truncateLastBy: Int = 0) throws {
        var bytes: [UInt8] = []
        for r in records { bytes += GzipCompressor.member(r.serialized()) }
        try AtomicFileWriter.write(Array(bytes.dropLast(truncateLastBy)), to: path)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        try FileSystem.readAll(fixturesDirectory + "/" + name)
    }

    static let fixturesDirectory = repositoryRoot + "/Tests/Fixtures/extraction"
    static let crawlersDirectory = repositoryRoot + "/crawlers"
}
