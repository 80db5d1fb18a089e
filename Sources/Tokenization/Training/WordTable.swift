import Glibc

/// Counts of distinct byte strings (whitespace-delimited words) in one contiguous arena:
/// open addressing with linear probing, looked up with borrowed bytes so counting a word
/// allocates nothing. Never iterated in hash order by callers that need determinism:
/// `forEachSortedByFrequency(_:_:_:_:)` gives spm's `Sorted()` order (count descending, then bytes ascending).
///
/// Each slot packs a 32-bit tag of the hash with the entry id, so a probe that meets another
/// word is rejected without touching the entry arrays: with 1.6 M words the table is far larger
/// than the caches, and those extra misses were the trainer's largest single cost.
struct WordTable {
    private(set) var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private(set) var counts: [Int] = []
    /// `tag << 32 | (id + 1)`; 0 is an empty slot.
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { counts.count }

    /// 64-bit hash, eight bytes at a time (the low bits pick the slot, the high 32 are the tag).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0x9E37_79B9_7F4A_7C15 }
        let raw = UnsafeRawPointer(base)
        var h = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }

    /// Adds `count` to the entry for `bytes`, creating it when new.
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, count: Int) {
        let hash = Self.hash(bytes)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(entry & 0xFFFF_FFFF) - 1
                if Int(lengths[id]) == bytes.count && equals(id, bytes) {
                    counts[id] += count
                    return
                }
            }
            slot = (slot + 1) & mask
        }
        let id = counts.count
        slots[slot] = tag | UInt64(id + 1)
        offsets.append(arena.count)
        lengths.append(Int32(bytes.count))
        counts.append(count)
        arena.append(contentsOf: bytes)
        if counts.count * 2 > slots.count { grow() }
    }

    private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let b = bytes.baseAddress, !bytes.isEmpty else { return true }  // lengths already match
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + offsets[id], b, bytes.count) == 0 }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var grown = [UInt64](repeating: 0, count: size)
        mask = size - 1
        arena.withUnsafeBufferPointer { a in
            for id in 0..<counts.count {
                let hash = Self.hash(UnsafeBufferPointer(rebasing: a[span(id)]))
                var slot = Int(truncatingIfNeeded: hash) & mask
                while grown[slot] != 0 { slot = (slot + 1) & mask }
                grown[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
            }
        }
        slots = grown
    }

    /// Where entry `id` lies in `arena`.
    func span(_ id: Int) -> Range<Int> {
        offsets[id]..<(offsets[id] + Int(lengths[id]))
    }

    /// Adds every entry of `other` into this table.
    mutating func merge(_ other: WordTable) {
        other.arena.withUnsafeBufferPointer { a in
            for id in 0..<other.counts.count {
                add(UnsafeBufferPointer(rebasing: a[other.span(id)]), count: other.counts[id])
            }
        }
    }

    /// Calls `body` with the bytes and count of the entries `ids` of `first` and every entry of
    /// `second`, in spm's `Sorted()` order: count descending, then bytes ascending (memcmp).
    static func forEachSortedByFrequency(_ first: WordTable, _ ids: [Int], _ second: WordTable,
                                         _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        // Flat records; the first eight bytes, big-endian, decide most comparisons without
        // following the pointer (equal prefixes fall back to the full memcmp order).
        struct Record {
            var count: Int
            var prefix: UInt64
            var start: UnsafePointer<UInt8>
            var length: Int
        }
        func record(_ a: UnsafeBufferPointer<UInt8>, _ table: WordTable, _ id: Int) -> Record {
            let start = a.baseAddress! + table.offsets[id]
            let length = Int(table.lengths[id])
            var prefix: UInt64 = 0
            for k in 0..<8 { prefix = prefix << 8 | UInt64(k < length ? start[k] : 0) }
            return Record(count: table.counts[id], prefix: prefix, start: start, length: length)
        }
        first.arena.withUnsafeBufferPointer { a0 in
            second.arena.withUnsafeBufferPointer { a1 in
                var records: [Record] = []
                records.reserveCapacity(ids.count + second.count)
                for id in ids { records.append(record(a0, first, id)) }
                for id in 0..<second.count { records.append(record(a1, second, id)) }  // words are never empty
                records.sort { x, y in
                    if x.count != y.count { return x.count > y.count }
                    if x.prefix != y.prefix { return x.prefix < y.prefix }
                    let c = memcmp(x.start, y.start, min(x.length, y.length))
                    return c != 0 ? c < 0 : x.length < y.length
                }
                for r in records { body(UnsafeBufferPointer(start: r.start, count: r.length), r.count) }
            }
        }
    }
}
