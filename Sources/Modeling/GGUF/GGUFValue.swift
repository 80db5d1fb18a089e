/// One GGUF metadata value (`gguf_type` in the GGUF spec), as gguf-py's `GGUFReader` reads it.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)
    case array(GGUFArray)

    /// The value as an `Int` when it is an integer of any width that fits.
    public var intValue: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// The value as a `Double` when it is a float32 or float64.
    public var doubleValue: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return nil
        }
    }

    /// The GGUF name of the value's type, for messages.
    public var typeName: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        case let .array(a): return "array of \(a.elementTypeName)"
        }
    }
}

/// A GGUF metadata array, stored as a typed Swift array so that memory stays proportional to the
/// bytes it was read from. Arrays of arrays nest (`tokenizer.ggml.merges` is an array of strings;
/// nested arrays are rare but legal).
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case uint16([UInt16])
    case int16([Int16])
    case uint32([UInt32])
    case int32([Int32])
    case float32([Float])
    case bool([Bool])
    case string([String])
    case uint64([UInt64])
    case int64([Int64])
    case float64([Double])
    case array([GGUFArray])

    public var count: Int {
        switch self {
        case let .uint8(a): return a.count
        case let .int8(a): return a.count
        case let .uint16(a): return a.count
        case let .int16(a): return a.count
        case let .uint32(a): return a.count
        case let .int32(a): return a.count
        case let .float32(a): return a.count
        case let .bool(a): return a.count
        case let .string(a): return a.count
        case let .uint64(a): return a.count
        case let .int64(a): return a.count
        case let .float64(a): return a.count
        case let .array(a): return a.count
        }
    }

    /// Integer elements of any width as `Int`s; nil for other element types or a uint64 past `Int.max`.
    public var intValues: [Int]? {
        switch self {
        case let .uint8(a): return a.map(Int.init)
        case let .int8(a): return a.map(Int.init)
        case let .uint16(a): return a.map(Int.init)
        case let .int16(a): return a.map(Int.init)
        case let .uint32(a): return a.map(Int.init)
        case let .int32(a): return a.map(Int.init)
        case let .int64(a): return a.map(Int.init)
        case let .uint64(a):
            var out: [Int] = []
            out.reserveCapacity(a.count)
            for v in a {
                guard let i = Int(exactly: v) else { return nil }
                out.append(i)
            }
            return out
        default: return nil
        }
    }

    var elementTypeName: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        case .array: return "array"
        }
    }
}
