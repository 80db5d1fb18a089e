import Corpus
import Training
import XCTest

final class InstructionsSplitTests: XCTestCase {
    /// 7 topics of unequal size (40 ... 340), guids unique.
    private let examples: [YNATExample] = (0..<7).flatMap { k in
        (0..<(40 + 50 * k)).map { i in YNATExample(guid: "g\(k)-\(i)", title: "제목 \(i)", label: k) }
    }

    private func counts(_ xs: [YNATExample]) -> [Int] {
        (0..<7).map { k in xs.filter { $0.label == k }.count }
    }

    func testCarveIsStratifiedDisjointAndComplete() throws {
        let s = try StratifiedSplit.carve(examples, validationFraction: 0.05, testFraction: 0.1, seed: 7)
        let sizes = counts(examples)
        XCTAssertEqual(counts(s.test), sizes.map { Int((Double($0) * 0.1).rounded()) })
        XCTAssertEqual(counts(s.validation), sizes.map { Int((Double($0) * 0.05).rounded()) })
        let ids = [s.train, s.validation, s.test].map { Set($0.map(\.guid)) }
        XCTAssertTrue(ids[0].isDisjoint(with: ids[1]) && ids[0].isDisjoint(with: ids[2]) && ids[1].isDisjoint(with: ids[2]))
        XCTAssertEqual(ids[0].union(ids[1]).union(ids[2]), Set(examples.map(\.guid)))
        // Each split keeps the input's order.
        let position = Dictionary(uniqueKeysWithValues: examples.enumerated().map { ($1.guid, $0) })
        for part in [s.train, s.validation, s.test] {
            XCTAssertEqual(part.map { position[$0.guid]! }, part.map { position[$0.guid]! }.sorted())
        }
    }

    func testCarveIsSeededAndIndependentOfFileOrder() throws {
        let a = try StratifiedSplit.carve(examples, validationFraction: 0.05, testFraction: 0.1, seed: 7)
        var shuffled = examples
        var rng = SplitMix64(seed: 99)
        shuffled.shuffle(using: &rng)
        let b = try StratifiedSplit.carve(shuffled, validationFraction: 0.05, testFraction: 0.1, seed: 7)
        XCTAssertEqual(Set(a.test.map(\.guid)), Set(b.test.map(\.guid)))
        XCTAssertEqual(Set(a.validation.map(\.guid)), Set(b.validation.map(\.guid)))
        let c = try StratifiedSplit.carve(examples, validationFraction: 0.05, testFraction: 0.1, seed: 8)
        XCTAssertNotEqual(Set(a.test.map(\.guid)), Set(c.test.map(\.guid)))
        // The test set does not move when the validation share changes.
        let d = try StratifiedSplit.carve(examples, validationFraction: 0.2, testFraction: 0.1, seed: 7)
        XCTAssertEqual(a.test, d.test)
    }

    func testFractionsAreStratifiedNestedAndDeterministic() throws {
        let fractions = [0.01, 0.05, 0.2, 0.5, 0.8, 1.0]
        let samples = try fractions.map { try StratifiedSplit.sample(examples, fraction: $0, seed: 3) }
        for (f, sample) in zip(fractions, samples) {
            XCTAssertEqual(counts(sample), counts(examples).map { max(1, Int((Double($0) * f).rounded())) }, "\(f)")
            XCTAssertEqual(sample, try StratifiedSplit.sample(examples, fraction: f, seed: 3))
        }
        for (small, large) in zip(samples, samples.dropFirst()) {
            XCTAssertTrue(Set(small.map(\.guid)).isSubset(of: Set(large.map(\.guid))))
        }
        XCTAssertEqual(samples.last, examples)
        XCTAssertNotEqual(try StratifiedSplit.sample(examples, fraction: 0.2, seed: 4), samples[2])
    }

    func testInvalidFractionsAreErrors() {
        XCTAssertThrowsError(try StratifiedSplit.sample(examples, fraction: 0, seed: 0))
        XCTAssertThrowsError(try StratifiedSplit.sample(examples, fraction: 1.5, seed: 0))
        XCTAssertThrowsError(try StratifiedSplit.carve(examples, validationFraction: 0.5, testFraction: 0.5, seed: 0))
        XCTAssertThrowsError(try StratifiedSplit.carve(examples, validationFraction: -0.1, testFraction: 0.1, seed: 0))
    }

    func testPlanWithAHeldOutTestFile() throws {
        let heldOut = (0..<7).map { YNATExample(guid: "dev-\($0)", title: "t", label: $0) }
        let plan = SplitPlan(validationFraction: 0.05, testFraction: 0.1, fraction: 0.5, seed: 1)
        let s = try plan.apply(to: examples, heldOutTest: heldOut)
        XCTAssertEqual(s.test, heldOut)
        let carvedValidation = try StratifiedSplit.carve(examples, validationFraction: 0.05, testFraction: 0, seed: 1)
        XCTAssertEqual(s.validation, carvedValidation.validation)
        XCTAssertEqual(s.train, try StratifiedSplit.sample(carvedValidation.train, fraction: 0.5, seed: 1))
        XCTAssertThrowsError(try plan.apply(to: examples, heldOutTest: [examples[5]])) {
            XCTAssertEqual($0 as? SplitError, .testInTraining(count: 1, firstKey: examples[5].guid))
        }
    }

    func testAlpacaExamplesSplitAsOneStratum() throws {
        let alpaca = (0..<100).map { AlpacaExample(instruction: "지시 \($0)", output: "응답") }
        let s = try StratifiedSplit.carve(alpaca, validationFraction: 0.1, testFraction: 0.2, seed: 0)
        XCTAssertEqual([s.train.count, s.validation.count, s.test.count], [70, 10, 20])
    }
}
