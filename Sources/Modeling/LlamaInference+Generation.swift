import Corpus
import Foundation

/// How the next token is chosen from logits, as transformers' `generate` decides it: greedy
/// (`do_sample=False`, the first maximum as `argmax`) when `temperature` is 0, otherwise sampling
/// from softmax(logits / temperature) restricted to the top-p nucleus (`TemperatureLogitsWarper`
/// then `TopPLogitsWarper`: the most probable tokens whose mass before them is below `topP`,
/// at least one). Draws come from a `SplitMix64` stream of `seed`, not torch's generator: a
/// seed repeats its own continuation, not PyTorch's.
public struct SamplingSettings: Sendable, Equatable {
    public var temperature: Float
    public var topP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }

    public var isGreedy: Bool { temperature == 0 }
}

/// Picks tokens from logits by `SamplingSettings`; holds the random stream and a sort buffer.
struct TokenSampler {
    let settings: SamplingSettings
    private var random: SplitMix64
    private var order: [Int] = []
    private var probabilities: [Double] = []

    init(_ settings: SamplingSettings) {
        self.settings = settings
        random = SplitMix64(seed: settings.seed)
    }

    /// The next token among ids 0..<candidates of `logits`.
    mutating func next(_ logits: [Float], candidates v: Int) -> Int32 {
        if settings.isGreedy { return logits.withUnsafeBufferPointer { Int32(Kernels.argmax($0.baseAddress!, count: v)) } }
        let t = Double(settings.temperature)
        let m = Double(logits[0..<v].max()!)
        probabilities = logits[0..<v].map { exp((Double($0) - m) / t) }
        let total = probabilities.reduce(0, +)
        order = Array(0..<v)
        order.sort { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }
        var kept = 0, mass = 0.0
        while kept < v && (kept == 0 || mass / total < Double(settings.topP)) {
            mass += probabilities[order[kept]]
            kept += 1
        }
        let u = Double(random.next() >> 11) * 0x1p-53 * mass
        var acc = 0.0
        for i in 0..<kept {
            acc += probabilities[order[i]]
            if u < acc { return Int32(order[i]) }
        }
        return Int32(order[kept - 1])
    }
}

extension LlamaInference {
    /// Continues `prompt` by up to `maxNewTokens` tokens, stopping after the first token of
    /// `stopTokens` (returned with the rest, as transformers includes the EOS it stops at).
    /// `onToken` sees each token as it is chosen and may return false to stop early. Only ids
    /// below `vocabularyLimit` are chosen (a tokenizer with fewer tokens than the model has rows
    /// cannot spell the others).
    public func generate(prompt: [Int32], maxNewTokens: Int, sampling: SamplingSettings = SamplingSettings(),
                         stopTokens: Set<Int32> = [], vocabularyLimit: Int? = nil,
                         onToken: (Int32) -> Bool = { _ in true }) throws -> [Int32] {
        guard !prompt.isEmpty else { throw LlamaInputError(description: "generation needs a prompt of at least one token") }
        guard maxNewTokens > 0 else { return [] }
        guard sampling.temperature.isFinite, sampling.temperature >= 0, sampling.topP > 0, sampling.topP <= 1 else {
            throw LlamaInputError(description: "temperature must be >= 0 and top-p in (0, 1]")
        }
        let candidates = min(config.vocabSize, vocabularyLimit ?? config.vocabSize)
        guard candidates > 0 else { throw LlamaInputError(description: "a vocabulary limit of \(candidates) leaves no token to choose") }
        // The last chosen token never runs through the model, so the cache needs one position less.
        let cache = try KVCache(config: config, maxLength: prompt.count + maxNewTokens - 1)
        var sampler = TokenSampler(sampling)
        var logits = try prefill(prompt, cache: cache)
        var out: [Int32] = []
        while true {
            let token = sampler.next(logits, candidates: candidates)
            out.append(token)
            guard onToken(token), !stopTokens.contains(token), out.count < maxNewTokens else { return out }
            logits = try step(token, cache: cache)
        }
    }
}
