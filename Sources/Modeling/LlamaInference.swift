import Foundation

/// The forward-only, KV-cached pass of `LlamaForCausalLM` for generation and answer scoring:
/// transformers' eager path with `use_cache=True`, one call per new block of tokens. The weights
/// are the model's effective ones, computed once: every LoRA-adapted projection a merged copy
/// W + scaling * B A (PEFT's `merge_and_unload`), the embedding and head with their trained rows
/// spliced in (PEFT's `modules_to_save` / `trainable_token_indices`); frozen tensors are shared
/// with the base, not copied. Scratch grows to the largest block seen and is reused, so `step`
/// allocates nothing but the returned logits. One thread at a time per instance (it owns that
/// scratch); BLAS and attention use `threads` cores.
public final class LlamaInference: @unchecked Sendable {
    struct Layer {
        let projections: [FloatBuffer]   // by LoRATarget.index
        let attentionNorm: FloatBuffer
        let mlpNorm: FloatBuffer
    }

    public let config: LlamaConfig
    public let threads: Int
    let layers: [Layer]
    let embedding: FloatBuffer
    /// `embedding` itself when the embeddings are tied.
    let head: FloatBuffer
    let finalNorm: FloatBuffer
    private var workspace: Workspace?

    /// The plain base model.
    public init(weights: LlamaWeights, threads: Int = 2) {
        config = weights.config
        self.threads = max(1, threads)
        layers = weights.layers.map { Layer(projections: $0.projections, attentionNorm: $0.attentionNorm, mlpNorm: $0.mlpNorm) }
        embedding = weights.embedding
        head = weights.head ?? weights.embedding
        finalNorm = weights.finalNorm
    }

    /// `model` as it computes now: its base weights with its LoRA pairs merged in and its
    /// trainable embedding and head rows applied (a model with an adapter loaded, or mid-training).
    public init(model: LlamaModel, threads: Int? = nil) {
        let c = model.config, h = c.hiddenSize, p = UnsafePointer(model.parameters.pointer)
        config = c
        self.threads = max(1, threads ?? model.threads)
        Kernels.setBLASThreads(self.threads)
        layers = model.weights.layers.enumerated().map { l, base in
            Layer(projections: LoRATarget.allCases.map { t in
                guard let slots = model.layout.lora[l][t.index] else { return base.projection(t) }
                let s = t.shape(c)
                let merged = FloatBuffer(count: s.out * s.in)
                merged.pointer.update(from: base.projection(t).pointer, count: s.out * s.in)
                Kernels.mergeLoRA(into: merged.pointer, out: s.out, in: s.in, rank: model.lora.rank, scaling: model.lora.scaling,
                                  a: p + slots.a.offset, b: p + slots.b.offset)
                return merged
            }, attentionNorm: base.attentionNorm, mlpNorm: base.mlpNorm)
        }
        func spliced(_ base: FloatBuffer, _ rows: TrainableLayout.RowSlot?) -> FloatBuffer {
            guard let rows else { return base }
            let out = FloatBuffer(count: base.count)
            out.pointer.update(from: base.pointer, count: rows.firstRow * h)
            (out.pointer + rows.firstRow * h).update(from: p + rows.slot.offset, count: rows.slot.count)
            return out
        }
        embedding = spliced(model.weights.embedding, model.layout.embedding)
        head = c.tieWordEmbeddings ? embedding : spliced(model.weights.head!, model.layout.head)
        finalNorm = model.weights.finalNorm
    }

    /// The Hugging Face folder at `path`, with the PEFT adapter folder at `adapter` merged in.
    public convenience init(modelFolder path: String, adapter: String? = nil, threads: Int = 2) throws {
        let weights = try LlamaWeights(folder: HFModelFolder(path: path))
        if let adapter {
            self.init(model: try LlamaModel(weights: weights, adapter: adapter, threads: threads))
        } else {
            self.init(weights: weights, threads: threads)
        }
    }

    // MARK: - Passes

    /// Runs `tokens` at the positions after those `cache` holds (the prompt, on an empty cache)
    /// and returns the logits [V] of the last of them.
    public func prefill(_ tokens: [Int32], cache: KVCache) throws -> [Float] {
        try tokens.withUnsafeBufferPointer { try lastLogits($0, cache: cache) }
    }

    /// One token after those `cache` holds; the logits [V] of its position.
    public func step(_ token: Int32, cache: KVCache) throws -> [Float] {
        try withUnsafePointer(to: token) { try lastLogits(UnsafeBufferPointer(start: $0, count: 1), cache: cache) }
    }

    private func lastLogits(_ tokens: UnsafeBufferPointer<Int32>, cache: KVCache) throws -> [Float] {
        let ws = try forward(tokens, cache: cache)
        headLogits(ws, rows: (tokens.count - 1)..<tokens.count)
        return Array(UnsafeBufferPointer(start: ws.logits.pointer, count: config.vocabSize))
    }

    /// log p(continuation | prompt) for each continuation, summed over its tokens (natural log;
    /// 0 for an empty one). The prompt runs once; each continuation runs from the prompt's cache
    /// (rewound to it between continuations), as `eval ynat` scores the seven topics of a headline.
    public func score(continuations: [[Int32]], afterPrompt prompt: [Int32]) throws -> [Double] {
        guard !prompt.isEmpty else { throw LlamaInputError(description: "scoring needs a prompt of at least one token (e.g. BOS)") }
        for (k, c) in continuations.enumerated() { try checkIds(c, what: "continuation \(k)") }
        let longest = continuations.map(\.count).max() ?? 0
        let cache = try KVCache(config: config, maxLength: prompt.count + max(0, longest - 1))
        let last = try prefill(prompt, cache: cache)
        let v = config.vocabSize
        let row = FloatBuffer(count: v)
        return try continuations.map { c in
            guard let first = c.first else { return 0 }
            row.pointer.update(from: last, count: v)
            var sum = -Kernels.crossEntropyRow(row.pointer, count: v, target: Int(first), scale: 1, withGradient: false)
            guard c.count > 1 else { return sum }
            try cache.truncate(to: prompt.count)
            let ws = try c.withUnsafeBufferPointer { try forward(UnsafeBufferPointer(rebasing: $0.dropLast()), cache: cache) }
            let n = c.count - 1
            for start in stride(from: 0, to: n, by: ws.logitRows) {
                let rows = min(ws.logitRows, n - start)
                headLogits(ws, rows: start..<(start + rows))
                for r in 0..<rows {
                    sum -= Kernels.crossEntropyRow(ws.logits.pointer + r * v, count: v, target: Int(c[start + r + 1]), scale: 1,
                                                   withGradient: false)
                }
            }
            return sum
        }
    }

    /// The effective weights as Hugging Face tensors in state-dict order (`expectedTensorShapes`):
    /// what `export` writes, a plain `LlamaForCausalLM` computing what this pass computes.
    public func tensors() -> [NamedTensor] {
        let c = config
        return c.expectedTensorShapes().map { name, shape in
            let buffer: FloatBuffer
            switch name {
            case "model.embed_tokens.weight": buffer = embedding
            case "lm_head.weight": buffer = head
            case "model.norm.weight": buffer = finalNorm
            default: buffer = layerTensor(name)
            }
            return NamedTensor(name: name, shape: shape, values: buffer.array)
        }
    }

    private func layerTensor(_ name: String) -> FloatBuffer {
        for (l, layer) in layers.enumerated() {
            if name == "model.layers.\(l).input_layernorm.weight" { return layer.attentionNorm }
            if name == "model.layers.\(l).post_attention_layernorm.weight" { return layer.mlpNorm }
            if let t = LoRATarget.allCases.first(where: { $0.baseWeightName(layer: l) == name }) { return layer.projections[t.index] }
        }
        preconditionFailure("\(name) is not a LLaMA weight name")
    }

    // MARK: - Forward

    func checkIds(_ ids: some Sequence<Int32>, what: String) throws {
        let v = Int32(config.vocabSize)
        for (position, id) in ids.enumerated() where id < 0 || id >= v {
            throw LlamaInputError(description: "\(what): token id \(id) at position \(position) is outside the vocabulary of \(v)")
        }
    }

    /// Runs `tokens` at positions cache.count... through every block, appending their keys and
    /// values to `cache`; leaves the final-normed hidden states of the block in `normed`.
    private func forward(_ tokens: UnsafeBufferPointer<Int32>, cache: KVCache) throws -> Workspace {
        let c = config, n = tokens.count, start = cache.count, h = c.hiddenSize
        let kw = c.keyValueWidth, f = c.intermediateSize
        try checkIds(tokens, what: "input")
        guard n > 0 else { throw LlamaInputError(description: "no tokens to run") }
        guard cache.layers == c.numHiddenLayers, cache.width == kw else {
            throw LlamaInputError(description: "the KV cache was made for another model shape")
        }
        guard start + n <= cache.maxLength else {
            throw LlamaInputError(description: "\(start) cached + \(n) new positions exceed the KV cache's \(cache.maxLength)")
        }
        let ws = workspace(rows: n, positions: cache.maxLength)
        Kernels.setBLASThreads(threads)
        let x = ws.x.pointer, normed = ws.normed.pointer, projected = ws.projected.pointer
        for (i, t) in tokens.enumerated() { (x + i * h).update(from: embedding.pointer + Int(t) * h, count: h) }
        let half = c.headDim / 2
        for (l, w) in layers.enumerated() {
            let keys = cache.keys(layer: l) + start * kw, values = cache.values(layer: l) + start * kw
            Kernels.rmsNormForward(x, weight: w.attentionNorm.pointer, rows: n, width: h, eps: c.rmsNormEps, out: normed, rstd: ws.rstd.pointer)
            project(w, .q, normed, rows: n, into: ws.q.pointer)
            project(w, .k, normed, rows: n, into: keys)
            project(w, .v, normed, rows: n, into: values)
            let cos = cache.ropeCos.pointer + start * half, sin = cache.ropeSin.pointer + start * half
            Kernels.rotary(ws.q.pointer, rows: n, seqLen: n, heads: c.numAttentionHeads, headDim: c.headDim, cos: cos, sin: sin)
            Kernels.rotary(keys, rows: n, seqLen: n, heads: c.numKeyValueHeads, headDim: c.headDim, cos: cos, sin: sin)
            attention(ws, cache: cache, layer: l, first: start, rows: n)
            project(w, .o, ws.attention.pointer, rows: n, into: projected)
            for i in 0..<(n * h) { x[i] += projected[i] }
            Kernels.rmsNormForward(x, weight: w.mlpNorm.pointer, rows: n, width: h, eps: c.rmsNormEps, out: normed, rstd: ws.rstd.pointer)
            project(w, .gate, normed, rows: n, into: ws.gate.pointer)
            project(w, .up, normed, rows: n, into: ws.up.pointer)
            Kernels.swiGLUForward(gate: ws.gate.pointer, up: ws.up.pointer, count: n * f, out: ws.activated.pointer)
            project(w, .down, ws.activated.pointer, rows: n, into: projected)
            for i in 0..<(n * h) { x[i] += projected[i] }
        }
        Kernels.rmsNormForward(x, weight: finalNorm.pointer, rows: n, width: h, eps: c.rmsNormEps, out: normed, rstd: ws.rstd.pointer)
        cache.count = start + n
        return ws
    }

    private func project(_ w: Layer, _ t: LoRATarget, _ x: UnsafePointer<Float>, rows n: Int, into y: UnsafeMutablePointer<Float>) {
        let (o, i) = t.shape(config), weight = w.projections[t.index].pointer
        if n == 1 { return Kernels.rowTimesTransposed(x, weight, n: o, k: i, y) }
        Kernels.gemm(transB: true, m: n, n: o, k: i, x, lda: i, weight, ldb: i, y, ldc: o)
    }

    /// `eager_attention_forward` of `rows` new queries over every cached position: per KV head,
    /// its query heads, a block of query rows at a time (scores scaled by 1/sqrt(d), masked
    /// causally, softmaxed, times V). KV heads run on `threads` workers for long blocks.
    private func attention(_ ws: Workspace, cache: KVCache, layer l: Int, first: Int, rows n: Int) {
        let c = config, d = c.headDim, qw = c.queryWidth, kw = c.keyValueWidth
        let group = c.numAttentionHeads / c.numKeyValueHeads
        let scale = 1 / Float(d).squareRoot()
        let q = SharedPointer(ws.q.pointer), out = SharedPointer(ws.attention.pointer)
        let keys = SharedPointer(cache.keys(layer: l)), values = SharedPointer(cache.values(layer: l))
        let scores = ws.scores.map { SharedPointer($0.pointer) }
        let block = ws.scoreRows
        let body: @Sendable (Int, Int) -> Void = { kvh, worker in
            let kb = keys.base + kvh * d, vb = values.base + kvh * d, s = scores[worker].base
            for head in (kvh * group)..<((kvh + 1) * group) {
                for r0 in stride(from: 0, to: n, by: block) {
                    let br = min(block, n - r0), columns = first + r0 + br
                    Kernels.gemm(transB: true, m: br, n: columns, k: d, alpha: scale, q.base + r0 * qw + head * d, lda: qw, kb, ldb: kw,
                                 s, ldc: columns)
                    Kernels.cachedCausalSoftmax(s, rows: br, columns: columns, first: first + r0)
                    Kernels.gemm(m: br, n: d, k: columns, s, lda: columns, vb, ldb: kw, out.base + r0 * qw + head * d, ldc: qw)
                }
            }
        }
        let workers = min(threads, c.numKeyValueHeads, ws.scores.count)
        // One new token's attention is a few small products: not worth waking workers for.
        guard workers > 1, n * (first + n) >= 4096 else {
            for kvh in 0..<c.numKeyValueHeads { body(kvh, 0) }
            return
        }
        Kernels.setBLASThreads(1)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for kvh in stride(from: w, to: c.numKeyValueHeads, by: workers) { body(kvh, w) }
        }
        Kernels.setBLASThreads(threads)
    }

    /// Logits of `rows` (at most `logitRows`) of the last forward's final hidden states into `logits`.
    private func headLogits(_ ws: Workspace, rows: Range<Int>) {
        let h = config.hiddenSize, v = config.vocabSize, x = ws.normed.pointer + rows.lowerBound * h
        if rows.count == 1 { return Kernels.rowTimesTransposed(x, head.pointer, n: v, k: h, ws.logits.pointer) }
        Kernels.gemm(transB: true, m: rows.count, n: v, k: h, x, lda: h, head.pointer, ldb: h, ws.logits.pointer, ldc: v)
    }

    // MARK: - Scratch

    /// The buffers of one forward block of up to `rows` tokens over caches of up to `positions`.
    final class Workspace {
        let rows: Int, positions: Int
        let x: FloatBuffer, normed: FloatBuffer, rstd: FloatBuffer, projected: FloatBuffer
        let q: FloatBuffer, attention: FloatBuffer
        let gate: FloatBuffer, up: FloatBuffer, activated: FloatBuffer
        /// Query rows per attention score block, and one [scoreRows, positions] block per worker.
        let scoreRows: Int
        let scores: [FloatBuffer]
        /// Rows of logits computed at once (about 8 M floats at most), and their buffer.
        let logitRows: Int
        let logits: FloatBuffer

        init(config c: LlamaConfig, rows: Int, positions: Int, workers: Int) {
            self.rows = rows
            self.positions = positions
            let h = c.hiddenSize, f = c.intermediateSize
            x = FloatBuffer(count: rows * h)
            normed = FloatBuffer(count: rows * h)
            rstd = FloatBuffer(count: rows)
            projected = FloatBuffer(count: rows * h)
            q = FloatBuffer(count: rows * c.queryWidth)
            attention = FloatBuffer(count: rows * c.queryWidth)
            gate = FloatBuffer(count: rows * f)
            up = FloatBuffer(count: rows * f)
            activated = FloatBuffer(count: rows * f)
            scoreRows = min(rows, 128)
            scores = (0..<workers).map { _ in FloatBuffer(count: min(rows, 128) * positions) }
            logitRows = max(1, min(rows, (8 << 20) / c.vocabSize))
            logits = FloatBuffer(count: logitRows * c.vocabSize)
        }
    }

    private func workspace(rows: Int, positions: Int) -> Workspace {
        let old = workspace
        if let old, old.rows >= rows, old.positions >= positions { return old }
        workspace = nil
        let ws = Workspace(config: config, rows: max(rows, old?.rows ?? 0), positions: max(positions, old?.positions ?? 0),
                           workers: min(threads, config.numKeyValueHeads))
        workspace = ws
        return ws
    }
}
