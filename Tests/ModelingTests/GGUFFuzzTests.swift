import Corpus
import Foundation
import XCTest
import Modeling
import TestSupport

/// Seeded mutations of the tiny LLaMA fixture through the whole import path (parse, map,
/// dequantize, tokenizer export): every mutant must end in a value or a `GGUFError`, never a
/// trap. The test process surviving is the "0 crashes"; the counts show the run was not vacuous.
final class GGUFFuzzTests: XCTestCase {
    enum Outcome: Hashable { case rejected, parsed, imported }

    func testSeededMutationsNeverCrash() throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GGUFFileTests.tinyLlama)))
        let dataOffset = try GGUFFile(bytes: original, path: "seed.gguf").dataOffset
        var rng = SplitMix64(seed: 0x6767_7566)
        let mutants = 3000
        var counts: [Outcome: Int] = [:]
        var otherErrors = 0
        for _ in 0..<mutants {
            var bytes = original
            // Mostly the header, metadata and tensor infos, where the structure lives.
            let region = rng.next() % 8 == 0 ? bytes.count : dataOffset
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(min(region, bytes.count)))
                switch rng.next() % 6 {
                case 0: bytes[at] ^= UInt8(1) << (rng.next() % 8)
                case 1: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 2:  // a length or count field turned huge or zero
                    let v: UInt64 = [0, 1, UInt64.max, 1 << 62, UInt64(UInt32.max), 0x8000_0000][Int(rng.next() % 6)]
                    for k in 0..<min(8, bytes.count - at) { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 64)))
                case 4: bytes.insert(contentsOf: (0..<(1 + Int(rng.next() % 16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
                default: bytes.removeSubrange(at...)
                }
                if bytes.isEmpty { break }
            }
            do {
                let file = try GGUFFile(bytes: bytes, path: "mutant.gguf")
                counts[.parsed, default: 0] += 1
                for t in file.tensors where GGUFDequantizer.supportedTypes.contains(t.type) {
                    _ = try file.dequantize(t)
                }
                let importer = try GGUFLlamaImporter(file: file)
                _ = try importer.importAll()
                _ = try GGUFTokenizerExport.files(file)
                counts[.imported, default: 0] += 1
            } catch is GGUFError {
                counts[.rejected, default: 0] += 1
            } catch {
                otherErrors += 1
            }
        }
        let parsed = counts[.parsed] ?? 0, rejected = counts[.rejected] ?? 0, imported = counts[.imported] ?? 0
        print("GGUF fuzz: \(mutants) mutants, \(rejected) rejected with GGUFError, \(parsed) parsed, \(imported) imported end to end, 0 crashes")
        XCTAssertEqual(otherErrors, 0, "errors other than GGUFError")
        XCTAssertEqual(rejected + imported, mutants)
        XCTAssertGreaterThan(rejected, mutants / 10)
        XCTAssertGreaterThan(imported, mutants / 20)
    }
}
