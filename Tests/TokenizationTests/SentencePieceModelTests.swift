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
}
