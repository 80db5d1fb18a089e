import Corpus
import Foundation
import SwiftProtobuf

/// A SentencePiece model file (`.model`): the `ModelProto` that google/sentencepiece reads and
/// writes, with the trainer and normalizer specs embedded so the model describes itself.
/// Loading validates what the encoder relies on and names the file in every error.
public struct SentencePieceModel: Sendable {
    public var proto: Sentencepiece_ModelProto

    public init(proto: Sentencepiece_ModelProto) {
        self.proto = proto
    }

    public var pieces: [Sentencepiece_ModelProto.SentencePiece] { proto.pieces }

    /// A BPE model from a bare vocabulary, as a GGUF file (`tokenizer.ggml.model = llama`) holds
    /// one: pieces with scores and types in sentencepiece's numbering (1 normal, 2 unknown,
    /// 3 control, 4 user-defined, 5 unused, 6 byte, which llama.cpp's token types share), the
    /// special ids (nil for none), and LLaMA's identity normalizer (`addDummyPrefix`, whitespace
    /// escaped to U+2581, not collapsed); byte fallback is on when the vocabulary has byte pieces.
    /// This is the `tokenizer.model` llama.cpp converted from, up to trainer-only options.
    /// `path` names the source in errors; the result is validated as `load` validates.
    public static func bpe(
        pieces: [String], scores: [Float], types: [Int],
        unkId: Int?, bosId: Int?, eosId: Int?, padId: Int?,
        addDummyPrefix: Bool, path: String
    ) throws -> SentencePieceModel {
        guard scores.count == pieces.count, types.count == pieces.count else {
            throw SentencePieceModelError.invalid(path: path, detail: "\(pieces.count) pieces, \(scores.count) scores and \(types.count) types")
        }
        var proto = Sentencepiece_ModelProto()
        proto.pieces.reserveCapacity(pieces.count)
        for i in pieces.indices {
            guard (1...6).contains(types[i]), let type = Sentencepiece_ModelProto.SentencePiece.TypeEnum(rawValue: types[i]) else {
                throw SentencePieceModelError.invalid(path: path, detail: "piece \(i) has type \(types[i]) (expected 1...6)")
            }
            var piece = Sentencepiece_ModelProto.SentencePiece()
            piece.piece = pieces[i]
            piece.score = scores[i]
            piece.type = type
            proto.pieces.append(piece)
        }
        var trainer = Sentencepiece_TrainerSpec()
        trainer.modelType = .bpe
        trainer.vocabSize = Int32(pieces.count)
        trainer.byteFallback = types.contains(Sentencepiece_ModelProto.SentencePiece.TypeEnum.byte.rawValue)
        func special(_ id: Int?, _ name: String) throws -> Int32 {
            guard let id else { return -1 }
            guard pieces.indices.contains(id) else {
                throw SentencePieceModelError.invalid(path: path, detail: "\(name) id \(id) is outside the vocabulary (0..<\(pieces.count))")
            }
            return Int32(id)
        }
        trainer.unkID = try special(unkId, "unk")
        trainer.bosID = try special(bosId, "bos")
        trainer.eosID = try special(eosId, "eos")
        trainer.padID = try special(padId, "pad")
        if let unkId { trainer.unkPiece = pieces[unkId] }
        if let bosId { trainer.bosPiece = pieces[bosId] }
        if let eosId { trainer.eosPiece = pieces[eosId] }
        if let padId { trainer.padPiece = pieces[padId] }
        proto.trainerSpec = trainer
        var normalizer = Sentencepiece_NormalizerSpec()
        normalizer.name = "identity"
        normalizer.addDummyPrefix = addDummyPrefix
        normalizer.removeExtraWhitespaces = false
        normalizer.escapeWhitespaces = true
        proto.normalizerSpec = normalizer
        let model = SentencePieceModel(proto: proto)
        try model.validate(path: path)
        return model
    }

    /// Reads and validates a `.model` file.
    public static func load(path: String) throws -> SentencePieceModel {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readAll(path)
        } catch {
            throw SentencePieceModelError.unreadable(path: path, detail: "\(error)")
        }
        let proto: Sentencepiece_ModelProto
        do {
            proto = try Sentencepiece_ModelProto(serializedBytes: bytes)
        } catch {
            throw SentencePieceModelError.corrupt(path: path, detail: "not a SentencePiece ModelProto (\(error))")
        }
        let model = SentencePieceModel(proto: proto)
        try model.validate(path: path)
        return model
    }

    /// Writes the model atomically.
    public func save(path: String) throws {
        let bytes: [UInt8] = try proto.serializedBytes()
        try AtomicFileWriter.write(bytes, to: path)
    }

    /// The `.vocab` text file spm_train writes beside a model: `piece<TAB>score` per line.
    public func vocabText() -> String {
        var out = ""
        for p in proto.pieces {
            let score = p.score
            var s = score == score.rounded() && abs(score) < 1e7 ? String(Int(score)) : String(score)
            if score == 0 && score.sign == .minus { s = "-0" }  // spm prints -0 for the first merge
            out += p.piece + "\t" + s + "\n"
        }
        return out
    }

    /// Checks the invariants sentencepiece itself enforces on load.
    public func validate(path: String) throws {
        if proto.pieces.isEmpty { throw SentencePieceModelError.invalid(path: path, detail: "the model has no pieces") }
        // Compared as bytes: Swift `String` equality is canonical equivalence, and real vocabularies
        // (LLaMA's) hold canonically equivalent but distinct pieces such as U+1F77 and U+03AF.
        var seen = Set<[UInt8]>()
        var unknowns = 0
        for (i, p) in proto.pieces.enumerated() {
            if p.piece.isEmpty { throw SentencePieceModelError.invalid(path: path, detail: "piece \(i) is empty") }
            if !seen.insert(Array(p.piece.utf8)).inserted {
                throw SentencePieceModelError.invalid(path: path, detail: "piece \(i) \"\(p.piece)\" is a duplicate")
            }
            if p.type == .unknown { unknowns += 1 }
        }
        if unknowns != 1 {
            throw SentencePieceModelError.invalid(path: path, detail: "expected exactly one <unk> piece, found \(unknowns)")
        }
        if proto.trainerSpec.byteFallback {
            for b in 0..<256 where !seen.contains(Array(String(format: "<0x%02X>", b).utf8)) {
                throw SentencePieceModelError.invalid(path: path, detail: String(format: "byte_fallback is set but piece <0x%02X> is missing", b))
            }
        }
    }
}

public enum SentencePieceModelError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, detail: String)
    case corrupt(path: String, detail: String)
    case invalid(path: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(path, detail): return "\(path): cannot read model: \(detail)"
        case let .corrupt(path, detail): return "\(path): corrupt model: \(detail)"
        case let .invalid(path, detail): return "\(path): invalid model: \(detail)"
        }
    }
}
