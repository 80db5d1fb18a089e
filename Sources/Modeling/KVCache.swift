/// The keys and values of every layer for the positions a sequence has run through, as
/// transformers' `DynamicCache` holds them after rotary, but allocated once for `maxLength`
/// positions: keys and values are each [layers, positions, KV heads, head_dim]. `count`
/// positions are filled; `LlamaInference` appends after them. `copy()` forks the state (score
/// several continuations of one prompt side by side), `truncate(to:)` rewinds it.
public final class KVCache: @unchecked Sendable {
    public let maxLength: Int
    /// Positions filled so far.
    public internal(set) var count = 0
    let layers: Int
    let width: Int           // KV heads x head_dim
    let keys: FloatBuffer
    let values: FloatBuffer
    /// The rotary tables for positions 0..<maxLength (`Kernels.rotaryTables`), shared by copies.
    let ropeCos: FloatBuffer
    let ropeSin: FloatBuffer

    /// A cache for up to `maxLength` positions of a model of `config`; at most
    /// `max_position_embeddings` (the bound on what one cache may allocate).
    public init(config c: LlamaConfig, maxLength: Int) throws {
        guard maxLength > 0, maxLength <= c.maxPositionEmbeddings else {
            throw LlamaInputError(description: "a KV cache of \(maxLength) positions: the model takes 1...\(c.maxPositionEmbeddings) (max_position_embeddings)")
        }
        self.maxLength = maxLength
        layers = c.numHiddenLayers
        width = c.keyValueWidth
        keys = FloatBuffer(count: layers * maxLength * width)
        values = FloatBuffer(count: layers * maxLength * width)
        let tables = Kernels.rotaryTables(seqLen: maxLength, headDim: c.headDim, theta: c.ropeTheta)
        ropeCos = FloatBuffer(tables.cos)
        ropeSin = FloatBuffer(tables.sin)
    }

    private init(copying other: KVCache) {
        maxLength = other.maxLength
        layers = other.layers
        width = other.width
        count = other.count
        keys = FloatBuffer(count: other.keys.count)
        values = FloatBuffer(count: other.values.count)
        for l in 0..<layers {
            let offset = l * maxLength * width
            (keys.pointer + offset).update(from: other.keys.pointer + offset, count: count * width)
            (values.pointer + offset).update(from: other.values.pointer + offset, count: count * width)
        }
        ropeCos = other.ropeCos
        ropeSin = other.ropeSin
    }

    /// An independent cache holding the same filled positions.
    public func copy() -> KVCache { KVCache(copying: self) }

    /// Forgets every position from `length` on (0 empties the cache).
    public func truncate(to length: Int) throws {
        guard (0...count).contains(length) else {
            throw LlamaInputError(description: "cannot truncate a KV cache of \(count) positions to \(length)")
        }
        count = length
    }

    /// Layer `l`'s keys, `maxLength` rows of `width`.
    func keys(layer l: Int) -> UnsafeMutablePointer<Float> { keys.pointer + l * maxLength * width }

    func values(layer l: Int) -> UnsafeMutablePointer<Float> { values.pointer + l * maxLength * width }
}
