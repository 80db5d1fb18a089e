import Foundation
import Modeling

/// AdamW exactly as `torch.optim.AdamW` (single-tensor path): decoupled weight decay
/// p *= 1 - lr*wd, moments m = lerp(m, g, 1-b1), v = b2*v + (1-b2)*g^2, and
/// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). Moments share the parameters' flat layout.
public final class AdamW: @unchecked Sendable {
    public struct Settings: Sendable, Codable, Equatable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0
        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    public let settings: Settings
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Steps taken so far (torch's `state["step"]`).
    public var step = 0
    /// Cores the update runs on.
    public var threads = 2

    public init(count: Int, settings: Settings) {
        self.settings = settings
        firstMoment = FloatBuffer(count: count)
        secondMoment = FloatBuffer(count: count)
    }

    /// One update of every parameter with learning rate `lr`.
    public func update(parameters: FloatBuffer, gradients: FloatBuffer, lr: Float) {
        precondition(parameters.count == firstMoment.count && gradients.count == firstMoment.count)
        step += 1
        let s = settings
        let bc1 = 1 - Float(pow(Double(s.beta1), Double(step)))
        let bc2Sqrt = Float((1 - pow(Double(s.beta2), Double(step))).squareRoot())
        let stepSize = lr / bc1, decay = 1 - lr * s.weightDecay
        let p = parameters, g = gradients, m = firstMoment, v = secondMoment
        parallelChunks(parameters.count, threads: threads) { range in
            let p = p.pointer, g = g.pointer, m = m.pointer, v = v.pointer
            for i in range {
                let gi = g[i]
                p[i] *= decay
                m[i] += (gi - m[i]) * (1 - s.beta1)
                v[i] = v[i] * s.beta2 + (1 - s.beta2) * gi * gi
                p[i] -= stepSize * m[i] / (v[i].squareRoot() / bc2Sqrt + s.epsilon)
            }
        }
    }
}

/// `torch.nn.utils.clip_grad_norm_`: the total L2 norm of `gradients`, which are scaled by
/// maxNorm / (norm + 1e-6) when that is below 1. Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradients: FloatBuffer, maxNorm: Float, threads: Int = 2) -> Float {
    let chunks = max(1, threads)
    var sums = [Double](repeating: 0, count: chunks)
    sums.withUnsafeMutableBufferPointer { out in
        let shared = SharedPointer(out.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: chunks) { w in
            let g = gradients.pointer
            var sum = 0.0
            for i in (gradients.count * w / chunks)..<(gradients.count * (w + 1) / chunks) { sum += Double(g[i]) * Double(g[i]) }
            shared.base[w] = sum
        }
    }
    let norm = Float(sums.reduce(0, +).squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if maxNorm > 0, coefficient < 1 {
        parallelChunks(gradients.count, threads: threads) { range in
            for i in range { gradients.pointer[i] *= coefficient }
        }
    }
    return norm
}
