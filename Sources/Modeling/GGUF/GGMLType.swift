/// A ggml tensor element type as GGUF tensor infos store it (`ggml_type` in ggml.h), with its
/// block geometry from gguf-py's `GGML_QUANT_SIZES`: `blockSize` elements take `typeSize` bytes.
/// Every type a GGUF may hold is listed, so any well-formed file's tensor sizes can be checked;
/// `GGUFDequantizer.supports` says which ones this reader turns into floats.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20, iq3_S = 21, iq2_S = 22, iq4_XS = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_M = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41

    /// Elements per block (1 for the plain types).
    public var blockSize: Int { geometry.elements }
    /// Bytes per block.
    public var typeSize: Int { geometry.bytes }

    private var geometry: (elements: Int, bytes: Int) {
        switch self {
        case .f32, .i32: return (1, 4)
        case .f16, .bf16, .i16: return (1, 2)
        case .i8: return (1, 1)
        case .i64, .f64: return (1, 8)
        case .q4_0, .iq4_NL: return (32, 18)
        case .q4_1: return (32, 20)
        case .q5_0: return (32, 22)
        case .q5_1: return (32, 24)
        case .q8_0: return (32, 34)
        case .q8_1: return (32, 40)
        case .mxfp4: return (32, 17)
        case .nvfp4: return (64, 36)
        case .q1_0: return (128, 18)
        case .q2_K: return (256, 84)
        case .q3_K, .iq3_S: return (256, 110)
        case .q4_K: return (256, 144)
        case .q5_K: return (256, 176)
        case .q6_K: return (256, 210)
        case .q8_K: return (256, 292)
        case .iq2_XXS, .tq2_0: return (256, 66)
        case .iq2_XS: return (256, 74)
        case .iq3_XXS: return (256, 98)
        case .iq1_S: return (256, 50)
        case .iq2_S: return (256, 82)
        case .iq4_XS: return (256, 136)
        case .iq1_M: return (256, 56)
        case .tq1_0: return (256, 54)
        }
    }

    /// The name ggml and gguf-py print (`Q4_K`, `BF16`, ...).
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        case .iq2_XXS: return "IQ2_XXS"
        case .iq2_XS: return "IQ2_XS"
        case .iq3_XXS: return "IQ3_XXS"
        case .iq1_S: return "IQ1_S"
        case .iq4_NL: return "IQ4_NL"
        case .iq3_S: return "IQ3_S"
        case .iq2_S: return "IQ2_S"
        case .iq4_XS: return "IQ4_XS"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .iq1_M: return "IQ1_M"
        case .bf16: return "BF16"
        case .tq1_0: return "TQ1_0"
        case .tq2_0: return "TQ2_0"
        case .mxfp4: return "MXFP4"
        case .nvfp4: return "NVFP4"
        case .q1_0: return "Q1_0"
        }
    }
}
