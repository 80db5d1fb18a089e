/// The hyper-parameters of a LLaMA-architecture model, as transformers' `LlamaConfig` names them
/// (`config.json`). Field names are the Swift spellings of the JSON keys.
public struct LlamaConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    /// `head_dim` when the config gives it, else hidden / heads.
    public var headDim: Int
    public var rmsNormEps: Float
    /// `rope_theta` (v4) or `rope_parameters.rope_theta` (v5).
    public var ropeTheta: Float
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    public var initializerRange: Float
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int,
                numAttentionHeads: Int, numKeyValueHeads: Int, headDim: Int? = nil, rmsNormEps: Float = 1e-6,
                ropeTheta: Float = 10000, maxPositionEmbeddings: Int = 2048, tieWordEmbeddings: Bool = false,
                initializerRange: Float = 0.02, bosTokenId: Int? = 1, eosTokenId: Int? = 2, padTokenId: Int? = nil) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.headDim = headDim ?? hiddenSize / numAttentionHeads
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.initializerRange = initializerRange
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
    }

    /// Width of the query projection's output (heads x head_dim).
    public var queryWidth: Int { numAttentionHeads * headDim }
    /// Width of the key and value projections' outputs (KV heads x head_dim).
    public var keyValueWidth: Int { numKeyValueHeads * headDim }

    /// The named shapes of `model init`: `tiny` is the benchmark shape of BENCHMARKS.md,
    /// `small` the SmolLM2-135M shape.
    public static func preset(_ name: String, vocabSize: Int) -> LlamaConfig? {
        switch name {
        case "tiny":
            return LlamaConfig(vocabSize: vocabSize, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4,
                               numAttentionHeads: 4, numKeyValueHeads: 4, rmsNormEps: 1e-6, ropeTheta: 10000,
                               maxPositionEmbeddings: 2048, tieWordEmbeddings: false)
        case "small":
            return LlamaConfig(vocabSize: vocabSize, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30,
                               numAttentionHeads: 9, numKeyValueHeads: 3, rmsNormEps: 1e-5, ropeTheta: 100000,
                               maxPositionEmbeddings: 8192, tieWordEmbeddings: true, initializerRange: 0.041)
        default:
            return nil
        }
    }
}
