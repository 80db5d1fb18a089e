import COpenBLAS
import Foundation

/// The kernels of the forward-only, KV-cached pass (`LlamaInference`) that training has no use for.
extension Kernels {
    /// Softmax over a block of `rows` score rows, `columns` wide, whose query row i sits at
    /// position `first + i` of the sequence: row i keeps columns 0...first+i and zeroes the rest
    /// (the causal mask of `eager_attention_forward` over a KV cache).
    static func cachedCausalSoftmax(_ s: UnsafeMutablePointer<Float>, rows: Int, columns: Int, first: Int) {
        for i in 0..<rows {
            let row = s + i * columns, keep = first + i + 1
            var m = -Float.infinity
            for j in 0..<keep { m = max(m, row[j]) }
            var sum: Float = 0
            for j in 0..<keep {
                let e = expf(row[j] - m)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<keep { row[j] *= inv }
            for j in keep..<columns { row[j] = 0 }
        }
    }

    /// W += scaling * B A in place (PEFT's `merge()`: `get_delta_weight` is B @ A * scaling), with
    /// W [out, in], B [out, r], A [r, in].
    static func mergeLoRA(into w: UnsafeMutablePointer<Float>, out: Int, in width: Int, rank: Int, scaling: Float,
                          a: UnsafePointer<Float>, b: UnsafePointer<Float>) {
        gemm(m: out, n: width, k: rank, alpha: scaling, b, lda: rank, a, ldb: width, beta: 1, w, ldc: width)
    }

    /// y = x W^T for one row x [k] and W [n, k] row-major: `gemm` with m = 1 as a matrix-vector
    /// product, which streams W once instead of packing it (the one-token step's every product).
    static func rowTimesTransposed(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, n: Int, k: Int, _ y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), 1, w, Int32(k), x, 1, 0, y, 1)
    }

    /// The index of the largest value, the first one on ties (`torch.argmax`).
    static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for i in 1..<count where x[i] > x[best] { best = i }
        return best
    }
}
