import Foundation
import XCTest
@testable import Tokenization
import Corpus

final class SentencePieceModelTests: XCTestCase {
    func testSaveLoadRoundTripAndValidation() throws {
        var proto = Sentencepiece_ModelProto()
        for (piece, type) in [("<unk>", Sentencepiece_ModelProto.SentencePiece.TypeEnum.unknown), ("<s>", .control), ("</s>", .control), ("▁한", .normal)] {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = piece
            p.type = type
            p.score = type == .normal ? -1 : 0
            proto.pieces.append(p)
        }
        proto.trainerSpec.modelType = .bpe
        let dir = NSTemporaryDirectory() + "spm-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SentencePieceModel(proto: proto).save(path: dir + "/a.model")
        let back = try SentencePieceModel.load(path: dir + "/a.model")
        XCTAssertEqual(back.pieces.map(\.piece), ["<unk>", "<s>", "</s>", "▁한"])
        XCTAssertEqual(back.vocabText(), "<unk>\t0\n<s>\t0\n</s>\t0\n▁한\t-1\n")

        var dup = proto
        dup.pieces.append(proto.pieces[3])
        try SentencePieceModel(proto: dup).save(path: dir + "/dup.model")
        XCTAssertThrowsError(try SentencePieceModel.load(path: dir + "/dup.model")) { error in
            XCTAssertTrue("\(error)".contains("dup.model") && "\(error)".contains("duplicate"), "\(error)")
        }
        try AtomicFileWriter.write(Array("this is not a protobuf at all \u{1}\u{2}".utf8), to: dir + "/junk.model")
        XCTAssertThrowsError(try SentencePieceModel.load(path: dir + "/junk.model")) { error in
            XCTAssertTrue("\(error)".contains("junk.model"), "\(error)")
        }
        XCTAssertThrowsError(try SentencePieceModel.load(path: dir + "/missing.model"))
    }

    /// `bpe(pieces:...)`, the model `model import` builds from a GGUF vocabulary: specs as LLaMA's
    /// tokenizer.model has them, byte fallback only with byte pieces, and typed errors.
    func testBPEFromBareVocabulary() throws {
        let bytes = (0..<256).map { String(format: "<0x%02X>", $0) }
        let pieces = ["<unk>", "<s>", "</s>"] + bytes + ["▁한", "국"]
        let types = [2, 3, 3] + Array(repeating: 6, count: 256) + [1, 1]
        let scores = [Float](repeating: 0, count: 259) + [-1, -2]
        let model = try SentencePieceModel.bpe(pieces: pieces, scores: scores, types: types, unkId: 0, bosId: 1, eosId: 2, padId: nil, addDummyPrefix: true, path: "v")
        XCTAssertEqual(model.proto.trainerSpec.modelType, .bpe)
        XCTAssertTrue(model.proto.trainerSpec.byteFallback)
        XCTAssertEqual([model.proto.trainerSpec.bosID, model.proto.trainerSpec.padID], [1, -1])
        XCTAssertEqual(model.proto.normalizerSpec.name, "identity")
        XCTAssertTrue(model.proto.normalizerSpec.addDummyPrefix && model.proto.normalizerSpec.escapeWhitespaces)
        XCTAssertFalse(model.proto.normalizerSpec.removeExtraWhitespaces)
        XCTAssertEqual(model.pieces[3].type, .byte)
        let processor = try SentencePieceProcessor(model: model, path: "v")
        XCTAssertEqual(processor.bosId, 1)
        XCTAssertEqual(processor.encode("한국"), [259, 260])
        XCTAssertEqual(processor.encode("가"), [0xE2, 0x96, 0x81, 0xEA, 0xB0, 0x80].map { Int32(3 + $0) })  // "▁가" as bytes

        let plain = try SentencePieceModel.bpe(pieces: ["<unk>", "▁a"], scores: [0, -1], types: [2, 1], unkId: 0, bosId: nil, eosId: nil, padId: nil, addDummyPrefix: false, path: "v")
        XCTAssertFalse(plain.proto.trainerSpec.byteFallback)
        XCTAssertFalse(plain.proto.normalizerSpec.addDummyPrefix)
        func error(_ body: () throws -> SentencePieceModel) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error { try .bpe(pieces: ["<unk>", "a"], scores: [0], types: [2, 1], unkId: 0, bosId: nil, eosId: nil, padId: nil, addDummyPrefix: true, path: "v") },
                       "v: invalid model: 2 pieces, 1 scores and 2 types")
        XCTAssertEqual(error { try .bpe(pieces: ["<unk>", "a"], scores: [0, 0], types: [2, 7], unkId: 0, bosId: nil, eosId: nil, padId: nil, addDummyPrefix: true, path: "v") },
                       "v: invalid model: piece 1 has type 7 (expected 1...6)")
        XCTAssertEqual(error { try .bpe(pieces: ["<unk>", "a"], scores: [0, 0], types: [2, 1], unkId: 0, bosId: 5, eosId: nil, padId: nil, addDummyPrefix: true, path: "v") },
                       "v: invalid model: bos id 5 is outside the vocabulary (0..<2)")
        XCTAssertEqual(error { try .bpe(pieces: ["<unk>", "<0x00>"], scores: [0, 0], types: [2, 6], unkId: 0, bosId: nil, eosId: nil, padId: nil, addDummyPrefix: true, path: "v") },
                       "v: invalid model: byte_fallback is set but piece <0x01> is missing")
    }
}
