import Corpus

/// MinHash signatures over character shingles (Broder 1997), as datatrove's MinhashDedup and
/// text-dedup compute them: each shingle of `shingleCharacters` consecutive Unicode scalars
/// (whitespace included, text already normalized) is hashed to 64 bits, and permutation `i`
/// is the multiply-add hash `(a_i * h + b_i) >> 32`; the signature keeps each permutation's minimum.
public struct MinHasher: Sendable {
    public let permutations: Int
    public let shingleCharacters: Int
    private let multipliers: [UInt64]
    private let addends: [UInt64]

    public init(permutations: Int, shingleCharacters: Int, seed: UInt64) {
        self.permutations = permutations
        self.shingleCharacters = shingleCharacters
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return StableHash.mix(state)
        }
        var a: [UInt64] = [], b: [UInt64] = []
        for _ in 0..<permutations {
            a.append(next() | 1)
            b.append(next())
        }
        multipliers = a
        addends = b
    }

    /// The signature of normalized UTF-8 text (`permutations` values). A text shorter than one
    /// shingle is hashed as a single shingle.
    public func signature(_ b: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        // Scalar start offsets, so a shingle is a byte range.
        var starts: [Int] = []
        starts.reserveCapacity(b.count)
        for i in 0..<b.count where b[i] & 0xC0 != 0x80 { starts.append(i) }
        starts.append(b.count)
        let shingles = max(starts.count - shingleCharacters, 1)
        var hashes = [UInt64](repeating: 0, count: shingles)
        for s in 0..<shingles {
            let end = starts[min(s + shingleCharacters, starts.count - 1)]
            hashes[s] = StableHash.hash(UnsafeBufferPointer(rebasing: b[starts[s]..<end]))
        }
        var signature = [UInt32](repeating: .max, count: permutations)
        multipliers.withUnsafeBufferPointer { a in
            addends.withUnsafeBufferPointer { c in
                signature.withUnsafeMutableBufferPointer { sig in
                    for h in hashes {
                        for p in 0..<sig.count {
                            let v = UInt32(truncatingIfNeeded: (a[p] &* h &+ c[p]) >> 32)
                            if v < sig[p] { sig[p] = v }
                        }
                    }
                }
            }
        }
        return signature
    }

    /// The estimated Jaccard similarity of two signatures: the share of equal values.
    public static func similarity(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Double {
        var equal = 0
        for i in 0..<x.count where x[i] == y[i] { equal += 1 }
        return Double(equal) / Double(max(x.count, 1))
    }
}
