import Glibc

/// Counts of distinct byte strings (whitespace-delimited words) in one contiguous arena:
/// open addressing with linear probing, looked up with borrowed bytes so counting a word
/// allocates nothing. Never iterated in hash order by callers that need determinism:
/// `sortedByFrequency(_:_:_:)` gives spm's `Sorted()` order (count descending, then bytes ascending).
struct WordTable {
    private(set) var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private var hashes: [UInt64] = []
    private(set) var counts: [Int] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { counts.count }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// Adds `count` to the entry for `bytes`, creating it when new.
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, count: Int) {
        add(bytes, hash: Self.hash(bytes), count: count)
    }

    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, count: Int) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { break }
            if hashes[id] == hash && Int(lengths[id]) == bytes.count && equals(id, bytes) {
                counts[id] += count
                return
            }
            slot = (slot + 1) & mask
        }
        let id = counts.count
        slots[slot] = Int32(id)
        offsets.append(arena.count)
        lengths.append(Int32(bytes.count))
        hashes.append(hash)
        counts.append(count)
        arena.append(contentsOf: bytes)
        if counts.count * 2 > slots.count { grow() }
    }

    private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        arena.withUnsafeBufferPointer { a in
            let start = offsets[id]
            for k in 0..<bytes.count where a[start + k] != bytes[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for id in 0..<counts.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// Where entry `id` lies in `arena`.
    func span(_ id: Int) -> Range<Int> {
        offsets[id]..<(offsets[id] + Int(lengths[id]))
    }

    /// Adds every entry of `other` into this table.
    mutating func merge(_ other: WordTable) {
        other.arena.withUnsafeBufferPointer { a in
            for id in 0..<other.counts.count {
                let slice = UnsafeBufferPointer(rebasing: a[other.offsets[id]..<(other.offsets[id] + Int(other.lengths[id]))])
                add(slice, hash: other.hashes[id], count: other.counts[id])
            }
        }
    }

    /// The entries `ids` of `first` and every entry of `second`, as (table 0 or 1, id), in
    /// spm's `Sorted()` order: count descending, then bytes ascending (memcmp).
    static func sortedByFrequency(_ first: WordTable, _ ids: [Int], _ second: WordTable) -> [(table: Int, id: Int)] {
        // Flatten both tables into (count, pointer, length) records so comparisons touch no
        // reference-counted storage.
        typealias Record = (count: Int, start: UnsafePointer<UInt8>?, length: Int, table: Int, id: Int)
        var records: [Record] = []
        records.reserveCapacity(ids.count + second.count)
        var entries: [(table: Int, id: Int)] = []
        first.arena.withUnsafeBufferPointer { a0 in
            second.arena.withUnsafeBufferPointer { a1 in
                for id in ids {
                    records.append((first.counts[id], a0.baseAddress.map { $0 + first.offsets[id] }, Int(first.lengths[id]), 0, id))
                }
                for id in 0..<second.count {
                    records.append((second.counts[id], a1.baseAddress.map { $0 + second.offsets[id] }, Int(second.lengths[id]), 1, id))
                }
                records.sort { x, y in
                    if x.count != y.count { return x.count > y.count }
                    let c = memcmp(x.start!, y.start!, min(x.length, y.length))  // words are never empty
                    return c != 0 ? c < 0 : x.length < y.length
                }
                entries = records.map { ($0.table, $0.id) }
            }
        }
        return entries
    }
}
