import Foundation

/// How the scores of appended pieces are chosen when merging vocabularies.
public enum MergeScorePolicy: String, Sendable, CaseIterable {
    /// Default. Only pieces containing Hangul are appended, scored below every base score in their
    /// original relative order: text without Hangul can never form a new piece, so it tokenizes
    /// exactly as with the base, and a new piece only wins where no base merge applies.
    case belowBase = "below-base"
    /// Every new piece is appended with score 0, as the Chinese-LLaMA merge script does; new
    /// pieces then outrank every base merge, which also changes some non-Korean tokenization.
    case chineseLLaMA = "chinese-llama"
}

/// One appended piece: its new id, spelling, and how the base tokenizer splits it (for
/// initializing its embedding, e.g. as the mean of those base embeddings).
public struct AddedPiece: Sendable, Equatable {
    public var id: Int
    public var piece: String
    public var baseIds: [Int32]
}

/// Extends a base SentencePiece BPE vocabulary with the pieces of a second BPE model, the
/// Chinese-LLaMA / Ko-LLaMA recipe: base pieces, ids, scores, normalizer and special tokens stay
/// untouched; new pieces are appended after them and `trainer_spec.vocab_size` is updated.
/// Appended pieces keep their type: NORMAL stays NORMAL, and USER_DEFINED stays USER_DEFINED,
/// so sentencepiece still emits such a piece whole wherever it occurs, as the added model did.
public enum VocabularyMerger {
    public struct Result: Sendable {
        public var model: SentencePieceModel
        /// The files the two models came from (named in errors and reports).
        public var basePath: String
        public var addPath: String
        public var added: [AddedPiece]
        /// Pieces of the added model already present in the base.
        public var overlap: Int
        /// Pieces the policy left out (non-Hangul under `below-base`).
        public var skippedByPolicy: Int
        /// Control, unknown, byte and unused pieces of the added model (never appended).
        public var skippedSpecial: Int
    }

    /// Merges `add` into `base`; the paths name the models in errors. Both must be BPE models:
    /// a UNIGRAM model's scores are log probabilities, not merge priorities, and its pieces need
    /// not be reachable by BPE merges.
    public static func merge(base: SentencePieceModel, basePath: String, add: SentencePieceModel, addPath: String,
                             policy: MergeScorePolicy) throws -> Result {
        let baseProcessor = try SentencePieceProcessor(model: base, path: basePath)
        let addType = add.proto.trainerSpec.modelType
        guard addType == .bpe else {
            throw TokenizationError.unsupportedModel(path: addPath, detail: "model_type \(String(describing: addType).uppercased()): only the pieces of a BPE model can be appended to a BPE vocabulary")
        }
        let addCandidates = add.pieces.filter { $0.type == .normal || $0.type == .userDefined }
        let belowBase = belowBaseScores(base: base, added: addCandidates.map(\.score))
        var proto = base.proto
        var seen = Set(base.pieces.map { Array($0.piece.utf8) })
        var added: [AddedPiece] = []
        var overlap = 0, skippedByPolicy = 0
        for (k, p) in addCandidates.enumerated() {
            if seen.contains(Array(p.piece.utf8)) {
                overlap += 1
                continue
            }
            var piece = Sentencepiece_ModelProto.SentencePiece()
            piece.piece = p.piece
            piece.type = p.type
            switch policy {
            case .belowBase:
                guard containsHangul(p.piece) else {
                    skippedByPolicy += 1
                    continue
                }
                piece.score = belowBase[k]
            case .chineseLLaMA:
                piece.score = 0
            }
            seen.insert(Array(p.piece.utf8))
            added.append(AddedPiece(id: proto.pieces.count, piece: p.piece, baseIds: baseProcessor.encodeNormalized(Array(p.piece.utf8))))
            proto.pieces.append(piece)
        }
        proto.trainerSpec.vocabSize = Int32(proto.pieces.count)
        return Result(model: SentencePieceModel(proto: proto), basePath: basePath, addPath: addPath, added: added, overlap: overlap,
                      skippedByPolicy: skippedByPolicy, skippedSpecial: add.pieces.count - addCandidates.count)
    }

    /// Scores strictly below every base score, in the order of `added` (equal scores stay equal,
    /// distinct ones stay distinct): consecutive floats downward from the lowest base score, since
    /// bases like LLaMA and Mistral use scores near -1e9, where float spacing is 64.
    static func belowBaseScores(base: SentencePieceModel, added: [Float]) -> [Float] {
        var next = (base.pieces.map(\.score).min() ?? 0).nextDown
        var result = [Float](repeating: 0, count: added.count)
        let order = added.indices.sorted { added[$0] != added[$1] ? added[$0] > added[$1] : $0 < $1 }
        for (rank, i) in order.enumerated() {
            if rank > 0 && added[i] != added[order[rank - 1]] { next = next.nextDown }
            result[i] = next
        }
        return result
    }

    /// Hangul syllables, jamo, compatibility jamo and the extended jamo blocks.
    public static func isHangul(_ v: UInt32) -> Bool {
        (0xAC00...0xD7A3).contains(v) || (0x1100...0x11FF).contains(v) || (0x3130...0x318F).contains(v)
            || (0xA960...0xA97F).contains(v) || (0xD7B0...0xD7FF).contains(v)
    }

    public static func containsHangul(_ s: String) -> Bool {
        s.unicodeScalars.contains { isHangul($0.value) }
    }
}
