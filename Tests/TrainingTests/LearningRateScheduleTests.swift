import XCTest
import Training

final class LearningRateScheduleTests: XCTestCase {
    /// Values from transformers' get_cosine_schedule_with_warmup(warmup 5, total 100) times 2e-4.
    func testWarmupThenCosineMatchesTransformers() {
        let s = LearningRateSchedule(peak: 2e-4, warmupRatio: 0.05, totalSteps: 100)
        XCTAssertEqual(s.warmupSteps, 5)
        XCTAssertEqual(s.rate(atStep: 0), 0)
        XCTAssertEqual(s.rate(atStep: 1), 4e-5, accuracy: 1e-10)
        XCTAssertEqual(s.rate(atStep: 5), 2e-4, accuracy: 1e-10)
        // 0.5 * (1 + cos(pi * 45/95)) * 2e-4
        XCTAssertEqual(s.rate(atStep: 50), 1.0826e-4, accuracy: 1e-8)
        XCTAssertEqual(s.rate(atStep: 100), 0, accuracy: 1e-12)
    }
}
