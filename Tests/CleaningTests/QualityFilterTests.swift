import Cleaning
import TestSupport
import Foundation
import XCTest

final class QualityFilterTests: XCTestCase {
    func reason(_ text: String, _ policy: CleaningPolicy = CleaningPolicy()) -> FilterReason? {
        DocumentProcessor(policy: policy).process(text, signatures: false).reason
    }

    func testCleanArticlesPass() {
        XCTAssertNil(reason(Fixtures.article))
        XCTAssertNil(reason(Fixtures.otherArticle))
    }

    func testMojibakeFlagged() {
        let latin1 = String(data: Data(Fixtures.article.utf8), encoding: .isoLatin1)!
        XCTAssertEqual(reason(latin1), .mojibake)
        let cp1252 = String(data: Data(Fixtures.article.utf8), encoding: .windowsCP1252)
        if let cp1252 { XCTAssertEqual(reason(cp1252), .mojibake) }
        let replaced = Fixtures.article.replacingOccurrences(of: "시", with: "\u{FFFD}")
        XCTAssertEqual(reason(replaced), .mojibake)
        // Ordinary Latin-1 letters in Korean text are not mojibake.
        XCTAssertNil(reason(Fixtures.article + "\n\n프랑스 카페(café)와 독일 뮌헨(München)의 사례도 소개됐다."))
    }

    func testMinimumLengthAndParagraphs() {
        XCTAssertEqual(reason("안녕하세요. 짧은 글입니다."), .tooShort)
        var policy = CleaningPolicy()
        policy.minParagraphs = 6
        XCTAssertEqual(reason(Fixtures.article, policy), .tooFewParagraphs)
        policy.minParagraphs = 5
        XCTAssertNil(reason(Fixtures.article, policy))
    }

    func testHangulShare() {
        let english = String(repeating: "The city announced new support for vulnerable residents this winter. ", count: 3)
            + "\n\n" + Fixtures.article.prefix(80)
        XCTAssertEqual(reason(english), .lowHangulShare)
        XCTAssertNil(reason(Fixtures.article + "\n\nSeoul Metropolitan Government (SMG) winter plan."))
    }

    func testSymbolDigitRatio() {
        let table = Fixtures.article.prefix(120) + "\n\n" + (0..<40).map { "\($0 * 37 % 1000) | \($0 * 91 % 1000) | \($0)% |" }.joined(separator: "\n")
        XCTAssertEqual(reason(String(table)), .symbolDigitRatio)
    }

    func testMarkupLeftovers() {
        XCTAssertEqual(reason(Fixtures.article + "\n\n<div class=\"share\">&nbsp;공유하기&nbsp;</div> {{틀:뉴스}} <br/>"), .markup)
        XCTAssertNil(reason(Fixtures.article + "\n\n기온은 3도 < 5도 조건에서 측정했다."))
    }

    func testURLDensity() {
        let links = (0..<8).map { "https://news.example.com/article/2024/11/\($0)/view.html" }.joined(separator: "\n")
        XCTAssertEqual(reason(Fixtures.article + "\n\n" + links), .urlDensity)
        XCTAssertNil(reason(Fixtures.article + "\n\n자세한 내용은 https://seoul.go.kr 참고."))
    }

    func testTooLongLines() {
        var policy = CleaningPolicy()
        policy.maxLineCharacters = 60
        XCTAssertEqual(reason(Fixtures.article, policy), .longLine)
        XCTAssertNil(reason(Fixtures.article))
    }

    func testDuplicateLines() {
        let repeated = Fixtures.article + "\n\n" + String(repeating: "구독과 좋아요를 눌러 주세요.\n", count: 8)
        XCTAssertEqual(reason(repeated), .duplicateLines)
    }

    func testDuplicateParagraphs() {
        var policy = CleaningPolicy()
        policy.maxDuplicateLineFraction = 1
        policy.maxDuplicateLineCharacterFraction = 1
        let paragraph = "이 기사는 저작권법의 보호를 받습니다.\n관련 문의는 편집국으로 연락 바랍니다."
        let text = Fixtures.article + "\n\n" + Array(repeating: paragraph, count: 5).joined(separator: "\n\n")
        XCTAssertEqual(reason(text, policy), .duplicateParagraphs)
        XCTAssertNil(reason(Fixtures.article + "\n\n" + paragraph, policy))
    }

    func testRepeatedEojeolNGrams() {
        let spam = (0..<12).map { "\($0)번 소식: 지금 바로 무료 상담 신청하세요 지금 바로 무료 상담" }.joined(separator: "\n\n")
        XCTAssertEqual(reason(Fixtures.article + "\n\n" + spam), .repeatedNGrams)
    }

    func testPolicyFileKeepsDefaultsForMissingKeysAndRejectsBadSettings() throws {
        let dir = try TemporaryDirectory()
        let good = dir.file("policy.json")
        try #"{"minHangulShare": 0.7, "maxLineCharacters": 500}"#.write(toFile: good, atomically: true, encoding: .utf8)
        let policy = try CleaningPolicy.load(path: good)
        XCTAssertEqual(policy.minHangulShare, 0.7)
        XCTAssertEqual(policy.maxLineCharacters, 500)
        XCTAssertEqual(policy.minHashPermutations, 128)
        let bad = dir.file("bad.json")
        try #"{"minHashBands": 10}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CleaningPolicy.load(path: bad)) { error in
            XCTAssertTrue("\(error)".contains(bad), "\(error)")
        }
    }
}
