import Corpus

/// A feature vector with few non-zero entries: ascending, distinct bucket indices and their values.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]
}

/// Hashed character n-grams of a short text, fastText / Vowpal Wabbit style: the text in NFC, each
/// run of whitespace one `▁` and a `▁` at both ends (so word starts and ends are n-grams of their
/// own), every n-gram of 1...`maxN` Unicode scalars hashed (`StableHash` of its UTF-8, seeded with
/// n) into 2^`bucketBits` buckets; counts scaled to unit L2 norm. Hangul syllables are single
/// scalars in NFC, so a trigram spans up to three syllables.
public struct CharNGramFeaturizer: Sendable, Equatable, Codable {
    public static let spaceMarker: Unicode.Scalar = "\u{2581}"

    public var bucketBits: Int
    public var maxN: Int

    public init(bucketBits: Int = 20, maxN: Int = 3) {
        precondition((1...30).contains(bucketBits) && maxN >= 1, "bucketBits in 1...30, maxN >= 1")
        self.bucketBits = bucketBits
        self.maxN = maxN
    }

    public var bucketCount: Int { 1 << bucketBits }

    public func features(_ text: String) throws -> SparseVector {
        var scalars: [Unicode.Scalar] = [Self.spaceMarker]
        for s in try ICU.normalize(text, .nfc).unicodeScalars {
            if !s.properties.isWhitespace { scalars.append(s) } else if scalars.last != Self.spaceMarker { scalars.append(Self.spaceMarker) }
        }
        if scalars.last != Self.spaceMarker || scalars.count == 1 { scalars.append(Self.spaceMarker) }
        var bytes: [UInt8] = []
        var starts: [Int] = [] // byte offset of each scalar, then the end
        for s in scalars {
            starts.append(bytes.count)
            UTF8.encode(s) { bytes.append($0) }
        }
        starts.append(bytes.count)
        let scalarCount = starts.count - 1
        let mask = UInt64(bucketCount - 1)
        var hashed: [Int32] = []
        hashed.reserveCapacity(scalarCount * maxN)
        bytes.withUnsafeBufferPointer { b in
            for n in 1...maxN where n <= scalarCount {
                for i in 0...(scalarCount - n) {
                    let gram = UnsafeBufferPointer(rebasing: b[starts[i]..<starts[i + n]])
                    hashed.append(Int32(truncatingIfNeeded: StableHash.hash(gram, seed: UInt64(n)) & mask))
                }
            }
        }
        hashed.sort()
        var vector = SparseVector(indices: [], values: [])
        for h in hashed {
            if vector.indices.last == h { vector.values[vector.values.count - 1] += 1 } else {
                vector.indices.append(h)
                vector.values.append(1)
            }
        }
        let norm = vector.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in vector.values.indices { vector.values[j] /= norm }
        return vector
    }
}
