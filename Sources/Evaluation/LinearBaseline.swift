import Corpus
import Foundation

/// The YNAT baseline: multinomial logistic regression over hashed character n-grams
/// (`CharNGramFeaturizer`), trained by AdaGrad on the softmax cross-entropy, one example at a
/// time in a seeded order per epoch: fastText's supervised classifier without its embedding
/// bottleneck (one weight per n-gram bucket and class). Single-threaded, so the same data,
/// options and seed give bit-identical weights and predictions.
public struct LinearBaseline: Sendable {
    public struct Options: Sendable, Equatable, Codable {
        public var epochs: Int
        /// AdaGrad's base step size.
        public var learningRate: Float
        public var featurizer: CharNGramFeaturizer
        public var seed: UInt64

        public init(epochs: Int = 5, learningRate: Float = 0.25, featurizer: CharNGramFeaturizer = CharNGramFeaturizer(), seed: UInt64 = 0) {
            self.epochs = epochs
            self.learningRate = learningRate
            self.featurizer = featurizer
            self.seed = seed
        }
    }

    public let options: Options
    public let classCount: Int
    /// `weights[bucket * classCount + class]`.
    private let weights: [Float]
    private let bias: [Float]

    /// Trains on `texts` with `labels` in `0..<classCount`.
    public init(texts: [String], labels: [Int], classCount: Int, options: Options = Options()) throws {
        precondition(texts.count == labels.count && classCount > 1, "one label per text, at least two classes")
        precondition(labels.allSatisfy { (0..<classCount).contains($0) }, "labels in 0..<classCount")
        self.options = options
        self.classCount = classCount
        let k = classCount
        // Features once, in one contiguous buffer (CSR), not per epoch.
        var offsets = [0]
        var indices: [Int32] = []
        var values: [Float] = []
        for text in texts {
            let v = try options.featurizer.features(text)
            indices += v.indices
            values += v.values
            offsets.append(indices.count)
        }
        // Per bucket, its k weights then their k AdaGrad accumulators: one cache line per touched
        // feature instead of two (the tables are far larger than the caches; this loop is memory-bound).
        var state = [Float](repeating: 0, count: options.featurizer.bucketCount * 2 * k)
        var bias = [Float](repeating: 0, count: k)
        var squaredBiasGradients = [Float](repeating: 0, count: k)
        var gradient = [Float](repeating: 0, count: k)
        var order = Array(texts.indices)
        var rng = SplitMix64(seed: options.seed)
        let lr = options.learningRate
        let epsilon: Float = 1e-8
        // Raw buffers in the hot loop: bounds and uniqueness checks per weight cost as much again.
        state.withUnsafeMutableBufferPointer { st in
            indices.withUnsafeBufferPointer { idx in
                values.withUnsafeBufferPointer { val in
                    for _ in 0..<options.epochs {
                        // Fisher-Yates with our own generator: the stdlib's shuffle algorithm may change.
                        for i in stride(from: order.count - 1, to: 0, by: -1) {
                            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                        }
                        for n in order {
                            let range = offsets[n]..<offsets[n + 1]
                            let x = UnsafeBufferPointer(rebasing: val[range])
                            let f = UnsafeBufferPointer(rebasing: idx[range])
                            for c in 0..<k { gradient[c] = bias[c] }
                            for j in 0..<f.count {
                                let base = Int(f[j]) * 2 * k
                                for c in 0..<k { gradient[c] += st[base + c] * x[j] }
                            }
                            Self.softmax(&gradient)
                            gradient[labels[n]] -= 1
                            for c in 0..<k {
                                let g = gradient[c]
                                squaredBiasGradients[c] += g * g
                                bias[c] -= lr * g / (squaredBiasGradients[c].squareRoot() + epsilon)
                            }
                            for j in 0..<f.count {
                                let base = Int(f[j]) * 2 * k
                                for c in 0..<k {
                                    let g = gradient[c] * x[j]
                                    st[base + k + c] += g * g
                                    st[base + c] -= lr * g / (st[base + k + c].squareRoot() + epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
        var weights = [Float](repeating: 0, count: options.featurizer.bucketCount * k)
        for b in 0..<options.featurizer.bucketCount {
            for c in 0..<k { weights[b * k + c] = state[b * 2 * k + c] }
        }
        self.weights = weights
        self.bias = bias
    }

    /// Class probabilities for one text.
    public func probabilities(_ text: String) throws -> [Float] {
        let v = try options.featurizer.features(text)
        var p = [Float](repeating: 0, count: classCount)
        for c in 0..<classCount { p[c] = bias[c] }
        for (i, x) in zip(v.indices, v.values) {
            let base = Int(i) * classCount
            for c in 0..<classCount { p[c] += weights[base + c] * x }
        }
        Self.softmax(&p)
        return p
    }

    /// The most probable class (the lowest index on a tie).
    public func predict(_ text: String) throws -> Int {
        Self.argmax(try probabilities(text))
    }

    public static func argmax(_ p: [Float]) -> Int {
        var best = 0
        for c in p.indices where p[c] > p[best] { best = c }
        return best
    }

    private static func softmax(_ z: inout [Float]) {
        let m = z.reduce(-Float.infinity, max)
        var sum: Float = 0
        for c in z.indices {
            z[c] = exp(z[c] - m)
            sum += z[c]
        }
        for c in z.indices { z[c] /= sum }
    }
}
