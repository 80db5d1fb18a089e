import Corpus
import Dispatch

/// One document after normalization and the quality rules: its normalized UTF-8 text, the
/// reason it was dropped (if it was), and for kept documents the hashes dedup needs.
public struct ProcessedText: Sendable {
    public var text: [UInt8]
    public var characters: Int
    public var reason: FilterReason?
    public var textHash: UInt64
    public var signature: [UInt32]
    /// Kept documents only: distinct short lines, for the cross-document boilerplate filter.
    public var shortLines: [(hash: UInt64, characters: Int)]
}

/// Normalize -> measure -> filter -> (kept only) hash and MinHash, for batches of texts on
/// several threads. Results come back in input order whatever the thread count, so output is
/// deterministic.
public struct DocumentProcessor: Sendable {
    public let normalizer = TextNormalizer()
    public let filter: QualityFilter
    public let hasher: MinHasher
    public let boilerplateLineMaxCharacters: Int

    public init(policy: CleaningPolicy) {
        filter = QualityFilter(policy: policy)
        hasher = MinHasher(permutations: policy.minHashPermutations, shingleCharacters: policy.shingleCharacters,
                           seed: policy.minHashSeed)
        boilerplateLineMaxCharacters = policy.boilerplateLineMinDocuments > 0 ? policy.boilerplateLineMaxCharacters : 0
    }

    /// Processes one text; `signatures: false` skips MinHash (benchmarks time it separately).
    public func process(_ text: String, signatures: Bool = true) -> ProcessedText {
        let normalized = normalizer.normalizedBytes(text)
        return normalized.withUnsafeBufferPointer { b in
            let (signals, lines) = QualitySignals.measureWithLines(b)
            let reason = filter.reason(for: signals)
            let keep = reason == nil && signatures
            return ProcessedText(text: normalized, characters: signals.characters, reason: reason,
                                 textHash: keep ? StableHash.hash(b) : 0, signature: keep ? hasher.signature(b) : [],
                                 shortLines: keep ? BoilerplateLines.candidates(lines, maxCharacters: boilerplateLineMaxCharacters) : [])
        }
    }

    /// Processes `texts` on `threads` threads (contiguous slices), results in input order.
    public func process(_ texts: [String], threads: Int, signatures: Bool = true) -> [ProcessedText] {
        ParallelMap.map(texts, threads: threads) { process($0, signatures: signatures) }
    }
}

/// Order-preserving parallel map over contiguous slices (one per thread).
public enum ParallelMap {
    private final class Slots<T>: @unchecked Sendable {
        var values: [T?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
    }

    public static func map<T: Sendable, R: Sendable>(_ items: [T], threads: Int, _ body: @Sendable (T) -> R) -> [R] {
        let workers = max(1, min(threads, items.count))
        if workers == 1 { return items.map(body) }
        let slots = Slots<R>(count: items.count)
        // Each worker writes a disjoint range of `values`, so no two threads touch one element.
        slots.values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = items.count * w / workers, hi = items.count * (w + 1) / workers
                for i in lo..<hi { out[i] = body(items[i]) }
            }
        }
        return slots.values.map { $0! }
    }
}
