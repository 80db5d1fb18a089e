import Dispatch

/// Turns ggml tensor blocks into floats, bit for bit as gguf-py's `gguf.quants.dequantize` does
/// (float32 arithmetic in the same order: `d * q + m` for Q4_1, `(d * sc) * q - dmin * m` for
/// Q4_K, ...). Block layouts are ggml's (`block_q4_0` ... `block_q6_K` in ggml-common.h).
/// Big tensors are split across both cores by whole blocks.
public enum GGUFDequantizer {
    /// The types `dequantize` handles.
    public static let supportedTypes: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q6_K]

    /// Tensors with at least this many blocks are split over two threads.
    static let parallelBlocks = 1 << 14

    /// An error naming the tensor when its type is not one of `supportedTypes`.
    static func check(_ tensor: GGUFTensorInfo, path: String) throws {
        guard supportedTypes.contains(tensor.type) else {
            let names = supportedTypes.map(\.description).sorted().joined(separator: ", ")
            throw GGUFError.tensor(path: path, name: tensor.name, detail: "ggml type \(tensor.type) cannot be dequantized (supported: \(names))")
        }
    }

    /// Fills `out` (exactly the tensor's element count) from `bytes` (exactly its blocks).
    static func dequantize(type: GGMLType, bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let blockBytes = type.typeSize, blockElements = type.blockSize
        let blocks = bytes.count / blockBytes
        precondition(blocks * blockElements == out.count && blocks * blockBytes == bytes.count)
        guard let src = bytes.baseAddress, let dst = out.baseAddress else { return }
        let kernel = kernel(for: type)
        guard blocks >= parallelBlocks else {
            kernel(src, dst, blocks)
            return
        }
        let workers = 2
        let span = (blocks + workers - 1) / workers
        let source = SendablePointers(src: src, dst: dst)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let first = w * span, count = min(span, blocks - first)
            guard count > 0 else { return }
            kernel(source.src + first * blockBytes, source.dst + first * blockElements, count)
        }
    }

    /// The pointers a worker needs; each worker writes a disjoint range of blocks.
    private struct SendablePointers: @unchecked Sendable {
        let src: UnsafeRawPointer
        let dst: UnsafeMutablePointer<Float>
    }

    private typealias Kernel = @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void

    private static func kernel(for type: GGMLType) -> Kernel {
        switch type {
        case .f32: return f32
        case .f16: return f16
        case .bf16: return bf16
        case .q8_0: return q8_0
        case .q4_0: return q4_0
        case .q4_1: return q4_1
        case .q4_K: return q4_K
        case .q6_K: return q6_K
        default: preconditionFailure("\(type) has no kernel; check() guards this")
        }
    }

    @inline(__always)
    private static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    private static func f32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: n * 4)
    }

    private static func f16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { dst[i] = half(src, 2 * i) }
    }

    private static func bf16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n {
            dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
    }

    /// block_q8_0: fp16 d, 32 x int8 q; w = q * d.
    private static func q8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + b * 34, o = dst + b * 32
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { o[j] = Float(q[j]) * d }
        }
    }

    /// block_q4_0: fp16 d, 16 bytes of nibbles (low nibbles weights 0-15, high 16-31); w = d * (q - 8).
    private static func q4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + b * 18, o = dst + b * 32
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                o[j] = d * Float(Int(q[j] & 0x0F) - 8)
                o[j + 16] = d * Float(Int(q[j] >> 4) - 8)
            }
        }
    }

    /// block_q4_1: fp16 d, fp16 m, 16 bytes of nibbles; w = d * q + m.
    private static func q4_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + b * 20, o = dst + b * 32
            let d = half(p, 0), m = half(p, 2)
            let q = (p + 4).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                o[j] = d * Float(q[j] & 0x0F) + m
                o[j + 16] = d * Float(q[j] >> 4) + m
            }
        }
    }

    /// block_q4_K: fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32,
    /// 128 bytes of nibbles (each 32-byte chunk: low nibbles one sub-block, high the next);
    /// w = (d * sc) * q - dmin * m.
    private static func q4_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + b * 144, o = dst + b * 256
            let d = half(p, 0), dmin = half(p, 2)
            let s = (p + 4).assumingMemoryBound(to: UInt8.self)
            let q = (p + 16).assumingMemoryBound(to: UInt8.self)
            for sub in 0..<8 {
                let sc: UInt8, mn: UInt8
                if sub < 4 {
                    sc = s[sub] & 63
                    mn = s[sub + 4] & 63
                } else {
                    sc = (s[sub + 4] & 0x0F) | ((s[sub - 4] >> 6) << 4)
                    mn = (s[sub + 4] >> 4) | ((s[sub] >> 6) << 4)
                }
                let scale = d * Float(sc), minimum = dmin * Float(mn)
                let chunk = q + (sub >> 1) * 32, shift = UInt8((sub & 1) * 4)
                let out = o + sub * 32
                for j in 0..<32 { out[j] = scale * Float((chunk[j] >> shift) & 0x0F) - minimum }
            }
        }
    }

    /// block_q6_K: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales (one per
    /// 16 weights), fp16 d; w = (d * scale) * (q - 32). Each half of 128 weights takes 64 low
    /// bytes (low nibbles weights 0-63, high 64-127) and 32 high bytes (bit pairs 0-1 .. 6-7 for
    /// weights 0-31 .. 96-127).
    private static func q6_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + b * 210, o = dst + b * 256
            let ql = p.assumingMemoryBound(to: UInt8.self)
            let qh = (p + 128).assumingMemoryBound(to: UInt8.self)
            let sc = (p + 192).assumingMemoryBound(to: Int8.self)
            let d = half(p, 208)
            for i in 0..<256 {
                let half = i >> 7, r = i & 127
                let low = (ql[half * 64 + (r & 63)] >> UInt8((r >> 6) * 4)) & 0x0F
                let high = (qh[half * 32 + (r & 31)] >> UInt8((r >> 5) * 2)) & 0x03
                o[i] = (d * Float(sc[i >> 4])) * Float(Int(low | (high << 4)) - 32)
            }
        }
    }
}
