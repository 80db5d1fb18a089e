import XCTest
@testable import Corpus

final class DocumentShardTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "shard-tests-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testRoundTripIsDeterministic() throws {
        let docs = (0..<50).map { i in
            Document(id: "d\(i)", text: "서울은 대한민국의 수도이다.\n\n문단 \(i)", source: "test",
                     url: "http://127.0.0.1/\(i)", created: "2024-01-0\(i % 9 + 1)", added: "2026-11-25T00:00:00Z",
                     metadata: ["title": .string("제목 \(i)"), "tags": .array([.string("a"), .number(Double(i))]), "ok": .bool(true)])
        }
        var summaries: [ShardSummary] = []
        for name in ["a", "b"] {
            let w = try DocumentShardWriter(path: "\(dir!)/\(name).jsonl.gz")
            for d in docs { try w.write(d) }
            summaries.append(try w.finish())
        }
        XCTAssertEqual(summaries[0].sha256, summaries[1].sha256, "same documents, same bytes")
        XCTAssertEqual(summaries[0].documents, 50)
        let r = try DocumentShardReader(path: "\(dir!)/a.jsonl.gz")
        var back: [Document] = []
        while let d = try r.next() { back.append(d) }
        XCTAssertEqual(back, docs)
    }

    func testEveryRowHasAllSevenKeysWithNullsWhenUnknown() throws {
        let line = try JSONLines.line(Document(id: "x", text: "본문", source: "s", added: "2024-06-01T00:00:00Z"), encoder: JSONLines.makeEncoder())
        XCTAssertEqual(String(decoding: line, as: UTF8.self),
                       #"{"added":"2024-06-01T00:00:00Z","created":null,"id":"x","metadata":{},"source":"s","text":"본문","url":null}"# + "\n")
        let back = try JSONDecoder().decode(Document.self, from: Data(line))
        XCTAssertNil(back.created)
        XCTAssertNil(back.url)
    }

    func testInvalidLinesNameFileAndLine() throws {
        let path = dir + "/bad.jsonl"
        let good = String(decoding: try JSONLines.line(Document(id: "x", text: "t", source: "s", added: "now"), encoder: JSONLines.makeEncoder()), as: UTF8.self)
        try AtomicFileWriter.write(good + "{\"id\": 1\n" + good + "{\"text\":\"no id\"}\n", to: path)
        let r = try DocumentShardReader(path: path)
        XCTAssertNotNil(try r.next())
        XCTAssertThrowsError(try r.next()) { error in
            XCTAssertEqual("\(error)".hasPrefix("\(path):2"), true, "\(error)")
        }
        let lenient = try DocumentShardReader(path: path)
        var n = 0
        while try lenient.next(skippingInvalid: true) != nil { n += 1 }
        XCTAssertEqual(n, 2)
        XCTAssertEqual(lenient.skippedLines.count, 2)
        XCTAssertTrue("\(lenient.skippedLines[1])".contains("missing field"), "\(lenient.skippedLines[1])")
    }

    func testInvalidUTF8IsReported() throws {
        let path = dir + "/u.jsonl"
        var bytes = Array("{\"id\":\"a\",\"text\":\"".utf8) + [0xFF, 0xFE] + Array("\",\"source\":\"s\",\"added\":\"x\",\"metadata\":{}}\n".utf8)
        bytes += []
        try AtomicFileWriter.write(bytes, to: path)
        XCTAssertThrowsError(try DocumentShardReader(path: path).next()) { error in
            guard case CorpusError.invalidUTF8 = error else { return XCTFail("\(error)") }
        }
    }
}
