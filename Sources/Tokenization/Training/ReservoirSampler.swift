/// Uniform sample of `capacity` sentences (Algorithm R) with a seeded SplitMix64 generator.
/// spm samples the same way with its own generator, so the chosen sentences differ from spm's.
struct ReservoirSampler {
    let capacity: Int
    private var state: UInt64
    private(set) var items: [[UInt8]] = []
    private(set) var origins: [(path: String, line: Int)] = []
    private var seen = 0

    init(capacity: Int, seed: UInt64) {
        self.capacity = capacity
        state = seed
    }

    private mutating func nextRandom() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func add(_ item: [UInt8], origin: (path: String, line: Int)) {
        seen += 1
        if items.count < capacity {
            items.append(item)
            origins.append(origin)
            return
        }
        let j = Int(nextRandom() % UInt64(seen))
        if j < capacity {
            items[j] = item
            origins[j] = origin
        }
    }
}

