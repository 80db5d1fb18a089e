import Corpus
@testable import Extraction
import XCTest

final class CharsetResolverTests: XCTestCase {
    /// "똠" and "햏" exist only in CP949's extension (UHC), not in EUC-KR/KS X 1001.
    private let text = "<html><body><p>똠방각하와 햏자, 한국어 기사</p></body></html>"

    func testEUCKRHeaderDecodesCP949OnlySyllables() throws {
        let (bytes, unmappable) = try ICU.encode(text, charset: "windows-949")
        XCTAssertEqual(unmappable, 0)
        let page = try CharsetResolver.decode(bytes, contentType: "text/html; charset=EUC-KR", hint: "utf-8")
        XCTAssertEqual(page.charset, "windows-949")
        XCTAssertEqual(page.charsetSource, "header")
        XCTAssertEqual(page.text, text)
        XCTAssertEqual(page.invalidSequences, 0)
    }

    func testHeaderWinsOverMetaAndMetaOverHint() throws {
        let html = "<html><head><meta charset=\"euc-kr\"></head><body>한국</body></html>"
        let cp949 = try ICU.encode(html, charset: "windows-949").bytes
        XCTAssertEqual(try CharsetResolver.decode(cp949, contentType: "text/html", hint: "utf-8").charsetSource, "meta")
        XCTAssertEqual(try CharsetResolver.decode(cp949, contentType: "text/html", hint: "utf-8").text, html)
        let utf8 = Array(html.utf8)
        let fromHeader = try CharsetResolver.decode(utf8, contentType: "text/html; charset=utf-8", hint: nil)
        XCTAssertEqual(fromHeader.charsetSource, "header")
        XCTAssertEqual(fromHeader.text, html)
        let httpEquiv = Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ks_c_5601-1987\">".utf8)
        XCTAssertEqual(CharsetResolver.metaDeclaration(httpEquiv), "ks_c_5601-1987")
        XCTAssertEqual(CharsetResolver.converterName(for: "KS_C_5601-1987"), "windows-949")
    }

    func testUndeclaredCP949IsDetectedWhenTheHintFails() throws {
        let long = String(repeating: "중국 정부는 올해 경제성장률 목표를 제시했다. 전문가들은 현실적인 수치라고 평가했다. ", count: 20)
        let bytes = try ICU.encode("<html><body><p>\(long)</p></body></html>", charset: "windows-949").bytes
        let page = try CharsetResolver.decode(bytes, contentType: "text/html", hint: "utf-8")
        XCTAssertEqual(page.charsetSource, "detected")
        XCTAssertEqual(page.charset, "windows-949")
        XCTAssertEqual(page.invalidSequences, 0)
        XCTAssertTrue(page.text.contains("경제성장률"))
    }

    func testUndeclaredUTF8WithoutHintIsTakenAsUTF8() throws {
        let page = try CharsetResolver.decode(Array("<p>짧은 글</p>".utf8), contentType: nil, hint: nil)
        XCTAssertEqual(page.charset, "utf-8")
        XCTAssertEqual(page.charsetSource, "detected")
        XCTAssertEqual(page.text, "<p>짧은 글</p>")
        let cp949 = try ICU.encode(String(repeating: "한국어 기사 본문입니다. ", count: 30), charset: "windows-949").bytes
        XCTAssertEqual(try CharsetResolver.decode(cp949, contentType: nil, hint: nil).charset, "windows-949")
    }

    func testInvalidBytesAreCountedNotDropped() throws {
        let bytes = Array("<p>앞".utf8) + [0xFF, 0xFE] + Array("뒤</p>".utf8)
        let page = try CharsetResolver.decode(bytes, contentType: "text/html; charset=utf-8", hint: nil)
        XCTAssertEqual(page.invalidSequences, 2)
        XCTAssertTrue(page.text.contains("앞\u{FFFD}\u{FFFD}뒤") || page.text.contains("앞\u{FFFD}뒤"), page.text)
    }
}
