import Corpus
import TestSupport
import XCTest
@testable import Packing

final class IndexedDatasetTests: XCTestCase {
    let docs: [[Int32]] = [[5, 6, 7, 2], [8, 2], [], [9, 10, 11, 12, 13, 2], [40000, 2]]

    func write(_ dir: TemporaryDirectory, dtype: TokenDType) throws -> String {
        let prefix = dir.file("data_train")
        let w = try IndexedDatasetWriter(prefix: prefix, dtype: dtype)
        for d in docs { try w.append(d) }
        try w.finish()
        return prefix
    }

    func testRoundTripBothDTypesAndNumpyReader() throws {
        let dir = try TemporaryDirectory()
        for dtype in [TokenDType.uint16, .int32] {
            let prefix = try write(dir, dtype: dtype)
            let ds = try IndexedDataset(prefix: prefix)
            XCTAssertEqual(ds.dtype, dtype)
            XCTAssertEqual(ds.sequenceCount, docs.count)
            XCTAssertEqual((0..<docs.count).map { ds.tokens(ofSequence: $0) }, docs)
            XCTAssertEqual(ds.documentIndex, [0, 1, 2, 3, 4, 5])
            XCTAssertEqual(try FileSystem.fileSize(prefix + ".bin"), docs.joined().count * dtype.byteWidth)

            // An independent reader of the published layout.
            let numpy = try PackingFixtures.readWithNumpy(prefix: prefix)
            XCTAssertEqual(numpy, .init(dtype: dtype == .uint16 ? "uint16" : "int32", sequences: docs, documentIndex: [0, 1, 2, 3, 4, 5]))
        }
    }

    func testUint16RejectsIdsThatDoNotFit() throws {
        let dir = try TemporaryDirectory()
        let w = try IndexedDatasetWriter(prefix: dir.file("x"), dtype: .uint16)
        XCTAssertThrowsError(try w.append([70000]))
        XCTAssertEqual(TokenDType.fitting(vocabularySize: 49_953), .uint16)
        XCTAssertEqual(TokenDType.fitting(vocabularySize: 128_000), .int32)
    }

    func testCorruptAndTruncatedIndexNameFileAndOffset() throws {
        let dir = try TemporaryDirectory()
        let prefix = try write(dir, dtype: .uint16)
        let idx = try FileSystem.readAll(prefix + ".idx")

        try AtomicFileWriter.write(Array(idx.prefix(idx.count - 5)), to: prefix + ".idx")
        XCTAssertThrowsError(try IndexedDataset(prefix: prefix)) { e in
            XCTAssertTrue("\(e)".contains("data_train.idx") && "\(e)".contains("truncated"), "\(e)")
        }
        var bad = idx
        bad[0] = UInt8(ascii: "X")
        try AtomicFileWriter.write(bad, to: prefix + ".idx")
        XCTAssertThrowsError(try IndexedDataset(prefix: prefix)) { e in XCTAssertTrue("\(e)".contains("magic"), "\(e)") }
        bad = idx
        bad[17] = 99
        try AtomicFileWriter.write(bad, to: prefix + ".idx")
        XCTAssertThrowsError(try IndexedDataset(prefix: prefix)) { e in XCTAssertTrue("\(e)".contains("dtype"), "\(e)") }

        // Garbage counts in the header: typed errors at the count's offset, never an overflow trap.
        func withCount(_ value: UInt64, at offset: Int) -> [UInt8] {
            var patched = idx
            for k in 0..<8 { patched[offset + k] = UInt8((value >> (8 * UInt64(k))) & 0xFF) }
            return patched
        }
        let garbage: [(value: UInt64, offset: Int)] = [
            (0xFFFF_FFFF_FFFF_FFFF, 18), (0x7FFF_FFFF_FFFF_FFFF, 18), (0x1555_5555_5555_5556, 18),
            (0xFFFF_FFFF_FFFF_FFFF, 26), (0x1000_0000_0000_0000, 26), (0x2000_0000_0000_0000, 26),
            (1 << 40, 26),
        ]
        for (value, offset) in garbage {
            try AtomicFileWriter.write(withCount(value, at: offset), to: prefix + ".idx")
            XCTAssertThrowsError(try IndexedDataset(prefix: prefix), "count \(value) at byte \(offset)") { e in
                XCTAssertTrue("\(e)".contains("data_train.idx"), "\(e)")
                XCTAssertTrue("\(e)".contains("\(value)"), "names the bad count: \(e)")
                if case let IndexedDatasetError.invalid(_, at, _) = e {
                    XCTAssertTrue([offset, idx.count].contains(at), "\(e)")
                } else {
                    XCTFail("\(e)")
                }
            }
        }

        try AtomicFileWriter.write(idx, to: prefix + ".idx")
        let bin = try FileSystem.readAll(prefix + ".bin")
        try AtomicFileWriter.write(Array(bin.dropLast(2)), to: prefix + ".bin")
        XCTAssertThrowsError(try IndexedDataset(prefix: prefix)) { e in
            XCTAssertTrue("\(e)".contains("data_train.bin"), "\(e)")
        }
    }
}
