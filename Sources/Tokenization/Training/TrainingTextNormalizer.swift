import Glibc

/// Normalizes one training sentence the way SentencePiece's trainer does before counting
/// (trainer_interface.cc's `LoadSentences`): the model's own normalizer (`SentencePieceNormalizer`
/// with the rule's precompiled charsmap and `add_dummy_prefix`, `remove_extra_whitespaces`,
/// `escape_whitespaces` on: leading/trailing spaces dropped, runs collapsed, every space and the
/// dummy prefix written as `▁`), then `GlobalReplace` of meta pieces: any occurrence of
/// `<unk>`, `<s>`, `</s>`, a control/user-defined symbol or a byte piece becomes the
/// pretokenization boundary U+001F, which later becomes the unknown character and so blocks
/// merges across it. Training and encoding therefore normalize with the same charsmap.
struct TrainingTextNormalizer {
    static let boundary: UInt8 = 0x1F

    private let normalizer: SentencePieceNormalizer
    /// Meta pieces indexed by their first byte, longest first (PrefixMatcher's longest match).
    private let metaByFirstByte: [[[UInt8]]]

    init(normalization: BPETrainerOptions.Normalization, metaPieces: [String]) throws {
        normalizer = try SentencePieceNormalizer(spec: normalization.normalizerSpec, treatWhitespaceAsSuffix: false,
                                                 userSymbols: nil, path: "<\(normalization.rawValue) rule>")
        var table = [[[UInt8]]](repeating: [], count: 256)
        for piece in metaPieces where !piece.isEmpty {
            let bytes = Array(piece.utf8)
            table[Int(bytes[0])].append(bytes)
        }
        for i in 0..<256 { table[i].sort { $0.count > $1.count } }
        metaByFirstByte = table
    }

    /// Writes the normalized form of `line` (valid UTF-8) into `out`; empty when nothing is left.
    func normalize(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], scratch: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        normalizer.normalize(line, into: &scratch)
        replaceMetaPieces(scratch, into: &out)
    }

    /// Copies `text` into `out` in runs, stopping only at bytes some meta piece starts with.
    private func replaceMetaPieces(_ text: [UInt8], into out: inout [UInt8]) {
        text.withUnsafeBufferPointer { t in
            let n = t.count
            var i = 0
            var runStart = 0
            while i < n {
                let candidates = metaByFirstByte[Int(t[i])]
                if candidates.isEmpty {
                    i += 1
                    continue
                }
                var matched = 0
                for piece in candidates where piece.count <= n - i {
                    if piece.withUnsafeBufferPointer({ memcmp($0.baseAddress!, t.baseAddress! + i, piece.count) == 0 }) {
                        matched = piece.count
                        break
                    }
                }
                if matched > 0 {
                    out.append(contentsOf: t[runStart..<i])
                    out.append(Self.boundary)
                    i += matched
                    runStart = i
                } else {
                    i += 1
                }
            }
            out.append(contentsOf: t[runStart..<n])
        }
    }
}
