import Corpus

/// The split a document belongs to.
public enum Split: String, Codable, Sendable, CaseIterable {
    case train, valid, test
}

/// Deterministic split assignment by document id (docs/CLEANING.md):
/// - `u = SHA-256(id)` read as a fraction of 2^64. A document is a test candidate when
///   `u < testHashFraction`; candidates enter the test split in ascending `u` while it holds
///   fewer than `testDocuments` (a fixed-size test set like the paper's 230 articles).
/// - Every other document is valid when `v = mix(u)` as a fraction is below `validFraction`,
///   train otherwise.
/// A document's split is decided once, in the run that adds it, and its shard is never
/// rewritten, so documents added later never move an existing document between splits.
public struct SplitAssigner: Sendable {
    public let policy: CleaningPolicy

    public init(policy: CleaningPolicy) { self.policy = policy }

    /// The 64-bit id hash (first 8 bytes of SHA-256, big-endian).
    public static func idHash(_ id: String) -> UInt64 {
        SHA256.hash(Array(id.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func fraction(_ h: UInt64) -> Double { Double(h >> 11) / Double(1 << 53) }

    public func isTestCandidate(_ idHash: UInt64) -> Bool { Self.fraction(idHash) < policy.testHashFraction }

    /// Train or valid for a document outside the test split.
    public func trainOrValid(_ idHash: UInt64) -> Split {
        Self.fraction(StableHash.mix(idHash)) < policy.validFraction ? .valid : .train
    }

    /// Splits for the id hashes added by one run, given how many test documents earlier runs hold.
    public func assign(_ idHashes: [UInt64], existingTest: Int) -> [Split] {
        var splits = idHashes.map { trainOrValid($0) }
        let candidates = idHashes.indices.filter { isTestCandidate(idHashes[$0]) }.sorted { idHashes[$0] < idHashes[$1] }
        for i in candidates.prefix(max(0, policy.testDocuments - existingTest)) { splits[i] = .test }
        return splits
    }
}
