import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

/// Little-endian fp32 values as a raw file, for Python to read with numpy.
func writeRawFloats(_ values: [Float], to path: String) throws {
    try AtomicFileWriter.write(values.withUnsafeBytes { Array($0) }, to: path)
}

/// Seeded test values with the rounding edge cases of F16/BF16 mixed in: ties, subnormals,
/// values past the F16 range, signed zeros.
func testValues(_ count: Int, seed: UInt64) -> [Float] {
    var random = SplitMix64(seed: seed)
    let edges: [Float] = [0, -0.0, 1, -1, 65504, 65520, 1e-8, Float(bitPattern: 0x0002_0000), Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
                          Float(bitPattern: 0x3F80_0001 | 0x1000), 1.0009765625, 3.4e38]
    return (0..<count).map { i in
        i < edges.count ? edges[i] : Float(Double(Int64(bitPattern: random.next()) >> 40) / Double(1 << 20))
    }
}

final class SafeTensorsTests: XCTestCase {
    func testFilesWrittenBySafetensorsReadIdentically() throws {
        try PythonPeer.require("torch", "safetensors", "numpy")
        let dir = try TemporaryDirectory()
        try PythonPeer.run(#"""
            import sys, torch
            from safetensors.torch import save_file
            g = torch.Generator().manual_seed(3)
            w = torch.randn(5, 7, generator=g)
            t = {"w.f32": w, "w.f16": w.half(), "w.bf16": w.bfloat16(), "w.f64": w.double(),
                 "ids.i32": torch.tensor([-3, 0, 2**31 - 1], dtype=torch.int32), "ids.i64": torch.tensor([-(2**40), 5], dtype=torch.int64),
                 "empty": torch.zeros(0, 4), "scalar": torch.tensor(2.5)}
            save_file(t, sys.argv[1] + "/t.safetensors", metadata={"format": "pt", "note": "x"})
            for k in ["w.f32", "w.f16", "w.bf16", "w.f64"]:
                t[k].float().numpy().tofile(sys.argv[1] + "/" + k + ".raw")
            """#, [dir.path])
        let file = try SafeTensorsFile(path: dir.file("t.safetensors"))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "x"])
        XCTAssertEqual(Set(file.names), ["w.f32", "w.f16", "w.bf16", "w.f64", "ids.i32", "ids.i64", "empty", "scalar"])
        for (name, dtype) in [("w.f32", SafeTensorsDType.f32), ("w.f16", .f16), ("w.bf16", .bf16), ("w.f64", .f64)] {
            let info = try XCTUnwrap(file.info(name))
            XCTAssertEqual(info.dtype, dtype)
            XCTAssertEqual(info.shape, [5, 7])
            XCTAssertEqual(info.byteRange.count, 35 * dtype.byteSize)
            let expected = try FileSystem.readAll(dir.file(name + ".raw"))
            XCTAssertEqual(try file.floats(name).withUnsafeBytes { Array($0) }, expected, name)
        }
        XCTAssertEqual(try file.int64s("ids.i32"), [-3, 0, 2_147_483_647])
        XCTAssertEqual(try file.int64s("ids.i64"), [-(1 << 40), 5])
        XCTAssertEqual(try file.floats("empty"), [])
        XCTAssertEqual(file.info("empty")?.shape, [0, 4])
        XCTAssertEqual(try file.floats("scalar"), [2.5])
        XCTAssertEqual(file.info("scalar")?.shape, [])
        XCTAssertThrowsError(try file.int64s("w.f32")) { XCTAssertTrue("\($0)".contains("w.f32")) }
        XCTAssertThrowsError(try file.floats("nope")) {
            XCTAssertEqual($0 as? ModelingError, .missingTensor(path: dir.file("t.safetensors"), tensor: "nope"))
        }
    }

    /// Our files are byte-identical to `save_file` of the same tensors (layout, header padding,
    /// F16/BF16 rounding), so `load_file` reads them bit-exactly.
    func testWrittenFilesMatchSaveFileByteForByte() throws {
        try PythonPeer.require("torch", "safetensors", "numpy")
        let dir = try TemporaryDirectory()
        let tensors = [NamedTensor(name: "b.weight", shape: [4, 6], values: testValues(24, seed: 1)),
                       NamedTensor(name: "a.norm", shape: [30], values: testValues(30, seed: 2)),
                       NamedTensor(name: "z", shape: [0], values: []),
                       NamedTensor(name: "s", shape: [], values: [0.1])]
        for (i, t) in tensors.enumerated() { try writeRawFloats(t.values, to: dir.file("\(i).raw")) }
        var files: [String] = []
        for dtype in [SafeTensorsDType.f32, .f16, .bf16] {
            for metadata in [SafeTensorsWriter.ptMetadata, nil] {
                let path = dir.file("ours-\(dtype.rawValue)-\(metadata == nil).safetensors")
                try SafeTensorsWriter.write(tensors, dtype: dtype, metadata: metadata, to: path)
                files.append("\(path)|\(dtype.torchName)|\(metadata == nil ? 0 : 1)")
                if dtype == .f32 { XCTAssertEqual(try SafeTensorsFile(path: path).floats("b.weight"), tensors[0].values) }
            }
        }
        let spec = tensors.enumerated().map { "\($0.offset):\($0.element.name):\($0.element.shape.map(String.init).joined(separator: "x"))" }
        let checked = try PythonPeer.run(#"""
            import sys, torch, numpy as np
            from safetensors.torch import save_file, load_file
            d, files, spec = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
            for f in files:
                ours, dtype, meta = f.split("|")
                dtype = getattr(torch, dtype)
                t = {}
                for s in spec:
                    i, name, shape = s.split(":")
                    dims = [int(x) for x in shape.split("x")] if shape else []
                    t[name] = torch.from_numpy(np.fromfile(f"{d}/{i}.raw", dtype=np.float32)).reshape(dims).to(dtype)
                ref = d + "/ref.safetensors"
                save_file(t, ref, metadata={"format": "pt"} if meta == "1" else None)
                assert open(ref, "rb").read() == open(ours, "rb").read(), "bytes differ: " + ours
                back = load_file(ours)
                assert back.keys() == t.keys()
                for k in t:
                    assert back[k].dtype == dtype and back[k].shape == t[k].shape
                    assert t[k].numel() == 0 or torch.equal(back[k].reshape(-1).view(torch.uint8), t[k].reshape(-1).view(torch.uint8)), k
            print(len(files))
            """#, [dir.path, files.joined(separator: ",")] + spec)
        XCTAssertEqual(checked.trimmingCharacters(in: .whitespacesAndNewlines), "6")
    }

    func testWriterRejectsDuplicateAndReservedNames() throws {
        let dir = try TemporaryDirectory()
        let t = NamedTensor(name: "x", shape: [1], values: [1])
        XCTAssertThrowsError(try SafeTensorsWriter.write([t, t], to: dir.file("a.safetensors"))) { XCTAssertTrue("\($0)".contains("\"x\"")) }
        XCTAssertThrowsError(try SafeTensorsWriter.write([NamedTensor(name: "__metadata__", shape: [1], values: [1])], to: dir.file("a.safetensors")))
        XCTAssertThrowsError(try SafeTensorsWriter.write([t], dtype: .i32, to: dir.file("a.safetensors")))
        XCTAssertFalse(FileSystem.exists(dir.file("a.safetensors")))
    }

    /// A file from a header text and a data size, for the corruption battery.
    private func file(header: String, data: Int = 16, declaredLength: UInt64? = nil, in dir: TemporaryDirectory) throws -> String {
        var bytes: [UInt8] = []
        var length = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
        withUnsafeBytes(of: &length) { bytes += $0 }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: data)
        let path = dir.file("bad-\(UUID().uuidString).safetensors")
        try AtomicFileWriter.write(bytes, to: path)
        return path
    }

    func testCorruptFilesGiveErrorsNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        XCTAssertEqual(try SafeTensorsFile(path: file(header: good, in: dir)).names, ["a", "b"])
        let cases: [(String, () throws -> String)] = [
            ("shorter than the 8-byte", { let p = dir.file("tiny.safetensors"); try AtomicFileWriter.write([1, 2, 3], to: p); return p }),
            ("more than the 100000000", { try self.file(header: good, declaredLength: 1 << 40, in: dir) }),
            ("runs past the end", { try self.file(header: good, declaredLength: 5000, in: dir) }),
            ("not valid JSON", { try self.file(header: #"{"a":{"dtype":"#, in: dir) }),
            ("not a JSON object", { try self.file(header: "[1,2]", in: dir) }),
            ("past the 16-byte data area", { try self.file(header: #"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, in: dir) }),
            ("overlaps tensor \"a\"", { try self.file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, in: dir) }),
            ("needs 12 bytes but data_offsets span 8", { try self.file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, in: dir) }),
            ("unknown dtype \"F4\"", { try self.file(header: #"{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}"#, in: dir) }),
            ("end before they begin", { try self.file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, in: dir) }),
            ("non-negative integer", { try self.file(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, in: dir) }),
            ("overflows", { try self.file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, in: dir) }),
            ("two integers", { try self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, in: dir) }),
            ("__metadata__ value", { try self.file(header: #"{"__metadata__":{"format":1}}"#, in: dir) }),
        ]
        for (detail, make) in cases {
            let path = try make()
            XCTAssertThrowsError(try SafeTensorsFile(path: path), detail) { error in
                guard case let ModelingError.invalidSafeTensors(p, _, _) = error else { return XCTFail("\(detail): \(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue("\(error)".contains(detail), "\(detail): \(error)")
            }
        }
    }

    /// Thousands of seeded byte mutations of a small valid file: each opens with a typed error or
    /// opens and reads every tensor in bounds; none crashes.
    func testRandomMutationsNeverCrash() throws {
        let dir = try TemporaryDirectory()
        let valid = dir.file("valid.safetensors")
        try SafeTensorsWriter.write([NamedTensor(name: "w", shape: [3, 4], values: testValues(12, seed: 9)),
                                     NamedTensor(name: "n", shape: [5], values: testValues(5, seed: 10))], dtype: .bf16, to: valid)
        let original = try FileSystem.readAll(valid)
        var random = SplitMix64(seed: 2024)
        var opened = 0, rejected = 0
        let mutations = 2000
        for _ in 0..<mutations {
            var bytes = original
            switch random.next() % 4 {
            case 0:  // flip bytes
                for _ in 0..<(1 + random.next() % 4) { bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1) }
            case 1:  // truncate
                bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
            case 2:  // overwrite a header byte with a JSON-significant one
                let chars = Array("{}[]\",:0123456789-e.".utf8)
                bytes[8 + Int(random.next() % UInt64(bytes.count - 8))] = chars[Int(random.next() % UInt64(chars.count))]
            default:  // change the declared length
                bytes[Int(random.next() % 8)] = UInt8(truncatingIfNeeded: random.next())
            }
            let path = dir.file("m.safetensors")
            // Not AtomicFileWriter: its fsync per mutation would dominate the loop.
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            do {
                let file = try SafeTensorsFile(path: path)
                for name in file.names {
                    let info = try XCTUnwrap(file.info(name))
                    XCTAssertLessThanOrEqual(info.byteRange.upperBound, bytes.count)
                    if [.f32, .f16, .bf16, .f64].contains(info.dtype) { XCTAssertEqual(try file.floats(name).count, info.elementCount) }
                    else { _ = try file.int64s(name) }
                }
                opened += 1
            } catch let error as ModelingError {
                XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
                rejected += 1
            }
        }
        XCTAssertEqual(opened + rejected, mutations)
        XCTAssertGreaterThan(rejected, mutations / 2)
    }
}
