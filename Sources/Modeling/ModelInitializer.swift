import Corpus
import Foundation

/// Random LLaMA weights as transformers' `PreTrainedModel._init_weights` gives a fresh
/// `LlamaForCausalLM`: every Linear and the Embedding drawn from normal(0, initializer_range),
/// the embedding's `pad_token_id` row zeroed (`nn.Embedding(padding_idx=)`), RMSNorm weights
/// one. Not torch's random stream: values come from one `SplitMix64(seed:)` stream over the
/// tensors in `expectedTensorShapes()` order, Box-Muller pairs from two 53-bit uniforms, so a
/// seed gives the same bytes on every run (and every platform whose libm agrees on log/cos).
public enum ModelInitializer {
    public static func initialize(config: LlamaConfig, seed: UInt64) -> [NamedTensor] {
        var normal = NormalSampler(seed: seed)
        let std = Double(config.initializerRange)
        return config.expectedTensorShapes().map { name, shape in
            let count = shape.reduce(1, *)
            if shape.count == 1 { return NamedTensor(name: name, shape: shape, values: [Float](repeating: 1, count: count)) }
            var values = (0..<count).map { _ in Float(std * normal.next()) }
            if name == "model.embed_tokens.weight", let pad = config.padTokenId, (0..<config.vocabSize).contains(pad) {
                let row = pad * config.hiddenSize
                values.replaceSubrange(row..<(row + config.hiddenSize), with: repeatElement(0, count: config.hiddenSize))
            }
            return NamedTensor(name: name, shape: shape, values: values)
        }
    }
}

/// Standard normal samples by Box-Muller over SplitMix64; the second value of each pair is kept
/// for the next call (also the new rows of `EmbeddingResizer`'s random init).
struct NormalSampler {
    private var random: SplitMix64
    private var spare: Double?

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> Double {
        if let s = spare {
            spare = nil
            return s
        }
        let u1 = Double((random.next() >> 11) + 1) * 0x1p-53   // (0, 1]: log stays finite
        let u2 = Double(random.next() >> 11) * 0x1p-53         // [0, 1)
        let radius = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}
