/// Counts of distinct byte strings (whitespace-delimited words) in one contiguous arena:
/// open addressing with linear probing, looked up with borrowed bytes so counting a word
/// allocates nothing. Never iterated in hash order by callers that need determinism:
/// `sortedByFrequency()` gives spm's `Sorted()` order (count descending, then bytes ascending).
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

    /// The bytes of entry `id`.
    func bytes(_ id: Int) -> ArraySlice<UInt8> {
        arena[offsets[id]..<(offsets[id] + Int(lengths[id]))]
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

    /// Entry ids in spm's `Sorted()` order: count descending, then bytes ascending.
    func sortedByFrequency() -> [Int] {
        arena.withUnsafeBufferPointer { a in
            (0..<counts.count).sorted { x, y in
                if counts[x] != counts[y] { return counts[x] > counts[y] }
                let bx = UnsafeBufferPointer(rebasing: a[offsets[x]..<(offsets[x] + Int(lengths[x]))])
                let by = UnsafeBufferPointer(rebasing: a[offsets[y]..<(offsets[y] + Int(lengths[y]))])
                return bx.lexicographicallyPrecedes(by)
            }
        }
    }
}
