/// Read-only view of a darts-clone double-array trie (the format sentencepiece stores inside
/// `precompiled_charsmap`): 32-bit little-endian units; `commonPrefixSearch` mirrors
/// `Darts::DoubleArray::commonPrefixSearch`.
struct DoubleArrayTrie: Sendable {
    private let units: [UInt32]

    init(units: [UInt32]) {
        self.units = units
    }

    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> UInt32 { u & ((1 << 31) - 1) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & ((1 << 31) | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// The longest key that is a prefix of `count` bytes at `p` (considering, like sentencepiece,
    /// at most the first 32 matches): `(length, value)`, or nil when no key matches.
    func longestPrefix(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, value: Int)? {
        if units.isEmpty { return nil }
        return units.withUnsafeBufferPointer { u -> (length: Int, value: Int)? in
            var best: (length: Int, value: Int)?
            var found = 0
            var node = DoubleArrayTrie.offset(u[0])
            for i in 0..<count {
                let c = Int(p[i])
                node ^= c
                if node >= u.count { return best }
                let unit = u[node]
                if DoubleArrayTrie.label(unit) != UInt32(c) { return best }
                node ^= DoubleArrayTrie.offset(unit)
                if DoubleArrayTrie.hasLeaf(unit) {
                    if node >= u.count { return best }
                    if found < 32 { best = (i + 1, Int(DoubleArrayTrie.value(u[node]))) }
                    found += 1
                }
            }
            return best
        }
    }
}
