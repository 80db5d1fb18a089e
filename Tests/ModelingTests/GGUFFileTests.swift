import Foundation
import XCTest
import Modeling
import TestSupport

/// The GGUF reader on the committed fixtures (scripts/make-gguf-fixtures.py) and on hostile bytes.
final class GGUFFileTests: XCTestCase {
    static let fixtures = repositoryRoot + "/Tests/Fixtures/gguf"
    static let quantTypes = fixtures + "/quant-types.gguf"
    static let tinyLlama = fixtures + "/tiny-llama.gguf"

    func testReadsEveryMetadataTypeOfAVersion2File() throws {
        let file = try GGUFFile(path: Self.quantTypes)
        XCTAssertEqual(file.version, 2)
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset % 64, 0)
        XCTAssertEqual(file.value("test.u8"), .uint8(200))
        XCTAssertEqual(file.value("test.i8"), .int8(-100))
        XCTAssertEqual(file.value("test.u16"), .uint16(60000))
        XCTAssertEqual(file.value("test.i16"), .int16(-30000))
        XCTAssertEqual(file.value("test.u32"), .uint32(4_000_000_000))
        XCTAssertEqual(try file.integer("test.i32"), -2_000_000_000)
        XCTAssertEqual(try file.float("test.f32"), 0.15625)
        XCTAssertEqual(try file.bool("test.bool"), true)
        XCTAssertEqual(try file.string("test.string"), "한국어 text")
        XCTAssertEqual(file.value("test.u64"), .uint64(1 << 63 + 5))
        XCTAssertNil(file.value("test.u64")?.intValue, "a uint64 past Int.max is not an Int")
        XCTAssertEqual(try file.integer("test.i64"), -(1 << 62))
        XCTAssertEqual(try file.float("test.f64"), 1e-300)
        XCTAssertEqual(file.value("test.array.u8"), .array(.uint8([1, 2, 255])))
        XCTAssertEqual(try file.integerArray("test.array.u8"), [1, 2, 255])
        XCTAssertEqual(try file.floatArray("test.array.f32"), [0.5, -1.25])
        XCTAssertEqual(try file.stringArray("test.array.strings"), ["a", "", "안녕"])
        XCTAssertEqual(file.value("test.array.nested"), .array(.array([.int32([1, 2]), .int32([3])])))
        XCTAssertEqual(file.value("test.array.deep"), .array(.array([.array([.string(["x", "y"])]), .array([.string(["z"])])])))
        XCTAssertEqual(file.keys.first, "general.architecture")
        XCTAssertNil(try file.string("no.such.key"))
        XCTAssertThrowsError(try file.string("test.u8")) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: Self.quantTypes, key: "test.u8", detail: "expected string, found uint8"))
        }
    }

    /// Names, types, innermost-first dimensions and data offsets as gguf-py's GGUFReader reads them.
    func testTensorInfosMatchGGUFPy() throws {
        try PythonPeer.require("gguf", "numpy")
        for path in [Self.quantTypes, Self.tinyLlama] {
            let expected = try PythonPeer.run("""
            import sys, gguf
            r = gguf.GGUFReader(sys.argv[1])
            for t in r.tensors:
                print(t.name, t.tensor_type.name, ",".join(str(int(d)) for d in t.shape), t.data_offset, t.n_bytes)
            """, [path])
            let file = try GGUFFile(path: path)
            let ours = file.tensors.map { t in
                "\(t.name) \(t.type) \(t.dimensions.map(String.init).joined(separator: ",")) \(file.dataOffset + t.offset) \(t.byteCount)\n"
            }.joined()
            XCTAssertEqual(ours, expected, path)
        }
        let three = try XCTUnwrap(try GGUFFile(path: Self.quantTypes).tensor(named: "three.d"))
        XCTAssertEqual(three.dimensions, [4, 3, 2])
        XCTAssertEqual(three.shape, [2, 3, 4])
    }

    func testVersion3AndDefaultAlignment() throws {
        let file = try GGUFFile(path: Self.tinyLlama)
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(try file.string("general.architecture"), "llama")
        XCTAssertEqual(try file.stringArray("tokenizer.ggml.tokens")?.first, "<|endoftext|>")
    }

    // MARK: Hostile input

    /// A minimal v3 header followed by `body`.
    private func header(tensors: UInt64, kvs: UInt64, version: UInt32 = 3) -> [UInt8] {
        var b: [UInt8] = Array("GGUF".utf8)
        b += le(version)
        b += le(tensors)
        b += le(kvs)
        return b
    }

    private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    private func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    private func assertInvalid(_ bytes: [UInt8], offset: Int, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GGUFFile(bytes: bytes, path: "hostile.gguf"), file: file, line: line) { error in
            guard case let .invalid(path, at, detail)? = error as? GGUFError else {
                return XCTFail("unexpected error \(error)", file: file, line: line)
            }
            XCTAssertEqual(path, "hostile.gguf", file: file, line: line)
            XCTAssertEqual(at, offset, detail, file: file, line: line)
            XCTAssertTrue(detail.contains(text), detail, file: file, line: line)
        }
    }

    func testHostileLengthsAreErrorsBeforeAllocating() {
        assertInvalid(Array("GGML".utf8) + le(UInt32(3)), offset: 0, contains: "not a GGUF file")
        assertInvalid(header(tensors: 0, kvs: 0, version: 1), offset: 4, contains: "version 1")
        assertInvalid(header(tensors: 0, kvs: 0, version: 0x0300_0000), offset: 4, contains: "big-endian")
        assertInvalid(header(tensors: 1 << 60, kvs: 0), offset: 8, contains: "tensor count")
        assertInvalid(header(tensors: 0, kvs: UInt64.max), offset: 16, contains: "metadata count")
        // A key whose length is 2^60.
        assertInvalid(header(tensors: 0, kvs: 1) + le(UInt64(1) << 60) + Array(repeating: 0, count: 16), offset: 24, contains: "string length")
        // A string value claiming more bytes than the file has.
        assertInvalid(header(tensors: 0, kvs: 1) + string("k") + le(UInt32(8)) + le(UInt64(100)) + Array("abc".utf8), offset: 37, contains: "string length")
        // An array of 2^40 uint32 values.
        assertInvalid(header(tensors: 0, kvs: 1) + string("k") + le(UInt32(9)) + le(UInt32(4)) + le(UInt64(1) << 40), offset: 41, contains: "array length")
        assertInvalid(header(tensors: 0, kvs: 1) + string("k") + le(UInt32(13)) + le(UInt64(0)), offset: 33, contains: "unknown metadata value type 13")
        assertInvalid(header(tensors: 0, kvs: 1) + string("k") + le(UInt32(8)) + le(UInt64(2)) + [0xC3, 0x28], offset: 37, contains: "UTF-8")
        assertInvalid(header(tensors: 0, kvs: 2) + string("k") + le(UInt32(0)) + [1] + string("k") + le(UInt32(0)) + [2], offset: 38, contains: "duplicate metadata key k")
        // Arrays of arrays nested past the limit.
        var deep = header(tensors: 0, kvs: 1) + string("k") + le(UInt32(9))
        for _ in 0..<10 { deep += le(UInt32(9)) + le(UInt64(1)) }
        deep += le(UInt32(0)) + le(UInt64(0))
        assertInvalid(deep, offset: 37 + 8 * 12, contains: "nested deeper")
    }

    func testHostileTensorInfosAreErrors() {
        func info(dims: [UInt64], type: UInt32, offset: UInt64) -> [UInt8] {
            string("t") + le(UInt32(dims.count)) + dims.flatMap { le($0) } + le(type) + le(offset)
        }
        let base = header(tensors: 1, kvs: 0)
        assertInvalid(base + info(dims: [1, 1, 1, 1, 1], type: 0, offset: 0), offset: 24, contains: "5 dimensions")
        assertInvalid(base + info(dims: [1 << 40, 1 << 40], type: 0, offset: 0), offset: 45, contains: "too many elements")
        assertInvalid(base + info(dims: [32], type: 99, offset: 0), offset: 45, contains: "unknown ggml type 99")
        assertInvalid(base + info(dims: [33], type: 8, offset: 0), offset: 24, contains: "multiple of 32")
        assertInvalid(base + info(dims: [8], type: 0, offset: 3), offset: 49, contains: "alignment")
        // 8 floats promised, none present.
        assertInvalid(base + info(dims: [8], type: 0, offset: 0), offset: 24, contains: "past the end")
        assertInvalid(base + info(dims: [8], type: 0, offset: UInt64.max - 31), offset: 49, contains: "out of range")
        assertInvalid(base + info(dims: [8], type: 0, offset: 1 << 62) + Array(repeating: 0, count: 64), offset: 24, contains: "past the end")
    }

    /// Every prefix that cuts into the header, metadata, tensor infos or tensor data is an error
    /// (only the padding after the last tensor may go), none a crash.
    func testEveryTruncationIsAnError() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.tinyLlama)))
        let file = try GGUFFile(bytes: bytes, path: "t.gguf")
        let end = file.dataOffset + file.tensors.map { $0.offset + $0.byteCount }.max()!
        let cuts = Array(0..<file.dataOffset) + Array(stride(from: file.dataOffset, to: end, by: 61)) + [end - 1]
        for n in cuts {
            XCTAssertThrowsError(try GGUFFile(bytes: Array(bytes[0..<n]), path: "t.gguf"), "prefix \(n)") { error in
                XCTAssertNotNil(error as? GGUFError)
            }
        }
        XCTAssertNoThrow(try GGUFFile(bytes: Array(bytes[0..<end]), path: "t.gguf"))
    }
}

/// Builds GGUF v3 bytes in memory for tests: metadata values and 1-D tensors, 32-byte aligned.
struct GGUFBytes {
    var metadata: [(String, GGUFValue)] = []
    var tensors: [(name: String, type: UInt32, elements: UInt64, data: [UInt8])] = []

    var bytes: [UInt8] {
        var b: [UInt8] = Array("GGUF".utf8) + Self.le(UInt32(3)) + Self.le(UInt64(tensors.count)) + Self.le(UInt64(metadata.count))
        for (key, value) in metadata { b += Self.string(key) + Self.typed(value) }
        var offset = 0
        for t in tensors {
            b += Self.string(t.name) + Self.le(UInt32(1)) + Self.le(t.elements) + Self.le(t.type) + Self.le(UInt64(offset))
            offset += (t.data.count + 31) / 32 * 32
        }
        for t in tensors {
            b += Array(repeating: 0, count: (32 - b.count % 32) % 32) + t.data
        }
        return b + Array(repeating: 0, count: (32 - b.count % 32) % 32)
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    static func typed(_ v: GGUFValue) -> [UInt8] {
        switch v {
        case let .uint8(x): return le(UInt32(0)) + [x]
        case let .int8(x): return le(UInt32(1)) + le(x)
        case let .uint16(x): return le(UInt32(2)) + le(x)
        case let .int16(x): return le(UInt32(3)) + le(x)
        case let .uint32(x): return le(UInt32(4)) + le(x)
        case let .int32(x): return le(UInt32(5)) + le(x)
        case let .float32(x): return le(UInt32(6)) + le(x.bitPattern)
        case let .bool(x): return le(UInt32(7)) + [x ? 1 : 0]
        case let .string(x): return le(UInt32(8)) + string(x)
        case let .uint64(x): return le(UInt32(10)) + le(x)
        case let .int64(x): return le(UInt32(11)) + le(x)
        case let .float64(x): return le(UInt32(12)) + le(x.bitPattern)
        case let .array(a): return le(UInt32(9)) + array(a)
        }
    }

    /// Arrays of strings, int32s and float32s cover what the tests need.
    static func array(_ a: GGUFArray) -> [UInt8] {
        switch a {
        case let .string(xs): return le(UInt32(8)) + le(UInt64(xs.count)) + xs.flatMap(string)
        case let .int32(xs): return le(UInt32(5)) + le(UInt64(xs.count)) + xs.flatMap { le($0) }
        case let .float32(xs): return le(UInt32(6)) + le(UInt64(xs.count)) + xs.flatMap { le($0.bitPattern) }
        default: preconditionFailure("GGUFBytes writes string, int32 and float32 arrays only")
        }
    }
}
