/// Every buffer one forward + backward pass of a B x T batch needs, allocated once per shape
/// (llm.c's `ActivationTensors`): what the forward pass saves for the backward pass, per layer,
/// and the scratch both share.
final class LlamaActivations {
    struct Layer {
        let attentionInput: FloatBuffer      // residual stream into the block [N, H]
        let attentionNormed: FloatBuffer     // [N, H]
        let attentionRstd: FloatBuffer       // [N]
        let q: FloatBuffer                   // after rotary [N, heads*d]
        let k: FloatBuffer                   // after rotary [N, kvHeads*d]
        let v: FloatBuffer                   // [N, kvHeads*d]
        let probs: FloatBuffer               // [B, heads, T, T]
        let attentionOutput: FloatBuffer     // input of o_proj [N, heads*d]
        let mlpInput: FloatBuffer            // residual after attention [N, H]
        let mlpNormed: FloatBuffer           // [N, H]
        let mlpRstd: FloatBuffer             // [N]
        let gate: FloatBuffer                // [N, F]
        let up: FloatBuffer                  // [N, F]
        let activated: FloatBuffer           // silu(gate) * up, input of down_proj [N, F]
        /// x A^T of each adapted projection [N, r], by LoRATarget.index.
        let loraHidden: [FloatBuffer?]
        /// dropout(x) of each adapted projection when lora_dropout > 0 [N, in].
        let loraDropped: [FloatBuffer?]
    }

    let batch: Int
    let seqLen: Int
    var rows: Int { batch * seqLen }
    let layers: [Layer]
    let output: FloatBuffer          // residual stream out of the last block [N, H]
    let finalNormed: FloatBuffer     // [N, H]
    let finalRstd: FloatBuffer       // [N]
    let ropeCos: [Float], ropeSin: [Float]

    // Scratch of the backward pass.
    let dResidual: FloatBuffer       // [N, H]
    let dNormed: FloatBuffer         // [N, H]
    let dQ: FloatBuffer, dK: FloatBuffer, dV: FloatBuffer
    let dAttention: FloatBuffer      // [N, heads*d]
    let dGate: FloatBuffer, dUp: FloatBuffer, dActivated: FloatBuffer   // [N, F]
    let dLoRAHidden: FloatBuffer     // [N, r]
    let projected: FloatBuffer       // forward scratch: an o_proj / down_proj output [N, H]
    let logits: FloatBuffer          // [chunk, V]
    let attentionScratch: [FloatBuffer]   // one [T, T] per worker
    let chunkRows: Int

    init(config c: LlamaConfig, lora: LoRASettings, batch: Int, seqLen: Int, workers: Int) {
        self.batch = batch
        self.seqLen = seqLen
        let n = batch * seqLen, h = c.hiddenSize, f = c.intermediateSize
        let qw = c.queryWidth, kw = c.keyValueWidth
        layers = (0..<c.numHiddenLayers).map { _ in
            Layer(attentionInput: FloatBuffer(count: n * h), attentionNormed: FloatBuffer(count: n * h),
                  attentionRstd: FloatBuffer(count: n), q: FloatBuffer(count: n * qw), k: FloatBuffer(count: n * kw),
                  v: FloatBuffer(count: n * kw), probs: FloatBuffer(count: batch * c.numAttentionHeads * seqLen * seqLen),
                  attentionOutput: FloatBuffer(count: n * qw), mlpInput: FloatBuffer(count: n * h),
                  mlpNormed: FloatBuffer(count: n * h), mlpRstd: FloatBuffer(count: n), gate: FloatBuffer(count: n * f),
                  up: FloatBuffer(count: n * f), activated: FloatBuffer(count: n * f),
                  loraHidden: LoRATarget.allCases.map { lora.targets.contains($0) ? FloatBuffer(count: n * lora.rank) : nil },
                  loraDropped: LoRATarget.allCases.map {
                      lora.targets.contains($0) && lora.dropout > 0 ? FloatBuffer(count: n * $0.shape(c).in) : nil
                  })
        }
        output = FloatBuffer(count: n * h)
        finalNormed = FloatBuffer(count: n * h)
        finalRstd = FloatBuffer(count: n)
        (ropeCos, ropeSin) = Kernels.rotaryTables(seqLen: seqLen, headDim: c.headDim, theta: c.ropeTheta)
        dResidual = FloatBuffer(count: n * h)
        dNormed = FloatBuffer(count: n * h)
        dQ = FloatBuffer(count: n * qw)
        dK = FloatBuffer(count: n * kw)
        dV = FloatBuffer(count: n * kw)
        dAttention = FloatBuffer(count: n * qw)
        dGate = FloatBuffer(count: n * f)
        dUp = FloatBuffer(count: n * f)
        dActivated = FloatBuffer(count: n * f)
        dLoRAHidden = FloatBuffer(count: n * max(1, lora.rank))
        projected = FloatBuffer(count: n * h)
        // Logits are computed a chunk of rows at a time: about 8 M floats (32 MB) at most.
        chunkRows = max(1, min(n, (8 << 20) / max(1, c.vocabSize)))
        logits = FloatBuffer(count: chunkRows * c.vocabSize)
        attentionScratch = (0..<workers).map { _ in FloatBuffer(count: seqLen * seqLen) }
    }
}
