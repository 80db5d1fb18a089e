import Corpus

/// What splits are stratified and ordered by.
public protocol StratifiedExample {
    /// The class the example belongs to; each class is split in the same proportions.
    var stratum: Int { get }
    /// A stable identity: an example's place in the seeded order is a hash of it, so which split
    /// an example lands in does not depend on the order of the file.
    var splitKey: String { get }
}

extension YNATExample: StratifiedExample {
    public var stratum: Int { label }
    public var splitKey: String { guid }
}

extension AlpacaExample: StratifiedExample {
    public var stratum: Int { 0 }
    public var splitKey: String { instruction + "\u{1F}" + input + "\u{1F}" + output }
}

/// Training, validation and test examples carved from one set, each in the input's order.
public struct DatasetSplits<Example: Sendable>: Sendable {
    public var train: [Example]
    public var validation: [Example]
    public var test: [Example]
}

public enum SplitError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidFraction(name: String, value: Double, allowed: String)
    /// Examples of the held-out test file are also in the training file.
    case testInTraining(count: Int, firstKey: String)

    public var description: String {
        switch self {
        case let .invalidFraction(name, value, allowed): return "\(name) \(value) is not in \(allowed)"
        case let .testInTraining(count, firstKey):
            return "\(count) test examples are also in the training data (first: \(firstKey))"
        }
    }
}

/// Seeded, stratified splits and subsamples, as sklearn's `train_test_split(stratify=)` does but
/// with an order fixed by hashing each example's key (`StableHash` seeded with the seed), so results
/// are the same on every machine and independent of file order. Per class of `n` examples, in that
/// order: the first `round(n * test)` are the test set, the next `round(n * validation)` the
/// validation set, the rest train. `sample` takes the first `round(n * fraction)` (at least one) of
/// each class in a second seeded order: the same seed gives nested samples, a smaller fraction's
/// being a subset of a larger one's, and the test set never depends on the validation fraction.
public enum StratifiedSplit {
    private static let carveSalt: UInt64 = 0x6361_7276_6531 // "carve1"
    private static let sampleSalt: UInt64 = 0x7361_6d70_6c31 // "sampl1"

    public static func carve<E: StratifiedExample & Sendable>(
        _ examples: [E], validationFraction: Double, testFraction: Double, seed: UInt64
    ) throws -> DatasetSplits<E> {
        guard (0..<1).contains(validationFraction) else {
            throw SplitError.invalidFraction(name: "validation fraction", value: validationFraction, allowed: "[0, 1)")
        }
        guard (0..<1).contains(testFraction), validationFraction + testFraction < 1 else {
            throw SplitError.invalidFraction(name: "test fraction", value: testFraction, allowed: "[0, 1 - validation fraction)")
        }
        var role = [UInt8](repeating: 0, count: examples.count) // 0 train, 1 validation, 2 test
        for members in orderedStrata(examples, seed: seed ^ carveSalt) {
            let n = Double(members.count)
            let nTest = Int((n * testFraction).rounded())
            let nValidation = min(Int((n * validationFraction).rounded()), members.count - nTest)
            for i in members.prefix(nTest) { role[i] = 2 }
            for i in members.dropFirst(nTest).prefix(nValidation) { role[i] = 1 }
        }
        var splits = DatasetSplits<E>(train: [], validation: [], test: [])
        for (i, e) in examples.enumerated() {
            switch role[i] {
            case 2: splits.test.append(e)
            case 1: splits.validation.append(e)
            default: splits.train.append(e)
            }
        }
        return splits
    }

    /// `fraction` (in (0, 1]) of each class, in the input's order; all of it at 1.
    public static func sample<E: StratifiedExample & Sendable>(_ examples: [E], fraction: Double, seed: UInt64) throws -> [E] {
        guard fraction > 0, fraction <= 1 else {
            throw SplitError.invalidFraction(name: "fraction", value: fraction, allowed: "(0, 1]")
        }
        if fraction == 1 { return examples }
        var keep = [Bool](repeating: false, count: examples.count)
        for members in orderedStrata(examples, seed: seed ^ sampleSalt) {
            let count = min(members.count, max(1, Int((Double(members.count) * fraction).rounded())))
            for i in members.prefix(count) { keep[i] = true }
        }
        return examples.indices.filter { keep[$0] }.map { examples[$0] }
    }

    /// Indices of each class (ascending class), each list in seeded hash order (ties by index).
    private static func orderedStrata<E: StratifiedExample>(_ examples: [E], seed: UInt64) -> [[Int]] {
        var byClass: [Int: [(hash: UInt64, index: Int)]] = [:]
        for (i, e) in examples.enumerated() {
            byClass[e.stratum, default: []].append((StableHash.hash(e.splitKey, seed: seed), i))
        }
        return byClass.keys.sorted().map { k in
            byClass[k]!.sorted { ($0.hash, $0.index) < ($1.hash, $1.index) }.map(\.index)
        }
    }
}

/// How training, validation and test sets are drawn from a training file (and an optional
/// held-out test file), shared by `sft`, `eval` and `baseline` so they all see the same examples:
/// validation (and, without a test file, test) carved from the training file, then `fraction` of
/// what remains sampled for training.
public struct SplitPlan: Sendable, Equatable, Codable {
    public var validationFraction: Double
    public var testFraction: Double
    public var fraction: Double
    public var seed: UInt64

    public init(validationFraction: Double = 0.05, testFraction: Double = 0.1, fraction: Double = 1, seed: UInt64 = 42) {
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.fraction = fraction
        self.seed = seed
    }

    /// With `heldOutTest` (e.g. KLUE's official dev split) the test set is that file, no test set is
    /// carved, and an example of it found in the training file (same `splitKey`) is an error.
    public func apply<E: StratifiedExample & Sendable>(to examples: [E], heldOutTest: [E]? = nil) throws -> DatasetSplits<E> {
        var splits = try StratifiedSplit.carve(examples, validationFraction: validationFraction,
                                               testFraction: heldOutTest == nil ? testFraction : 0, seed: seed)
        if let heldOutTest {
            let keys = Set(examples.map(\.splitKey))
            let shared = heldOutTest.filter { keys.contains($0.splitKey) }
            if let first = shared.first { throw SplitError.testInTraining(count: shared.count, firstKey: first.splitKey) }
            splits.test = heldOutTest
        }
        splits.train = try StratifiedSplit.sample(splits.train, fraction: fraction, seed: seed)
        return splits
    }
}
