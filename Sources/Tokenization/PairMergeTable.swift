/// (left piece id, right piece id) → id of the piece spelled by their concatenation, for every
/// split of every piece BPE may form: the merge rules implied by a SentencePiece vocabulary.
/// Lets the BPE loop test a pair of known symbols with one integer hash instead of hashing and
/// comparing the concatenated bytes (pairs involving an out-of-vocabulary character still use
/// the byte lookup, as sentencepiece allows such merges too).
///
/// Each slot is one `UInt64` holding left, right and merged ids (21 bits each), so a lookup
/// touches one cache line: the table is larger than L2 for a 50,000-piece vocabulary, and the
/// miss on this load was the largest single cost of encoding with a merged Korean tokenizer.
struct PairMergeTable: Sendable {
    private let slots: [UInt64]
    private let mask: Int
    /// Ids must fit in 21 bits; larger vocabularies fall back to the byte lookup (`merged` = -2).
    private let enabled: Bool

    static let idBits: UInt64 = 21
    private static let idMask: UInt64 = (1 << idBits) - 1
    private static let empty = UInt64.max

    init(table: PieceTable, pieceCount: Int, mergeable: [Bool]) {
        var entries: [(left: Int32, right: Int32, value: Int32)] = []
        if pieceCount < (1 << Int(Self.idBits)) - 1 {
            for id in 0..<pieceCount where mergeable[id] {
                let bytes = Array(table.bytes(of: id))
                bytes.withUnsafeBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    var cut = 0
                    while true {
                        cut += max(1, UTF8Scanner.characterLength(base + cut, b.count - cut))
                        if cut >= b.count { break }
                        let l = table.id(base, cut), r = table.id(base + cut, b.count - cut)
                        if l >= 0 && r >= 0 { entries.append((l, r, Int32(id))) }
                    }
                }
            }
        }
        self.init(entries: entries, enabled: pieceCount < (1 << Int(Self.idBits)) - 1)
    }

    /// A table of explicit `(left, right) -> value` entries (ids and values below 2^21 - 1;
    /// the last entry of a repeated pair wins, as in `tokenizers`' merge map); a byte-level BPE stores merge ranks as values.
    init(entries: [(left: Int32, right: Int32, value: Int32)], enabled: Bool = true) {
        self.enabled = enabled
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: Self.empty, count: capacity)
        let mask = capacity - 1
        for entry in entries {
            let k = PairMergeTable.key(entry.left, entry.right)
            var slot = PairMergeTable.slot(k, mask)
            while slots[slot] != Self.empty && slots[slot] & ~Self.idMask != k { slot = (slot + 1) & mask }
            slots[slot] = k | UInt64(UInt32(entry.value))
        }
        self.slots = slots
        self.mask = mask
    }

    /// The largest id or value the packed slots hold.
    static let maximumValue = Int32((1 << idBits) - 2)

    /// Left and right ids in the top 42 bits; the merged id goes in the low 21.
    @inline(__always) private static func key(_ l: Int32, _ r: Int32) -> UInt64 {
        UInt64(UInt32(l)) << (2 * idBits) | UInt64(UInt32(r)) << idBits
    }
    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// The merged piece id, -1 when the pair merges into no piece, or -2 when this table does
    /// not cover the vocabulary (ask the piece table by bytes).
    @inline(__always)
    func merged(_ l: Int32, _ r: Int32) -> Int32 {
        guard enabled else { return -2 }
        let k = PairMergeTable.key(l, r)
        var slot = PairMergeTable.slot(k, mask)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let found = slots[slot]
                if found == Self.empty { return -1 }
                if found & ~Self.idMask == k { return Int32(truncatingIfNeeded: found & Self.idMask) }
                slot = (slot + 1) & mask
            }
        }
    }
}
