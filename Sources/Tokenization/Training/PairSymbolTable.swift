/// The merger's pair-symbol cache (spm's `symbols_cache_` for bigrams): a (left, right) key
/// to a symbol id, `invalid` for pairs that are not valid pieces, or absent. Open addressing
/// with a cheap integer mixer instead of `Dictionary`'s seeded SipHash, since it is looked up
/// four times per merged occurrence. Removal leaves the slot as `absent` for that key, so a
/// later insert of the same key reuses it.
struct PairSymbolTable {
    static let invalid: Int32 = -1
    private static let absent: Int32 = -2

    private var keys: [UInt64]
    private var values: [Int32]
    private var used = 0
    private var mask: Int

    init(capacity: Int = 1 << 20) {
        var size = 1024
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: Self.absent, count: size)
        mask = size - 1
    }

    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Keys are stored plus one, so 0 marks a never-used slot (ids are below 2^31).
    private func find(_ key: UInt64) -> (slot: Int, found: Bool) {
        var s = Self.slot(key, mask)
        while true {
            if keys[s] == 0 { return (s, false) }
            if keys[s] == key &+ 1 { return (s, true) }
            s = (s + 1) & mask
        }
    }

    /// The cached value for the pair, nil when absent.
    func lookup(_ key: UInt64) -> Int32? {
        let (s, found) = find(key)
        if !found || values[s] == Self.absent { return nil }
        return values[s]
    }

    mutating func set(_ key: UInt64, _ value: Int32) {
        let (s, found) = find(key)
        keys[s] = key &+ 1
        values[s] = value
        if !found {
            used += 1
            if used * 2 > keys.count { grow() }
        }
    }

    mutating func remove(_ key: UInt64) {
        let (s, found) = find(key)
        if found { values[s] = Self.absent }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = keys.count * 2
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: Self.absent, count: size)
        mask = size - 1
        for i in 0..<oldKeys.count where oldKeys[i] != 0 {
            var s = Self.slot(oldKeys[i] &- 1, mask)
            while keys[s] != 0 { s = (s + 1) & mask }
            keys[s] = oldKeys[i]
            values[s] = oldValues[i]
        }
    }
}
