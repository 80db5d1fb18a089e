import XCTest
@testable import Corpus

final class ICUTests: XCTestCase {
    func testNormalizationKeepsCompatibilityJamoUnderNFCButNotNFKC() throws {
        XCTAssertEqual(try ICU.normalize("ㅋㅋ 한국", .nfc), "ㅋㅋ 한국")
        let nfkc = try ICU.normalize("ㅋㅋ ㈜ ＡＢＣ", .nfkc)
        XCTAssertEqual(nfkc.unicodeScalars.first?.value, 0x110F, "compatibility jamo become conjoining jamo")
        XCTAssertTrue(nfkc.hasSuffix("(주) ABC"))
        // Decomposed Hangul (NFD) recomposes under NFC.
        XCTAssertEqual(try ICU.normalize("\u{1112}\u{1161}\u{11AB}", .nfc), "한")
        XCTAssertTrue(ICU.isNormalized("한국어", .nfc))
        XCTAssertFalse(ICU.isNormalized("\u{1112}\u{1161}\u{11AB}", .nfc))
    }

    func testCP949RoundTripAndInvalidBytesAreCounted() throws {
        let text = "똠방각하 펲시콜라 한국어"   // 똠/펲 exist only in CP949's extension (UHC), not in EUC-KR
        let (bytes, unmappable) = try ICU.encode(text, charset: "windows-949")
        XCTAssertEqual(unmappable, 0)
        let (back, invalid) = try ICU.decode(bytes, charset: "windows-949")
        XCTAssertEqual(back, text)
        XCTAssertEqual(invalid, 0)
        // (ICU maps a lone 0xFF to U+F8F7 rather than flagging it; a bad trail byte is flagged.)
        let (_, bad) = try ICU.decode(bytes + [0x81, 0x20], charset: "windows-949")
        XCTAssertGreaterThan(bad, 0)
        XCTAssertThrowsError(try ICU.decode([0x41], charset: "no-such-charset"))
        XCTAssertEqual(ICU.script(of: 0xD55C), ICU.Script.hangul)
        XCTAssertEqual(ICU.script(of: 0x41), ICU.Script.latin)
    }
}
