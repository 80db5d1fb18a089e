@testable import Cleaning
import Corpus
import XCTest

final class TextNormalizerTests: XCTestCase {
    let normalizer = TextNormalizer()

    func testCompatibilityJamoAndEnclosedSignsStay() {
        let text = "ㅋㅋㅋ 진짜 웃기네 ㈜한국전력 ㎏ ①"
        XCTAssertEqual(normalizer.normalize(text), text)
    }

    func testDecomposedHangulRecomposes() {
        XCTAssertEqual(normalizer.normalize("\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF} 문서"), "한글 문서")
    }

    func testStrayConjoiningJamoBecomeCompatibilityJamo() {
        XCTAssertEqual(normalizer.normalize("웃겨 \u{110F}\u{110F}\u{110F}"), "웃겨 ㅋㅋㅋ")
        XCTAssertEqual(normalizer.normalize("\u{1161}\u{11A8}"), "ㅏㄱ")
    }

    func testFullWidthASCIIAndIdeographicSpace() {
        XCTAssertEqual(normalizer.normalize("ＡＢＣ１２３！\u{3000}끝"), "ABC123! 끝")
        XCTAssertEqual(normalizer.normalize("ABC 123! 끝"), "ABC 123! 끝")
    }

    func testInvisibleCharactersRemovedWhereNotNeeded() {
        XCTAssertEqual(normalizer.normalize("\u{FEFF}한\u{200B}글\u{00AD}과 a\u{200D}b\u{2060}"), "한글과 ab")
        let emoji = "개발자 👩\u{200D}💻"
        XCTAssertEqual(normalizer.normalize(emoji), emoji)
        let persian = "می\u{200C}خواهم"
        XCTAssertEqual(normalizer.normalize(persian), persian)
    }

    func testControlCharactersRemovedExceptNewlineAndTab() {
        XCTAssertEqual(normalizer.normalize("가\u{0007}나\r\n다\t라\u{0085}"), "가나\n다\t라")
    }

    func testWhitespaceCollapsedLinesTrimmedBlankLinesCollapsed() {
        XCTAssertEqual(normalizer.normalize("\n\n  가   나 \u{00A0} 다\u{2003}마  \n\n\n\n라 \n\n"), "가 나 다 마\n\n라")
        XCTAssertEqual(normalizer.normalize("가 나\n다\n\n라"), "가 나\n다\n\n라")
    }

    func testFastPathAgreesWithICUPath() {
        let samples = ["서울특별시는 대한민국의 수도이다.  \n\n\n인구는 약 940만 명이다.", "서울(漢城)·경기 — «café» 「인용」 ㈜ ＡＢ", "plain ASCII   text\t\twith tabs \n", "", "\n\n"]
        for s in samples {
            XCTAssertTrue(s.utf8.withContiguousStorageIfAvailable { TextNormalizer.isNFCByConstruction($0) } ?? false)
            var nfc = try! ICU.normalize(s, .nfc)
            let slow = nfc.withUTF8 { String(decoding: TextNormalizer.applyCharacterRules($0), as: UTF8.self) }
            XCTAssertEqual(normalizer.normalize(s), slow)
        }
        XCTAssertTrue("café ㅋㅋ 漢字 「인용」 ㈜ ＡＢ".utf8.withContiguousStorageIfAvailable { TextNormalizer.isNFCByConstruction($0) } ?? false)
        for s in ["cafe\u{0301}", "\u{1112}\u{1161}", "\u{F900}", "\u{212B}", "a\u{302A}"] {
            XCTAssertFalse(s.utf8.withContiguousStorageIfAvailable { TextNormalizer.isNFCByConstruction($0) } ?? true, s)
        }
        XCTAssertEqual(normalizer.normalize("cafe\u{0301}"), "café")
    }
}
