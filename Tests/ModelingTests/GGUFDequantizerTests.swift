import Foundation
import XCTest
import Modeling
import TestSupport

/// Dequantization against gguf-py's `gguf.quants.dequantize` on the same bytes.
final class GGUFDequantizerTests: XCTestCase {
    /// gguf-py's float32 output for each named tensor, read back from files it writes.
    private func ggufPyValues(_ path: String, _ names: [String]) throws -> [String: [Float]] {
        let dir = try TemporaryDirectory("gguf-py")
        try PythonPeer.run("""
        import os, sys, numpy as np, gguf
        r = gguf.GGUFReader(sys.argv[1])
        wanted = set(sys.argv[3:])
        for t in r.tensors:
            if t.name in wanted:
                v = gguf.quants.dequantize(t.data, t.tensor_type)
                np.ascontiguousarray(v, dtype=np.float32).tofile(os.path.join(sys.argv[2], t.name + ".f32"))
        """, [path, dir.path] + names)
        var out: [String: [Float]] = [:]
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.file(name + ".f32")))
            out[name] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return out
    }

    /// Bit-identical, except that two NaNs are equal whatever their payload.
    private func assertSameBits(_ ours: [Float], _ theirs: [Float], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, name, file: file, line: line)
        let identical = ours.count == theirs.count && ours.withUnsafeBytes { a in theirs.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        if identical { return }
        var mismatches = 0
        for i in 0..<min(ours.count, theirs.count) where ours[i].bitPattern != theirs[i].bitPattern && !(ours[i].isNaN && theirs[i].isNaN) {
            if mismatches < 3 { XCTFail("\(name)[\(i)]: \(ours[i]) != \(theirs[i])", file: file, line: line) }
            mismatches += 1
        }
        XCTAssertEqual(mismatches, 0, "\(name): \(mismatches) values differ", file: file, line: line)
    }

    func testEverySupportedTypeMatchesGGUFPyBitForBit() throws {
        try PythonPeer.require("gguf", "numpy")
        let path = GGUFFileTests.quantTypes
        let file = try GGUFFile(path: path)
        let names = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q4_k", "q6_k", "three.d"]
        XCTAssertEqual(Set(names.compactMap { file.tensor(named: $0)?.type }), GGUFDequantizer.supportedTypes)
        let reference = try ggufPyValues(path, names)
        for name in names {
            assertSameBits(try file.dequantize(named: name), try XCTUnwrap(reference[name]), name)
        }
    }

    /// The model fixture: every tensor, over its mixture of types.
    func testTinyLlamaTensorsMatchGGUFPy() throws {
        try PythonPeer.require("gguf", "numpy")
        let path = GGUFFileTests.tinyLlama
        let file = try GGUFFile(path: path)
        let reference = try ggufPyValues(path, file.tensors.map(\.name))
        for t in file.tensors {
            assertSameBits(try file.dequantize(t), try XCTUnwrap(reference[t.name]), t.name)
        }
    }

    /// The layouts by hand, so a wrong nibble order fails without any peer installed.
    func testHandBuiltBlocks() throws {
        func half(_ v: Float16) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        // Q4_1: d = 0.5, m = -1, byte j holds weight j (low nibble) and weight j+16 (high nibble).
        let nibbles: [UInt8] = (0..<16).map { (j: Int) -> UInt8 in UInt8(j) | UInt8(15 - j) << 4 }
        let q41 = try singleTensorFile(type: 3, elements: 32, data: half(0.5) + half(-1) + nibbles)
        let low: [Float] = (0..<16).map { (j: Int) -> Float in 0.5 * Float(j) - 1 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in 0.5 * Float(15 - j) - 1 }
        let expected41 = low + high
        XCTAssertEqual(try q41.dequantize(named: "t"), expected41)
        // Q8_0: d = 0.25, q = -16 ..< 16.
        let q80 = try singleTensorFile(type: 8, elements: 32, data: half(0.25) + (-16..<16).map { (q: Int) -> UInt8 in UInt8(bitPattern: Int8(q)) })
        XCTAssertEqual(try q80.dequantize(named: "t"), (-16..<16).map { (q: Int) -> Float in Float(q) * 0.25 })
        // Q4_0: d = 2, all nibbles 8 then 0: weights 0 and -16.
        let q40 = try singleTensorFile(type: 2, elements: 32, data: half(2) + Array(repeating: 0x08, count: 16))
        XCTAssertEqual(try q40.dequantize(named: "t"), [Float](repeating: 0, count: 16) + [Float](repeating: -16, count: 16))
    }

    func testUnsupportedTypeNamesTensorAndType() throws {
        let file = try GGUFFile(path: GGUFFileTests.quantTypes)
        XCTAssertThrowsError(try file.dequantize(named: "q5_0")) { error in
            guard case let .tensor(path, name, detail)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, GGUFFileTests.quantTypes)
            XCTAssertEqual(name, "q5_0")
            XCTAssertTrue(detail.hasPrefix("ggml type Q5_0 cannot be dequantized"), detail)
        }
        XCTAssertThrowsError(try file.dequantize(named: "absent")) { error in
            XCTAssertEqual(error as? GGUFError, .tensor(path: GGUFFileTests.quantTypes, name: "absent", detail: "not in the file"))
        }
    }

    /// The shipped SmolLM2 GGUF: Q4_1 projections, the Q8_0 token embedding (split over both
    /// cores) and F32 norms, bit for bit as gguf-py's dequantize.
    func testSmolLM2TensorsMatchGGUFPy() throws {
        try PythonPeer.require("gguf", "numpy")
        let path = try PythonPeer.smolLM2GGUF()
        let names = ["blk.0.attn_q.weight", "blk.29.ffn_down.weight", "token_embd.weight", "blk.3.attn_norm.weight", "output_norm.weight"]
        let file = try GGUFFile(path: path)
        XCTAssertEqual(names.compactMap { file.tensor(named: $0)?.type }, [.q4_1, .q4_1, .q8_0, .f32, .f32])
        let reference = try ggufPyValues(path, names)
        for name in names {
            let start = Date()
            let ours = try file.dequantize(named: name)
            let seconds = Date().timeIntervalSince(start)
            if ours.count > 1_000_000 { print("dequantize \(name): \(ours.count) values in \(String(format: "%.3f", seconds)) s") }
            assertSameBits(ours, try XCTUnwrap(reference[name]), name)
        }
    }

    /// A file holding one 1-D tensor `t` of `elements` values of ggml type `type`.
    private func singleTensorFile(type: UInt32, elements: UInt64, data: [UInt8]) throws -> GGUFFile {
        try GGUFFile(bytes: GGUFBytes(tensors: [("t", type, elements, data)]).bytes, path: "hand.gguf")
    }
}
