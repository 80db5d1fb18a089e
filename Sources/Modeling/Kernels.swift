import COpenBLAS
import Foundation

/// The numeric building blocks of the LLaMA forward and backward passes, over row-major fp32
/// buffers. Matrix products go through OpenBLAS; the rest are plain loops the compiler vectorizes.
/// Each function mirrors the PyTorch op named in its comment, in fp32 as transformers runs it.
enum Kernels {
    /// C (m x n) = alpha * op(A) * op(B) + beta * C, row-major (`torch.addmm`).
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                     beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS may use for one call.
    static func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// `LlamaRMSNorm`: y = w * x / sqrt(mean(x^2) + eps), per row; stores 1/sqrt(...) per row.
    static func rmsNormForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, width: Int, eps: Float,
                               out y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var ss: Float = 0
            for i in 0..<width { ss += xr[i] * xr[i] }
            let s = 1 / (ss / Float(width) + eps).squareRoot()
            rstd[r] = s
            for i in 0..<width { yr[i] = weight[i] * (xr[i] * s) }
        }
    }

    /// Backward of `rmsNormForward` for a frozen weight: dx += r*(w*dy) - r^3/H * x * sum(w*dy*x).
    static func rmsNormBackward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rstd: UnsafePointer<Float>, rows: Int, width: Int, accumulateInto dx: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * width, dyr = dy + r * width, dxr = dx + r * width
            let s = rstd[r]
            var dot: Float = 0
            for i in 0..<width { dot += weight[i] * dyr[i] * xr[i] }
            let c = s * s * s * dot / Float(width)
            for i in 0..<width { dxr[i] += s * weight[i] * dyr[i] - c * xr[i] }
        }
    }

    /// `apply_rotary_pos_emb` (rotate-half convention) in place on `heads` heads of `headDim`
    /// per row; row r of a block of `seqLen` rows has position r % seqLen. `inverse` applies the
    /// transposed rotation (the backward pass).
    static func rotary(_ x: UnsafeMutablePointer<Float>, rows: Int, seqLen: Int, heads: Int, headDim: Int,
                       cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, inverse: Bool = false) {
        let half = headDim / 2
        let sign: Float = inverse ? -1 : 1
        for r in 0..<rows {
            let pos = r % seqLen
            let c = cos + pos * half, s = sin + pos * half
            for h in 0..<heads {
                let v = x + r * heads * headDim + h * headDim
                for j in 0..<half {
                    let a = v[j], b = v[j + half]
                    v[j] = a * c[j] - sign * b * s[j]
                    v[j + half] = b * c[j] + sign * a * s[j]
                }
            }
        }
    }

    /// The cos/sin tables of `LlamaRotaryEmbedding` (default rope): inv_freq_j = theta^(-2j/d) in
    /// fp32, angle = pos * inv_freq_j, one row of d/2 per position.
    static func rotaryTables(seqLen: Int, headDim: Int, theta: Float) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        var c = [Float](repeating: 0, count: seqLen * half), s = c
        for j in 0..<half {
            let invFreq = 1 / Float(pow(Double(theta), Double(2 * j) / Double(headDim)))
            for p in 0..<seqLen {
                let angle = Float(p) * invFreq
                c[p * half + j] = Foundation.cos(angle)
                s[p * half + j] = Foundation.sin(angle)
            }
        }
        return (c, s)
    }

    /// SwiGLU: out = silu(gate) * up (`LlamaMLP`'s act_fn(gate_proj(x)) * up_proj(x)).
    static func swiGLUForward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i]
            out[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// Backward of `swiGLUForward`: dGate and dUp from dOut (both overwritten).
    static func swiGLUBackward(dOut: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                               dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i]
            let sig = 1 / (1 + expf(-g))
            let silu = g * sig
            dUp[i] = dOut[i] * silu
            dGate[i] = dOut[i] * up[i] * sig * (1 + g * (1 - sig))
        }
    }

    /// Causal softmax over a T x T score block in place: row t keeps columns 0...t (the rest 0).
    static func causalSoftmax(_ s: UnsafeMutablePointer<Float>, seqLen t: Int) {
        for i in 0..<t {
            let row = s + i * t
            var m = -Float.infinity
            for j in 0...i { m = max(m, row[j]) }
            var sum: Float = 0
            for j in 0...i {
                let e = expf(row[j] - m)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0...i { row[j] *= inv }
            for j in (i + 1)..<t { row[j] = 0 }
        }
    }

    /// Softmax backward in place: dS = P * (dP - rowsum(dP * P)), rows of a causal T x T block.
    static func softmaxBackward(_ dp: UnsafeMutablePointer<Float>, probs p: UnsafePointer<Float>, seqLen t: Int) {
        for i in 0..<t {
            let pr = p + i * t, dr = dp + i * t
            var dot: Float = 0
            for j in 0...i { dot += pr[j] * dr[j] }
            for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) }
            for j in (i + 1)..<t { dr[j] = 0 }
        }
    }

    /// Cross-entropy of one row of logits against `target` (`F.cross_entropy`), in one exp pass:
    /// the row becomes its gradient (softmax - onehot) * scale when `withGradient`, and is
    /// clobbered otherwise. Returns the row's loss (natural log).
    @inline(__always)
    static func crossEntropyRow(_ row: UnsafeMutablePointer<Float>, count v: Int, target: Int, scale: Float, withGradient: Bool) -> Double {
        var m = -Float.infinity
        for j in 0..<v { m = max(m, row[j]) }
        let targetLogit = row[target]
        let sum = exponentiate(row, count: v, minus: m)
        let loss = Double(m + logf(sum) - targetLogit)
        if withGradient {
            let k = scale / sum
            for j in 0..<v { row[j] *= k }
            row[target] -= scale
        }
        return loss
    }

    /// x[j] = exp(x[j] - m) for j < count, returning the sum: 16 lanes at a time with Cephes'
    /// expf polynomial (range reduction by ln 2 in two parts, error within 2 ulp of expf), the
    /// tail with `expf`. Inputs are <= 0 after the shift; below -87.3 the result is 0, NaN stays NaN.
    static func exponentiate(_ x: UnsafeMutablePointer<Float>, count: Int, minus m: Float) -> Float {
        typealias V = SIMD16<Float>
        let log2e = V(repeating: 1.442_695_04), ln2Hi = V(repeating: 0.693_359_375), ln2Lo = V(repeating: -2.121_944_4e-4)
        let floor = V(repeating: -87.3), shift = V(repeating: m), magic = V(repeating: 12_582_912)
        var total = V(repeating: 0)
        var j = 0
        let raw = UnsafeMutableRawPointer(x)
        while j + 16 <= count {
            var a = raw.loadUnaligned(fromByteOffset: j * 4, as: V.self) - shift
            let under = a .< floor, notANumber = a .!= a
            a = a.replacing(with: floor, where: under .| notANumber)   // NaN must not reach the Int32 conversion
            // Round a*log2(e) to the nearest integer by adding 1.5 * 2^23: the sum's low mantissa
            // bits are that integer (no float -> int conversion, which Swift does lane by lane).
            let t = a * log2e + magic
            let n = t - magic
            let r = a - n * ln2Hi - n * ln2Lo
            var p = V(repeating: 1.987_569_15e-4)
            p = p * r + 1.398_199_95e-3
            p = p * r + 8.333_451_9e-3
            p = p * r + 4.166_579_58e-2
            p = p * r + 1.666_666_55e-1
            p = p * r + 5.000_000_12e-1
            p = p * r * r + r + 1
            let exponent = (unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
            var e = p * unsafeBitCast(exponent, to: V.self)
            e = e.replacing(with: 0, where: under).replacing(with: .nan, where: notANumber)
            raw.storeBytes(of: e, toByteOffset: j * 4, as: V.self)
            total += e
            j += 16
        }
        var sum = total.sum()
        while j < count {
            let e = expf(x[j] - m)
            x[j] = e
            sum += e
            j += 1
        }
        return sum
    }
}

/// Splits `0..<count` into one contiguous range per worker and runs them on `threads` cores
/// (element-wise kernels, the optimizer); runs inline for small counts.
public func parallelChunks(_ count: Int, threads: Int, minimumChunk: Int = 1 << 14, _ body: @Sendable (Range<Int>) -> Void) {
    let workers = max(1, min(threads, count / max(1, minimumChunk)))
    if workers == 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        body((count * w / workers)..<(count * (w + 1) / workers))
    }
}
