import Foundation
@testable import Modeling
import XCTest

final class KernelsTests: XCTestCase {
    /// The vectorized exp of the cross-entropy agrees with expf to 2 ulp over the range it sees
    /// (logits minus their max), underflows to 0, and sums what it writes.
    func testExponentiateMatchesExpf() {
        var rng = SystemRandomNumberGenerator()
        var x = (0..<1000).map { _ in Float.random(in: -100...20, using: &rng) } + [20, -1e30, -.infinity, 0]
        let m: Float = 20
        let reference = x.map { expf($0 - m) }
        let sum = x.withUnsafeMutableBufferPointer { Kernels.exponentiate($0.baseAddress!, count: $0.count, minus: m) }
        for (i, (got, want)) in zip(x, reference).enumerated() {
            if want < 1e-37 { XCTAssertLessThan(got, 1e-37, "\(i)"); continue }
            XCTAssertLessThanOrEqual(abs(got - want), 2 * want.ulp, "exp(\(i))")
        }
        XCTAssertEqual(sum, x.reduce(0, +), accuracy: 1e-5 * sum)
        var poisoned = [Float](repeating: 1, count: 32)
        poisoned[3] = .nan
        let s = poisoned.withUnsafeMutableBufferPointer { Kernels.exponentiate($0.baseAddress!, count: 32, minus: 1) }
        XCTAssertTrue(s.isNaN && poisoned[3].isNaN && poisoned[4] == 1, "NaN propagates, never traps")
    }
}
