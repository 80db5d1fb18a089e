import Glibc

/// Final BPE segmentations of the `▁`-run-delimited segments one encoding call has already seen
/// (a batch worker keeps one for all its lines; the word cache of HF tokenizers, for SentencePiece BPE). Valid only for models where no
/// mergeable or user-defined piece spans the start of a `▁` run (see
/// `SentencePieceProcessor.segmentsAreIndependent`): there BPE never merges across such a
/// point, so a segment's result does not depend on its neighbours.
///
/// Keys are looked up with borrowed bytes (open addressing, linear probing), so a hit allocates
/// nothing; when `maxEntries` is reached the cache starts over, which bounds its memory.
struct SegmentCache {
    /// One piece of a cached segmentation: a byte range relative to the segment, and its id
    /// (negative for a character outside the vocabulary, as `segment` reports it).
    struct Piece {
        var start: Int32
        var length: Int32
        var id: Int32
    }

    private struct Entry {
        var keyStart: Int
        var keyLength: Int32
        var piecesStart: Int32
        var piecesCount: Int32
        var hash: UInt64
    }

    static let maxEntries = 1 << 14
    /// Longer segments (long runs of unspaced text) are encoded each time instead.
    static let maxSegmentBytes = 128

    private var keys: [UInt8] = []
    private var entries: [Entry] = []
    private(set) var pieces: [Piece] = []
    /// Empty until the first insert, then grown by doubling up to `maxEntries * 2`, so a short
    /// encode pays for a small table only.
    private var slots: [Int32] = []

    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in 0..<count { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The range of `pieces` cached for the `count` bytes at `p`, or nil.
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int, hash: UInt64) -> Range<Int>? {
        if slots.isEmpty { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = Int(slots[slot])
            if e < 0 { return nil }
            let entry = entries[e]
            if entry.hash == hash && Int(entry.keyLength) == count
                && keys.withUnsafeBufferPointer({ memcmp($0.baseAddress! + entry.keyStart, p, count) == 0 }) {
                return Int(entry.piecesStart)..<Int(entry.piecesStart + entry.piecesCount)
            }
            slot = (slot + 1) & mask
        }
    }

    private func freeSlot(_ hash: UInt64) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        return slot
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: max(64, slots.count * 2))
        for (e, entry) in entries.enumerated() { slots[freeSlot(entry.hash)] = Int32(e) }
    }

    /// Caches the segmentation `starts`/`lengths`/`ids` for the `count` bytes at `p` (not already cached).
    mutating func insert(_ p: UnsafePointer<UInt8>, _ count: Int, hash: UInt64, starts: [Int32], lengths: [Int32], ids: [Int32]) {
        if entries.count == Self.maxEntries {
            keys.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            pieces.removeAll(keepingCapacity: true)
            for k in slots.indices { slots[k] = -1 }
        } else if (entries.count + 1) * 2 > slots.count {
            grow()
        }
        slots[freeSlot(hash)] = Int32(entries.count)
        entries.append(Entry(keyStart: keys.count, keyLength: Int32(count), piecesStart: Int32(pieces.count),
                             piecesCount: Int32(ids.count), hash: hash))
        keys.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        for k in ids.indices { pieces.append(Piece(start: starts[k], length: lengths[k], id: ids[k])) }
    }
}
