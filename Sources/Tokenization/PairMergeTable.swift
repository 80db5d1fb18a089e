/// (left piece id, right piece id) → id of the piece spelled by their concatenation, for every
/// split of every piece BPE may form: the merge rules implied by a SentencePiece vocabulary.
/// Lets the BPE loop test a pair of known symbols with one integer hash instead of hashing and
/// comparing the concatenated bytes (pairs involving an out-of-vocabulary character still use
/// the byte lookup, as sentencepiece allows such merges too).
struct PairMergeTable: Sendable {
    private let keys: [UInt64]
    private let values: [Int32]
    private let mask: Int

    init(table: PieceTable, pieceCount: Int, mergeable: [Bool]) {
        var entries: [(UInt64, Int32)] = []
        for id in 0..<pieceCount where mergeable[id] {
            let bytes = Array(table.bytes(of: id))
            bytes.withUnsafeBufferPointer { b in
                guard let base = b.baseAddress else { return }
                var cut = 0
                while true {
                    cut += max(1, UTF8Scanner.characterLength(base + cut, b.count - cut))
                    if cut >= b.count { break }
                    let l = table.id(base, cut), r = table.id(base + cut, b.count - cut)
                    if l >= 0 && r >= 0 { entries.append((PairMergeTable.key(l, r), Int32(id))) }
                }
            }
        }
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var keys = [UInt64](repeating: .max, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (k, v) in entries {
            var slot = PairMergeTable.slot(k, mask)
            while keys[slot] != .max && keys[slot] != k { slot = (slot + 1) & mask }
            keys[slot] = k
            values[slot] = v
        }
        self.keys = keys
        self.values = values
        self.mask = mask
    }

    @inline(__always) private static func key(_ l: Int32, _ r: Int32) -> UInt64 { UInt64(UInt32(l)) << 32 | UInt64(UInt32(r)) }
    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// The merged piece id, or -1.
    @inline(__always)
    func merged(_ l: Int32, _ r: Int32) -> Int32 {
        let k = PairMergeTable.key(l, r)
        var slot = PairMergeTable.slot(k, mask)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == k { return values[slot] }
                if found == .max { return -1 }
                slot = (slot + 1) & mask
            }
        }
    }
}
