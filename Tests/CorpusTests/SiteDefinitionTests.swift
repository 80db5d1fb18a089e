import Foundation
import XCTest
@testable import Corpus

final class SiteDefinitionTests: XCTestCase {
    static let crawlers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../crawlers").standardized.path

    func testShippedDefinitionsLoadAndMatchTheirURLShapes() throws {
        let xinhua = try SiteDefinition.load("xinhua-ko", crawlersDirectory: Self.crawlers)
        let people = try SiteDefinition.load("people-ko", crawlersDirectory: Self.crawlers)
        func matches(_ def: SiteDefinition, _ path: String) -> Bool {
            def.articlePatterns.contains { path.range(of: $0.regex, options: .regularExpression) != nil }
        }
        XCTAssertTrue(matches(xinhua, "/20240305/0123456789abcdef0123456789abcdef/c.html"))
        XCTAssertTrue(matches(xinhua, "/2019-03/05/c_137871234.htm"))
        XCTAssertTrue(matches(xinhua, "/2019-03/05/c_137871234_2.htm"))
        XCTAssertFalse(matches(xinhua, "/politics/index.html"))
        XCTAssertTrue(matches(people, "/n3/2024/0305/c203-20140000.html"))
        XCTAssertTrue(matches(people, "/n/2016/1102/c203-9135000.html"))
        XCTAssertFalse(matches(people, "/203/index.html"))
        XCTAssertEqual(people.withOrigin("http://127.0.0.1:8080/").origin, "http://127.0.0.1:8080")
    }

    func testBadDefinitionsNameTheFileAndProblem() throws {
        let dir = NSTemporaryDirectory() + "sites-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFileWriter.write("{\"name\": \"x\"}", to: dir + "/x.json")
        XCTAssertThrowsError(try SiteDefinition.load("x", crawlersDirectory: dir)) { error in
            XCTAssertTrue("\(error)".contains("x.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
        var text = String(decoding: try FileSystem.readAll(Self.crawlers + "/people-ko.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"^/$\"", with: "\"^/($\"")
        try AtomicFileWriter.write(text, to: dir + "/broken.json")
        XCTAssertThrowsError(try SiteDefinition.load(dir + "/broken.json")) { error in
            XCTAssertTrue("\(error)".contains("bad regular expression"), "\(error)")
        }
        XCTAssertThrowsError(try SiteDefinition.load("nope", crawlersDirectory: dir))
    }
}
