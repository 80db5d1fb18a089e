import XCTest
@testable import Corpus

final class DigestTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(DigestEncoding.hex(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(DigestEncoding.hex(SHA256.hash([UInt8]())),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(DigestEncoding.hex(SHA1.hash(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(DigestEncoding.hex(SHA1.hash(million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        XCTAssertEqual(DigestEncoding.hex(SHA256.hash(million)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testStreamingEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var s = SHA256()
        s.update(data[0..<13]); s.update(data[13..<4000]); s.update(data[4000...])
        XCTAssertEqual(s.finalize(), SHA256.hash(data))
    }

    func testBase32() {
        XCTAssertEqual(DigestEncoding.base32(Array("foobar".utf8)), "MZXW6YTBOI======")
        XCTAssertEqual(DigestEncoding.base32(SHA1.hash([UInt8]())), "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")
    }
}
