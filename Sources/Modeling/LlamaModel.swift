import Corpus
import Foundation

/// A bad input to the model's passes (token ids, shapes).
public struct LlamaInputError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Summed negative log-likelihood over the predicted tokens of a pass.
public struct LossSum: Sendable, Equatable {
    public var nll: Double
    public var count: Int
    public init(nll: Double = 0, count: Int = 0) { self.nll = nll; self.count = count }
    public static func += (a: inout LossSum, b: LossSum) { a.nll += b.nll; a.count += b.count }
    public var mean: Double { count == 0 ? .nan : nll / Double(count) }
}

/// `LlamaForCausalLM` with PEFT LoRA on its projections, trainable embedding rows, and a
/// hand-written backward pass (one forward and one backward function per block, as llm.c).
/// Frozen base weights get no gradient; the LM head and cross-entropy run fused, a chunk of rows
/// at a time, so B x T x V logits are never held; every matrix product is an OpenBLAS call.
/// Numerics follow transformers' fp32 eager path (see `Kernels`).
public final class LlamaModel: @unchecked Sendable {
    public let config: LlamaConfig
    public let lora: LoRASettings
    public let embeddings: EmbeddingTraining
    /// Rows below this are the base vocabulary (frozen with `.newRows`).
    public let baseVocabularySize: Int
    public let weights: LlamaWeights
    public let layout: TrainableLayout
    /// Trainable tensors in `layout` order, and their gradients (accumulated by `trainStep`).
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    /// Cores used (OpenBLAS threads and attention workers).
    public let threads: Int
    private var activations: LlamaActivations?

    /// LoRA A starts kaiming-uniform(a = sqrt 5) as PEFT does (uniform in +-1/sqrt(in)) from
    /// `seed`, B at zero; trainable embedding rows start as copies of the base rows.
    public init(weights: LlamaWeights, lora: LoRASettings, embeddings: EmbeddingTraining,
                baseVocabularySize: Int? = nil, seed: UInt64 = 0, threads: Int = 2) {
        config = weights.config
        self.weights = weights
        self.lora = lora
        self.embeddings = embeddings
        self.baseVocabularySize = baseVocabularySize ?? weights.config.vocabSize
        self.threads = max(1, threads)
        layout = TrainableLayout(config: config, lora: lora, embeddings: embeddings, baseVocabularySize: self.baseVocabularySize)
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        var rng = SplitMix64(seed: seed)
        for layer in layout.lora {
            for case let pair? in layer {
                let bound = 1 / Float(pair.a.shape[1]).squareRoot()
                for i in 0..<pair.a.count {
                    let u = Float(rng.next() >> 40) / Float(1 << 24)
                    parameters[pair.a.offset + i] = (2 * u - 1) * bound
                }
            }
        }
        let h = config.hiddenSize
        if let e = layout.embedding {
            (parameters.pointer + e.slot.offset).update(from: weights.embedding.pointer + e.firstRow * h, count: e.slot.count)
        }
        if let hd = layout.head, let base = weights.head {
            (parameters.pointer + hd.slot.offset).update(from: base.pointer + hd.firstRow * h, count: hd.slot.count)
        }
    }

    // MARK: - Public passes

    /// Forward and backward over a B x T batch: adds d(loss * lossScale)/d(parameters) to
    /// `gradients` and returns the unscaled summed loss. `targets[n]` is the id position n
    /// predicts, or negative to predict nothing there. `dropoutSeed` fixes the LoRA dropout masks.
    @discardableResult
    public func trainStep(tokens: [Int32], targets: [Int32], batch: Int, seqLen: Int, lossScale: Float,
                          dropoutSeed: UInt64 = 0) throws -> LossSum {
        let acts = try prepare(tokens: tokens, targets: targets, batch: batch, seqLen: seqLen)
        forward(acts, tokens: tokens, dropoutSeed: lora.dropout > 0 ? dropoutSeed : nil)
        let loss = head(acts, targets: targets, lossScale: lossScale, training: true, logitsOut: nil)
        backward(acts, tokens: tokens, dropoutSeed: dropoutSeed)
        return loss
    }

    /// The summed loss without gradients (LoRA dropout off), for validation and perplexity.
    public func evaluate(tokens: [Int32], targets: [Int32], batch: Int, seqLen: Int) throws -> LossSum {
        let acts = try prepare(tokens: tokens, targets: targets, batch: batch, seqLen: seqLen)
        forward(acts, tokens: tokens, dropoutSeed: nil)
        return head(acts, targets: targets, lossScale: 1, training: false, logitsOut: nil)
    }

    /// All logits [B*T, V] (tests and generation of short prompts).
    public func logits(tokens: [Int32], batch: Int, seqLen: Int) throws -> [Float] {
        let targets = [Int32](repeating: -1, count: tokens.count)
        let acts = try prepare(tokens: tokens, targets: targets, batch: batch, seqLen: seqLen)
        forward(acts, tokens: tokens, dropoutSeed: nil)
        var out = [Float](repeating: 0, count: tokens.count * config.vocabSize)
        out.withUnsafeMutableBufferPointer { _ = head(acts, targets: targets, lossScale: 1, training: false, logitsOut: $0.baseAddress!) }
        return out
    }

    /// Floating-point operations of one `trainStep` per token (matrix products only), for
    /// reporting the fraction of peak a run reaches.
    public func trainingFLOPsPerToken(seqLen: Int) -> Double {
        let c = config
        var perLayer = 0.0
        for t in LoRATarget.allCases {
            let s = t.shape(c)
            perLayer += 2 * 2 * Double(s.in * s.out)                       // forward + input gradient
            if lora.targets.contains(t) { perLayer += 2 * 4 * Double(lora.rank * (s.in + s.out)) }
        }
        perLayer += 2 * 2 * Double(seqLen * c.headDim * c.numAttentionHeads) * 3  // QK^T, PV forward; 4 in backward
        let headTrainable = layout.head != nil || (c.tieWordEmbeddings && layout.embedding != nil)
        let head = 2 * Double(c.hiddenSize * c.vocabSize) * (headTrainable ? 3 : 2)
        return perLayer * Double(c.numHiddenLayers) + head
    }

    // MARK: - Shapes and checks

    private func prepare(tokens: [Int32], targets: [Int32], batch: Int, seqLen: Int) throws -> LlamaActivations {
        guard batch > 0, seqLen > 0, tokens.count == batch * seqLen, targets.count == tokens.count else {
            throw LlamaInputError(description: "batch \(batch) x \(seqLen) does not match \(tokens.count) tokens and \(targets.count) targets")
        }
        let v = Int32(config.vocabSize)
        if let bad = tokens.firstIndex(where: { $0 < 0 || $0 >= v }) {
            throw LlamaInputError(description: "token id \(tokens[bad]) at position \(bad) is outside the vocabulary of \(v)")
        }
        if let bad = targets.firstIndex(where: { $0 >= v }) {
            throw LlamaInputError(description: "target id \(targets[bad]) at position \(bad) is outside the vocabulary of \(v)")
        }
        if let a = activations, a.batch == batch, a.seqLen == seqLen { return a }
        activations = nil
        let a = LlamaActivations(config: config, lora: lora, batch: batch, seqLen: seqLen, workers: threads)
        activations = a
        return a
    }

    // MARK: - Embedding rows and head segments

    private func embeddingRow(_ id: Int) -> UnsafePointer<Float> {
        if let e = layout.embedding, id >= e.firstRow {
            return UnsafePointer(parameters.pointer + e.slot.offset + (id - e.firstRow) * config.hiddenSize)
        }
        return UnsafePointer(weights.embedding.pointer + id * config.hiddenSize)
    }

    /// Row ranges of the LM head matrix: frozen rows from the base, trainable rows from `parameters`.
    private struct HeadSegment {
        let firstRow: Int, rows: Int
        let weight: UnsafePointer<Float>
        let gradient: UnsafeMutablePointer<Float>?
    }

    private var headSegments: [HeadSegment] {
        let tied = config.tieWordEmbeddings
        let frozen = tied ? weights.embedding : weights.head!
        let trainable = tied ? layout.embedding : layout.head
        let v = config.vocabSize, h = config.hiddenSize
        guard let t = trainable else { return [HeadSegment(firstRow: 0, rows: v, weight: frozen.pointer, gradient: nil)] }
        var segments: [HeadSegment] = []
        if t.firstRow > 0 { segments.append(HeadSegment(firstRow: 0, rows: t.firstRow, weight: frozen.pointer, gradient: nil)) }
        segments.append(HeadSegment(firstRow: t.firstRow, rows: v - t.firstRow, weight: parameters.pointer + t.slot.offset,
                                    gradient: gradients.pointer + t.slot.offset))
        _ = h
        return segments
    }

    // MARK: - Forward

    private func forward(_ a: LlamaActivations, tokens: [Int32], dropoutSeed: UInt64?) {
        let c = config, n = a.rows, h = c.hiddenSize
        Kernels.setBLASThreads(threads)
        let x0 = a.layers[0].attentionInput.pointer
        for (i, t) in tokens.enumerated() { (x0 + i * h).update(from: embeddingRow(Int(t)), count: h) }
        for l in 0..<c.numHiddenLayers {
            let s = a.layers[l], w = weights.layers[l]
            Kernels.rmsNormForward(s.attentionInput.pointer, weight: w.attentionNorm.pointer, rows: n, width: h, eps: c.rmsNormEps,
                                   out: s.attentionNormed.pointer, rstd: s.attentionRstd.pointer)
            project(l, .q, s.attentionNormed.pointer, into: s.q.pointer, a, dropoutSeed)
            project(l, .k, s.attentionNormed.pointer, into: s.k.pointer, a, dropoutSeed)
            project(l, .v, s.attentionNormed.pointer, into: s.v.pointer, a, dropoutSeed)
            a.ropeCos.withUnsafeBufferPointer { cs in
                a.ropeSin.withUnsafeBufferPointer { sn in
                    Kernels.rotary(s.q.pointer, rows: n, seqLen: a.seqLen, heads: c.numAttentionHeads, headDim: c.headDim,
                                   cos: cs.baseAddress!, sin: sn.baseAddress!)
                    Kernels.rotary(s.k.pointer, rows: n, seqLen: a.seqLen, heads: c.numKeyValueHeads, headDim: c.headDim,
                                   cos: cs.baseAddress!, sin: sn.baseAddress!)
                }
            }
            attentionForward(a, s)
            project(l, .o, s.attentionOutput.pointer, into: a.projected.pointer, a, dropoutSeed)
            add(s.attentionInput.pointer, a.projected.pointer, into: s.mlpInput.pointer, count: n * h)
            Kernels.rmsNormForward(s.mlpInput.pointer, weight: w.mlpNorm.pointer, rows: n, width: h, eps: c.rmsNormEps,
                                   out: s.mlpNormed.pointer, rstd: s.mlpRstd.pointer)
            project(l, .gate, s.mlpNormed.pointer, into: s.gate.pointer, a, dropoutSeed)
            project(l, .up, s.mlpNormed.pointer, into: s.up.pointer, a, dropoutSeed)
            Kernels.swiGLUForward(gate: s.gate.pointer, up: s.up.pointer, count: n * c.intermediateSize, out: s.activated.pointer)
            project(l, .down, s.activated.pointer, into: a.projected.pointer, a, dropoutSeed)
            let next = l + 1 < c.numHiddenLayers ? a.layers[l + 1].attentionInput : a.output
            add(s.mlpInput.pointer, a.projected.pointer, into: next.pointer, count: n * h)
        }
        Kernels.rmsNormForward(a.output.pointer, weight: weights.finalNorm.pointer, rows: n, width: h, eps: c.rmsNormEps,
                               out: a.finalNormed.pointer, rstd: a.finalRstd.pointer)
    }

    private func add(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { z[i] = x[i] + y[i] }
    }

    /// y = x W^T + scaling * dropout(x) A^T B^T (PEFT's `lora.Linear.forward`).
    private func project(_ l: Int, _ t: LoRATarget, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                         _ a: LlamaActivations, _ dropoutSeed: UInt64?) {
        let (o, i) = t.shape(config), n = a.rows
        Kernels.gemm(transB: true, m: n, n: o, k: i, x, lda: i, weights.layers[l].projection(t).pointer, ldb: i, y, ldc: o)
        guard let slots = layout.lora[l][t.index] else { return }
        let r = lora.rank, p = parameters.pointer
        let hidden = a.layers[l].loraHidden[t.index]!.pointer
        var input = x
        if let seed = dropoutSeed, let dropped = a.layers[l].loraDropped[t.index] {
            var mask = DropoutMask(seed: seed, layer: l, target: t, rate: lora.dropout)
            for e in 0..<(n * i) { dropped[e] = x[e] * mask.next() }
            input = UnsafePointer(dropped.pointer)
        }
        Kernels.gemm(transB: true, m: n, n: r, k: i, input, lda: i, p + slots.a.offset, ldb: i, hidden, ldc: r)
        Kernels.gemm(transB: true, m: n, n: o, k: r, alpha: lora.scaling, hidden, lda: r, p + slots.b.offset, ldb: r, beta: 1, y, ldc: o)
    }

    /// Causal grouped-query attention (`eager_attention_forward`): per batch row and KV head, the
    /// query heads of its group; scores scaled by 1/sqrt(d), masked, softmaxed, times V.
    private func attentionForward(_ a: LlamaActivations, _ s: LlamaActivations.Layer) {
        let c = config, t = a.seqLen, d = c.headDim, qw = c.queryWidth, kw = c.keyValueWidth
        let group = c.numAttentionHeads / c.numKeyValueHeads
        let scale = 1 / Float(d).squareRoot()
        let q = SharedPointer(s.q.pointer), k = SharedPointer(s.k.pointer), v = SharedPointer(s.v.pointer)
        let probs = SharedPointer(s.probs.pointer), out = SharedPointer(s.attentionOutput.pointer)
        parallel(units: a.batch * c.numKeyValueHeads) { unit, _ in
            let b = unit / c.numKeyValueHeads, kvh = unit % c.numKeyValueHeads
            let kb = k.base + b * t * kw + kvh * d, vb = v.base + b * t * kw + kvh * d
            for head in (kvh * group)..<((kvh + 1) * group) {
                let qb = q.base + b * t * qw + head * d
                let p = probs.base + (b * c.numAttentionHeads + head) * t * t
                Kernels.gemm(transB: true, m: t, n: t, k: d, alpha: scale, qb, lda: qw, kb, ldb: kw, p, ldc: t)
                Kernels.causalSoftmax(p, seqLen: t)
                Kernels.gemm(m: t, n: d, k: t, p, lda: t, vb, ldb: kw, out.base + b * t * qw + head * d, ldc: qw)
            }
        }
    }

    /// Runs `units` independent jobs on `threads` workers (OpenBLAS single-threaded inside them).
    private func parallel(units: Int, _ body: @Sendable (_ unit: Int, _ worker: Int) -> Void) {
        let workers = min(threads, units)
        if workers <= 1 {
            for u in 0..<units { body(u, 0) }
            return
        }
        Kernels.setBLASThreads(1)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for u in stride(from: w, to: units, by: workers) { body(u, w) }
        }
        Kernels.setBLASThreads(threads)
    }

    // MARK: - Head and loss

    /// Final projection and cross-entropy, `chunkRows` rows at a time. Training leaves
    /// d(loss)/d(finalNormed) in `a.dNormed` and adds the trainable head rows' gradients.
    private func head(_ a: LlamaActivations, targets: [Int32], lossScale: Float, training: Bool,
                      logitsOut: UnsafeMutablePointer<Float>?) -> LossSum {
        let h = config.hiddenSize, v = config.vocabSize, n = a.rows
        let segments = headSegments
        var loss = LossSum()
        let logits = a.logits.pointer
        for start in stride(from: 0, to: n, by: a.chunkRows) {
            let rows = min(a.chunkRows, n - start)
            let x = a.finalNormed.pointer + start * h
            for seg in segments {
                Kernels.gemm(transB: true, m: rows, n: seg.rows, k: h, x, lda: h, seg.weight, ldb: h, logits + seg.firstRow, ldc: v)
            }
            if let logitsOut { (logitsOut + start * v).update(from: logits, count: rows * v) }
            loss += crossEntropy(logits: logits, rows: rows, targets: targets, first: start, lossScale: lossScale, training: training)
            guard training else { continue }
            let dx = a.dNormed.pointer + start * h
            for (i, seg) in segments.enumerated() {
                Kernels.gemm(m: rows, n: h, k: seg.rows, logits + seg.firstRow, lda: v, seg.weight, ldb: h,
                             beta: i == 0 ? 0 : 1, dx, ldc: h)
                if let g = seg.gradient {
                    Kernels.gemm(transA: true, m: seg.rows, n: h, k: rows, logits + seg.firstRow, lda: v, x, ldb: h, beta: 1, g, ldc: h)
                }
            }
        }
        return loss
    }

    /// Cross-entropy of `rows` rows of logits (rows run on `threads` cores), turning them into
    /// their gradients when training; rows whose target is negative predict nothing.
    private func crossEntropy(logits: UnsafeMutablePointer<Float>, rows: Int, targets: [Int32], first: Int, lossScale: Float,
                              training: Bool) -> LossSum {
        let v = config.vocabSize
        let workers = min(threads, rows)
        let sums = UnsafeMutableBufferPointer<LossSum>.allocate(capacity: workers)
        sums.initialize(repeating: LossSum())
        defer { sums.deallocate() }
        let out = SharedPointer(sums.baseAddress!), base = SharedPointer(logits)
        targets.withUnsafeBufferPointer { tp in
            let ids = SharedPointer(UnsafeMutablePointer(mutating: tp.baseAddress!))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var sum = LossSum()
                for r in (rows * w / workers)..<(rows * (w + 1) / workers) {
                    let target = Int(ids.base[first + r]), row = base.base + r * v
                    if target < 0 {
                        if training { row.update(repeating: 0, count: v) }
                        continue
                    }
                    sum.nll += Kernels.crossEntropyRow(row, count: v, target: target, scale: lossScale, withGradient: training)
                    sum.count += 1
                }
                out.base[w] = sum
            }
        }
        return sums.reduce(into: LossSum()) { $0 += $1 }
    }

    // MARK: - Backward

    private func backward(_ a: LlamaActivations, tokens: [Int32], dropoutSeed: UInt64) {
        let c = config, n = a.rows, h = c.hiddenSize
        let dropout: UInt64? = lora.dropout > 0 ? dropoutSeed : nil
        let dRes = a.dResidual.pointer
        dRes.update(repeating: 0, count: n * h)
        Kernels.rmsNormBackward(a.dNormed.pointer, x: a.output.pointer, weight: weights.finalNorm.pointer, rstd: a.finalRstd.pointer,
                                rows: n, width: h, accumulateInto: dRes)
        for l in stride(from: c.numHiddenLayers - 1, through: 0, by: -1) {
            let s = a.layers[l], w = weights.layers[l]
            // MLP: residual_out = mlpInput + down(silu(gate(x)) * up(x)), x = norm(mlpInput)
            projectBackward(l, .down, dY: dRes, input: s.activated.pointer, dX: a.dActivated.pointer, accumulate: false, a, dropout)
            Kernels.swiGLUBackward(dOut: a.dActivated.pointer, gate: s.gate.pointer, up: s.up.pointer, count: n * c.intermediateSize,
                                   dGate: a.dGate.pointer, dUp: a.dUp.pointer)
            projectBackward(l, .gate, dY: a.dGate.pointer, input: s.mlpNormed.pointer, dX: a.dNormed.pointer, accumulate: false, a, dropout)
            projectBackward(l, .up, dY: a.dUp.pointer, input: s.mlpNormed.pointer, dX: a.dNormed.pointer, accumulate: true, a, dropout)
            Kernels.rmsNormBackward(a.dNormed.pointer, x: s.mlpInput.pointer, weight: w.mlpNorm.pointer, rstd: s.mlpRstd.pointer,
                                    rows: n, width: h, accumulateInto: dRes)
            // Attention: mlpInput = attentionInput + o(attention(rope(q(x)), rope(k(x)), v(x))), x = norm(attentionInput)
            projectBackward(l, .o, dY: dRes, input: s.attentionOutput.pointer, dX: a.dAttention.pointer, accumulate: false, a, dropout)
            attentionBackward(a, s)
            a.ropeCos.withUnsafeBufferPointer { cs in
                a.ropeSin.withUnsafeBufferPointer { sn in
                    Kernels.rotary(a.dQ.pointer, rows: n, seqLen: a.seqLen, heads: c.numAttentionHeads, headDim: c.headDim,
                                   cos: cs.baseAddress!, sin: sn.baseAddress!, inverse: true)
                    Kernels.rotary(a.dK.pointer, rows: n, seqLen: a.seqLen, heads: c.numKeyValueHeads, headDim: c.headDim,
                                   cos: cs.baseAddress!, sin: sn.baseAddress!, inverse: true)
                }
            }
            projectBackward(l, .q, dY: a.dQ.pointer, input: s.attentionNormed.pointer, dX: a.dNormed.pointer, accumulate: false, a, dropout)
            projectBackward(l, .k, dY: a.dK.pointer, input: s.attentionNormed.pointer, dX: a.dNormed.pointer, accumulate: true, a, dropout)
            projectBackward(l, .v, dY: a.dV.pointer, input: s.attentionNormed.pointer, dX: a.dNormed.pointer, accumulate: true, a, dropout)
            Kernels.rmsNormBackward(a.dNormed.pointer, x: s.attentionInput.pointer, weight: w.attentionNorm.pointer,
                                    rstd: s.attentionRstd.pointer, rows: n, width: h, accumulateInto: dRes)
        }
        if let e = layout.embedding {
            let g = gradients.pointer + e.slot.offset
            for (i, t) in tokens.enumerated() where Int(t) >= e.firstRow {
                let row = g + (Int(t) - e.firstRow) * h, d = dRes + i * h
                for j in 0..<h { row[j] += d[j] }
            }
        }
    }

    /// Backward of `project`: dX (= or +=) dY W + the LoRA path's input gradient; adds the A and B
    /// gradients. The dropout mask is regenerated from its seed rather than stored.
    private func projectBackward(_ l: Int, _ t: LoRATarget, dY: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                 dX: UnsafeMutablePointer<Float>, accumulate: Bool, _ a: LlamaActivations, _ dropoutSeed: UInt64?) {
        let (o, i) = t.shape(config), n = a.rows
        Kernels.gemm(m: n, n: i, k: o, dY, lda: o, weights.layers[l].projection(t).pointer, ldb: i, beta: accumulate ? 1 : 0, dX, ldc: i)
        guard let slots = layout.lora[l][t.index] else { return }
        let r = lora.rank, s = lora.scaling, p = parameters.pointer, g = gradients.pointer
        let hidden = a.layers[l].loraHidden[t.index]!.pointer, dHidden = a.dLoRAHidden.pointer
        let dropped = dropoutSeed == nil ? nil : a.layers[l].loraDropped[t.index]
        let input = dropped.map { UnsafePointer($0.pointer) } ?? x
        Kernels.gemm(transA: true, m: o, n: r, k: n, alpha: s, dY, lda: o, hidden, ldb: r, beta: 1, g + slots.b.offset, ldc: r)
        Kernels.gemm(m: n, n: r, k: o, alpha: s, dY, lda: o, p + slots.b.offset, ldb: r, dHidden, ldc: r)
        Kernels.gemm(transA: true, m: r, n: i, k: n, dHidden, lda: r, input, ldb: i, beta: 1, g + slots.a.offset, ldc: i)
        if let dropped, let seed = dropoutSeed {
            // dropped is no longer needed: reuse it for dHidden A, then scale by the mask.
            let tmp = dropped.pointer
            Kernels.gemm(m: n, n: i, k: r, dHidden, lda: r, p + slots.a.offset, ldb: i, tmp, ldc: i)
            var mask = DropoutMask(seed: seed, layer: l, target: t, rate: lora.dropout)
            for e in 0..<(n * i) { dX[e] += tmp[e] * mask.next() }
        } else {
            Kernels.gemm(m: n, n: i, k: r, dHidden, lda: r, p + slots.a.offset, ldb: i, beta: 1, dX, ldc: i)
        }
    }

    /// Backward of `attentionForward`: dQ, and dK/dV summed over each KV head's query group.
    private func attentionBackward(_ a: LlamaActivations, _ s: LlamaActivations.Layer) {
        let c = config, t = a.seqLen, d = c.headDim, qw = c.queryWidth, kw = c.keyValueWidth
        let group = c.numAttentionHeads / c.numKeyValueHeads
        let scale = 1 / Float(d).squareRoot()
        let q = SharedPointer(s.q.pointer), k = SharedPointer(s.k.pointer), v = SharedPointer(s.v.pointer)
        let probs = SharedPointer(s.probs.pointer), dOut = SharedPointer(a.dAttention.pointer)
        let dQ = SharedPointer(a.dQ.pointer), dK = SharedPointer(a.dK.pointer), dV = SharedPointer(a.dV.pointer)
        let scratch = a.attentionScratch.map { SharedPointer($0.pointer) }
        parallel(units: a.batch * c.numKeyValueHeads) { unit, worker in
            let b = unit / c.numKeyValueHeads, kvh = unit % c.numKeyValueHeads
            let kb = k.base + b * t * kw + kvh * d, vb = v.base + b * t * kw + kvh * d
            let dkb = dK.base + b * t * kw + kvh * d, dvb = dV.base + b * t * kw + kvh * d
            let dp = scratch[worker].base
            for head in (kvh * group)..<((kvh + 1) * group) {
                let qb = q.base + b * t * qw + head * d, dob = dOut.base + b * t * qw + head * d
                let p = probs.base + (b * c.numAttentionHeads + head) * t * t
                let first: Float = head == kvh * group ? 0 : 1
                Kernels.gemm(transB: true, m: t, n: t, k: d, dob, lda: qw, vb, ldb: kw, dp, ldc: t)         // dP = dO V^T
                Kernels.gemm(transA: true, m: t, n: d, k: t, p, lda: t, dob, ldb: qw, beta: first, dvb, ldc: kw)  // dV += P^T dO
                Kernels.softmaxBackward(dp, probs: p, seqLen: t)                                              // dS
                Kernels.gemm(m: t, n: d, k: t, alpha: scale, dp, lda: t, kb, ldb: kw, dQ.base + b * t * qw + head * d, ldc: qw)
                Kernels.gemm(transA: true, m: t, n: d, k: t, alpha: scale, dp, lda: t, qb, ldb: qw, beta: first, dkb, ldc: kw)
            }
        }
    }
}

/// The keep/drop sequence of one projection's LoRA dropout: element e of the input is kept with
/// probability 1 - rate and scaled by 1/(1 - rate) (`nn.Dropout`), from a seeded generator so
/// the backward pass and a resumed run see the same mask.
struct DropoutMask {
    private var rng: SplitMix64
    private let threshold: UInt64
    private let keepScale: Float

    init(seed: UInt64, layer: Int, target: LoRATarget, rate: Float) {
        rng = SplitMix64(seed: seed ^ (UInt64(layer) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(target.index + 1) &* 0xC2B2_AE3D_27D4_EB4F))
        threshold = UInt64(Double(rate) * Double(1 << 24))
        keepScale = 1 / (1 - rate)
    }

    @inline(__always)
    mutating func next() -> Float { (rng.next() >> 40) < threshold ? 0 : keepScale }
}
