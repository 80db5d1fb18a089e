import Corpus

/// Normalizes one training sentence the way SentencePiece's trainer does before counting
/// (src/normalizer.cc `Normalize` with `add_dummy_prefix`, `remove_extra_whitespaces` and
/// `escape_whitespaces` on, then trainer_interface.cc's `GlobalReplace` of meta pieces):
/// leading/trailing spaces dropped, runs of spaces collapsed, every space and the dummy
/// prefix written as `▁` (U+2581), and any occurrence of a meta piece (`<unk>`, `<s>`,
/// `</s>`, control/user-defined symbols, byte pieces) replaced by the pretokenization
/// boundary U+001F, which later becomes the unknown character and so blocks merges across it.
///
/// `identity` maps no characters (only U+0020 counts as a space, as in spm). `nmt_nfkc` uses
/// ICU NFKC and then maps White_Space characters to U+0020 and drops other C0/C1 controls and
/// zero-width characters — close to, but not byte-for-byte, spm's precompiled charsmap.
struct TrainingTextNormalizer {
    static let whitespace: [UInt8] = [0xE2, 0x96, 0x81]
    static let boundary: UInt8 = 0x1F

    let normalization: BPETrainerOptions.Normalization
    /// Meta pieces indexed by their first byte, longest first (PrefixMatcher's longest match).
    private let metaByFirstByte: [[[UInt8]]]

    init(normalization: BPETrainerOptions.Normalization, metaPieces: [String]) {
        self.normalization = normalization
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
        switch normalization {
        case .identity:
            escapeWhitespace(line, into: &scratch)
        case .nmtNFKC:
            let mapped = Self.nmtMap(String(decoding: line, as: UTF8.self))
            var bytes = Array(mapped.utf8)
            bytes.withUnsafeMutableBufferPointer { escapeWhitespace(UnsafeBufferPointer($0), into: &scratch) }
        }
        replaceMetaPieces(scratch, into: &out)
    }

    private func escapeWhitespace(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = line.count
        while i < n && line[i] == 0x20 { i += 1 }
        if i == n { return }
        out.append(contentsOf: Self.whitespace)
        var previousSpace = true
        while i < n {
            let b = line[i]
            if b == 0x20 {
                if !previousSpace { out.append(contentsOf: Self.whitespace) }
                previousSpace = true
            } else {
                out.append(b)
                previousSpace = false
            }
            i += 1
        }
        while out.count >= 3 && out[out.count - 3] == 0xE2 && out[out.count - 2] == 0x96 && out[out.count - 1] == 0x81 {
            out.removeLast(3)
        }
    }

    private func replaceMetaPieces(_ text: [UInt8], into out: inout [UInt8]) {
        var i = 0
        let n = text.count
        while i < n {
            let candidates = metaByFirstByte[Int(text[i])]
            var matched = 0
            for piece in candidates where piece.count <= n - i {
                var equal = true
                for k in 1..<piece.count where text[i + k] != piece[k] { equal = false; break }
                if equal { matched = piece.count; break }
            }
            if matched > 0 {
                out.append(Self.boundary)
                i += matched
            } else {
                out.append(text[i])
                i += 1
            }
        }
    }

    /// NFKC, then NMT-style cleanup of whitespace and control characters.
    static func nmtMap(_ text: String) -> String {
        let nfkc = (try? ICU.normalize(text, .nfkc)) ?? text
        var result = String.UnicodeScalarView()
        for scalar in nfkc.unicodeScalars {
            let v = scalar.value
            if scalar.properties.isWhitespace {
                result.append(" ")
            } else if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x200B || v == 0xFEFF {
                continue
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
