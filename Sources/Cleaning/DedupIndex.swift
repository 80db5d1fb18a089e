import Corpus

/// What the corpus already holds, for exact and near-duplicate detection: per document its id
/// hash, the hash of its normalized text and its MinHash signature, with locality-sensitive
/// hashing tables (`bands` x `rows`) over the signatures. Memory grows with documents (about
/// 16 + 4 x permutations bytes each, plus the band tables), never with text bytes.
///
/// On disk (`<corpus>/clean/dedup/index-run<N>.bin`, little-endian, written atomically):
/// magic `KLDEDUP1`, u32 version (1), u32 permutations, u32 bands, u32 rows, u32 shingle
/// characters, u32 reserved, u64 seed, u64 count, then count x (u64 id hash, u64 text hash),
/// then count x permutations x u32 signature values.
public final class DedupIndex {
    public static let magic = Array("KLDEDUP1".utf8)
    public static let version: UInt32 = 1

    public let permutations: Int
    public let bands: Int
    public let rows: Int
    public let shingleCharacters: Int
    public let seed: UInt64
    public let threshold: Double
    private var idHashes: [UInt64] = []
    private var textHashes: [UInt64] = []
    private var signatures: [UInt32] = []
    private var ids = Set<UInt64>()
    private var texts = Set<UInt64>()
    private var bandTables: [[UInt64: [Int32]]]

    public var count: Int { idHashes.count }

    public init(policy: CleaningPolicy) {
        permutations = policy.minHashPermutations
        bands = policy.minHashBands
        rows = policy.minHashRows
        shingleCharacters = policy.shingleCharacters
        seed = policy.minHashSeed
        threshold = policy.nearDuplicateThreshold
        bandTables = Array(repeating: [:], count: policy.minHashBands)
    }

    public func containsID(_ idHash: UInt64) -> Bool { ids.contains(idHash) }

    /// `.exactDuplicate` or `.nearDuplicate` when the index holds a match, nil otherwise.
    /// Near-duplicate candidates (sharing a band) are verified by estimated Jaccard >= threshold.
    public func duplicate(textHash: UInt64, signature: [UInt32]) -> FilterReason? {
        if texts.contains(textHash) { return .exactDuplicate }
        return signature.withUnsafeBufferPointer { sig in
            signatures.withUnsafeBufferPointer { all in
                for band in 0..<bands {
                    guard let candidates = bandTables[band][bandKey(sig, band)] else { continue }
                    for c in candidates {
                        let other = UnsafeBufferPointer(rebasing: all[(Int(c) * permutations)..<(Int(c) * permutations + permutations)])
                        if MinHasher.similarity(sig, other) >= threshold { return .nearDuplicate }
                    }
                }
                return nil
            }
        }
    }

    public func insert(idHash: UInt64, textHash: UInt64, signature: [UInt32]) {
        precondition(signature.count == permutations)
        let index = Int32(idHashes.count)
        idHashes.append(idHash)
        textHashes.append(textHash)
        signatures.append(contentsOf: signature)
        ids.insert(idHash)
        texts.insert(textHash)
        signature.withUnsafeBufferPointer { sig in
            for band in 0..<bands { bandTables[band][bandKey(sig, band), default: []].append(index) }
        }
    }

    private func bandKey(_ sig: UnsafeBufferPointer<UInt32>, _ band: Int) -> UInt64 {
        var h = UInt64(band)
        for r in (band * rows)..<(band * rows + rows) { h = StableHash.mix(h &+ UInt64(sig[r])) }
        return h
    }

    /// Writes the index atomically.
    public func save(to path: String) throws {
        var out: [UInt8] = Self.magic
        out.reserveCapacity(48 + count * (16 + 4 * permutations))
        func put32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put32(Self.version); put32(UInt32(permutations)); put32(UInt32(bands)); put32(UInt32(rows))
        put32(UInt32(shingleCharacters)); put32(0); put64(seed); put64(UInt64(count))
        for i in 0..<count { put64(idHashes[i]); put64(textHashes[i]) }
        for v in signatures { put32(v) }
        try AtomicFileWriter.write(out, to: path)
    }

    /// Loads an index written by `save`; its MinHash settings must match `policy`.
    public static func load(path: String, policy: CleaningPolicy) throws -> DedupIndex {
        let bytes = try FileSystem.readAll(path)
        let index = DedupIndex(policy: policy)
        guard bytes.count >= 48, Array(bytes[0..<8]) == magic else {
            throw CleaningError.invalidDedupIndex(path: path, detail: "missing KLDEDUP1 header")
        }
        func u32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        func u64(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        guard u32(8) == version else { throw CleaningError.invalidDedupIndex(path: path, detail: "version \(u32(8)), expected \(version)") }
        let settings = (Int(u32(12)), Int(u32(16)), Int(u32(20)), Int(u32(24)), u64(32))
        guard settings == (index.permutations, index.bands, index.rows, index.shingleCharacters, index.seed) else {
            throw CleaningError.incompatibleDedupIndex(path: path, detail: "permutations \(settings.0), bands \(settings.1), rows \(settings.2), shingle \(settings.3)")
        }
        let count = Int(u64(40))
        let expected = 48 + count * (16 + 4 * index.permutations)
        guard bytes.count == expected else {
            throw CleaningError.invalidDedupIndex(path: path, detail: "\(bytes.count) bytes, expected \(expected) for \(count) documents")
        }
        let sigStart = 48 + count * 16
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let idHash = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 48 + i * 16, as: UInt64.self))
                let textHash = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 56 + i * 16, as: UInt64.self))
                var sig = [UInt32](repeating: 0, count: index.permutations)
                for p in 0..<index.permutations {
                    sig[p] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: sigStart + (i * index.permutations + p) * 4, as: UInt32.self))
                }
                index.insert(idHash: idHash, textHash: textHash, signature: sig)
            }
        }
        return index
    }
}
