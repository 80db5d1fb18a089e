/// 64-bit hashes that are stable across processes and machines (Swift's `Hasher` is seeded per
/// process, so it never reaches a file): FNV-1a over bytes with a murmur3 finalizer.
public enum StableHash {
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }

    public static func hash<C: Sequence>(_ bytes: C, seed: UInt64 = 0) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }

    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for i in 0..<bytes.count { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }

    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        hash(string.utf8, seed: seed)
    }

    /// The worker (0..<count) a named input belongs to in an array job: a stable hash of `key`,
    /// so the assignment never depends on which other inputs exist.
    public static func bucket(_ key: String, count: Int) -> Int {
        Int(hash(key) % UInt64(max(count, 1)))
    }
}
