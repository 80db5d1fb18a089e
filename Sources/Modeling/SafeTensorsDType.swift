/// The element types of the safetensors format, spelled as in its header (`"F32"`, `"BF16"`, ...),
/// with the byte size the Rust `safetensors` crate gives each. Sub-byte types (F4, F6) are not
/// listed: a header naming them is rejected as an unknown dtype.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3", f8e8m0 = "F8_E8M0"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case f64 = "F64", i64 = "I64", u64 = "U64"

    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// The `torch.dtype` name without its prefix (`float32`, `bfloat16`), as config.json's
    /// `dtype` spells the weights' type.
    public var torchName: String {
        switch self {
        case .bool: return "bool"
        case .u8: return "uint8"
        case .i8: return "int8"
        case .f8e5m2: return "float8_e5m2"
        case .f8e4m3: return "float8_e4m3fn"
        case .f8e8m0: return "float8_e8m0fnu"
        case .i16: return "int16"
        case .u16: return "uint16"
        case .f16: return "float16"
        case .bf16: return "bfloat16"
        case .i32: return "int32"
        case .u32: return "uint32"
        case .f32: return "float32"
        case .f64: return "float64"
        case .i64: return "int64"
        case .u64: return "uint64"
        }
    }

    /// The float types a writer can store fp32 values as.
    public var isWritableFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// fp32 <-> bf16 as PyTorch converts (`c10::BFloat16`): round to nearest, ties to even; any NaN
/// becomes the quiet NaN 0x7FC0.
enum BFloat16 {
    static func bits(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let b = value.bitPattern
        return UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16)
    }

    static func float(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
