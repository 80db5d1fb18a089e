import Foundation

/// Linear warmup then cosine decay to zero, as transformers' `get_cosine_schedule_with_warmup`
/// (num_cycles 0.5): `lr(step)` is the rate used for optimizer step `step` (0-based).
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// `warmupRatio` of `totalSteps` rounded up, as transformers' `get_warmup_steps` does.
    public init(peak: Float, warmupRatio: Double, totalSteps: Int) {
        self.init(peak: peak, warmupSteps: Int((warmupRatio * Double(totalSteps)).rounded(.up)), totalSteps: totalSteps)
    }

    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return peak * Float(max(0, 0.5 * (1 + cos(Double.pi * progress))))
    }
}
