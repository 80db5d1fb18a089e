import Glibc

/// One tensor's entry in a GGUF file's tensor-info table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public var name: String
    public var type: GGMLType
    /// The dimensions as GGUF stores them, innermost (fastest-varying) first: a 49,152 x 576
    /// embedding matrix is `[576, 49152]`.
    public var dimensions: [Int]
    /// Where the tensor's bytes start, relative to the file's data section.
    public var offset: Int
    public var elementCount: Int
    public var byteCount: Int

    /// The dimensions outermost first, as PyTorch and safetensors order them.
    public var shape: [Int] { dimensions.reversed() }
}

/// A GGUF v2 or v3 file (llama.cpp's model format; see ggml's docs/gguf.md): header, typed
/// metadata and tensor infos parsed up front, tensor data memory-mapped and dequantized on demand.
/// Mirrors gguf-py's `GGUFReader`: little-endian only, `general.alignment` (uint32, default 32)
/// sets where the data section starts. Every count, length and offset is checked against the
/// file's size before anything is allocated, so a truncated or hostile file is a `GGUFError`
/// naming the byte offset, never a trap or an unbounded allocation.
public final class GGUFFile: @unchecked Sendable {
    // @unchecked: the bytes are read-only for the object's whole life and nothing else mutates.
    public let path: String
    public let version: UInt32
    public let alignment: Int
    /// The absolute offset of the data section (tensor offsets are relative to it).
    public let dataOffset: Int
    /// Metadata keys in file order.
    public let keys: [String]
    public let tensors: [GGUFTensorInfo]
    private let values: [String: GGUFValue]
    private let tensorIndex: [String: Int]
    private let base: UnsafeRawPointer?
    private let size: Int
    private let ownsMapping: Bool

    /// The deepest array nesting accepted (real files use 1); deeper is an error, not recursion.
    static let maximumArrayDepth = 8
    /// ggml's GGML_MAX_DIMS.
    static let maximumDimensions = 4

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw GGUFError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw GGUFError.io(path: path, operation: "stat", errno: errno) }
        let size = Int(st.st_size)
        guard size > 0 else { throw GGUFError.invalid(path: path, offset: 0, detail: "empty file") }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw GGUFError.io(path: path, operation: "mmap", errno: errno)
        }
        do {
            try self.init(path: path, base: UnsafeRawPointer(m), size: size, ownsMapping: true)
        } catch {
            munmap(m, size)
            throw error
        }
    }

    /// Parses a copy of `bytes`; `path` names the input in errors (for tests and in-memory files).
    public convenience init(bytes: [UInt8], path: String) throws {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        do {
            try self.init(path: path, base: UnsafeRawPointer(copy), size: bytes.count, ownsMapping: false)
        } catch {
            copy.deallocate()
            throw error
        }
    }

    private init(path: String, base: UnsafeRawPointer, size: Int, ownsMapping: Bool) throws {
        var r = Cursor(bytes: UnsafeRawBufferPointer(start: base, count: size), path: path)
        let magic = try r.u32()
        guard magic == 0x4655_4747 else {  // "GGUF" little-endian
            throw GGUFError.invalid(path: path, offset: 0, detail: "not a GGUF file (magic \(String(magic, radix: 16)))")
        }
        let version = try r.u32()
        if version == 0x0200_0000 || version == 0x0300_0000 {
            throw GGUFError.invalid(path: path, offset: 4, detail: "big-endian GGUF files are not supported")
        }
        guard version == 2 || version == 3 else {
            throw GGUFError.invalid(path: path, offset: 4, detail: "GGUF version \(version) is not supported (2 and 3 are)")
        }
        let tensorCount = try r.count(elementBytes: 24, what: "tensor count")
        let kvCount = try r.count(elementBytes: 12, what: "metadata count")

        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(kvCount)
        for _ in 0..<kvCount {
            let keyOffset = r.offset
            let key = try r.string()
            let type = try r.u32()
            let value = try r.value(type: type, typeOffset: r.offset - 4, depth: 0)
            guard values.updateValue(value, forKey: key) == nil else {
                throw GGUFError.invalid(path: path, offset: keyOffset, detail: "duplicate metadata key \(key)")
            }
            keys.append(key)
        }

        var alignment = 32
        if let a = values["general.alignment"] {
            guard case let .uint32(v) = a, v > 0, v & (v - 1) == 0 else {
                throw GGUFError.metadata(path: path, key: "general.alignment", detail: "must be a uint32 power of two, got \(a)")
            }
            alignment = Int(v)
        }

        var infos: [GGUFTensorInfo] = []
        var infoOffsets: [Int] = []
        var tensorIndex: [String: Int] = [:]
        infos.reserveCapacity(tensorCount)
        for i in 0..<tensorCount {
            let at = r.offset
            let name = try r.string()
            let nDims = Int(try r.u32())
            guard (1...Self.maximumDimensions).contains(nDims) else {
                throw GGUFError.invalid(path: path, offset: at, detail: "tensor \(name) has \(nDims) dimensions (1 to \(Self.maximumDimensions) allowed)")
            }
            var dims: [Int] = []
            var elements = 1
            for _ in 0..<nDims {
                let d = try r.u64()
                guard let dim = Int(exactly: d), dim < 1 << 48 else {
                    throw GGUFError.invalid(path: path, offset: r.offset - 8, detail: "tensor \(name) has dimension \(d)")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard !overflow, product < 1 << 48 else {
                    throw GGUFError.invalid(path: path, offset: r.offset - 8, detail: "tensor \(name) has too many elements")
                }
                elements = product
                dims.append(dim)
            }
            let typeId = try r.u32()
            guard let type = GGMLType(rawValue: typeId) else {
                throw GGUFError.invalid(path: path, offset: r.offset - 4, detail: "tensor \(name) has unknown ggml type \(typeId)")
            }
            guard dims[0] % type.blockSize == 0 else {
                throw GGUFError.invalid(path: path, offset: at, detail: "tensor \(name): \(type) needs rows of a multiple of \(type.blockSize) elements, got \(dims[0])")
            }
            let rawOffset = try r.u64()
            guard let offset = Int(exactly: rawOffset), offset % alignment == 0 else {
                throw GGUFError.invalid(path: path, offset: r.offset - 8, detail: "tensor \(name) data offset \(rawOffset) is out of range or not a multiple of the alignment \(alignment)")
            }
            guard tensorIndex.updateValue(i, forKey: name) == nil else {
                throw GGUFError.invalid(path: path, offset: at, detail: "duplicate tensor name \(name)")
            }
            infos.append(GGUFTensorInfo(name: name, type: type, dimensions: dims, offset: offset,
                                        elementCount: elements, byteCount: elements / type.blockSize * type.typeSize))
            infoOffsets.append(at)
        }

        let dataOffset = (r.offset + alignment - 1) / alignment * alignment
        for (info, at) in zip(infos, infoOffsets) {
            let (start, o1) = dataOffset.addingReportingOverflow(info.offset)
            let (end, o2) = start.addingReportingOverflow(info.byteCount)
            guard !o1, !o2, end <= size else {
                throw GGUFError.invalid(path: path, offset: at, detail: "tensor \(info.name) data (\(info.byteCount) bytes at data offset \(info.offset)) runs past the end of the file (\(size) bytes)")
            }
        }

        self.path = path
        self.version = version
        self.alignment = alignment
        self.dataOffset = dataOffset
        self.keys = keys
        self.values = values
        self.tensors = infos
        self.tensorIndex = tensorIndex
        self.base = base
        self.size = size
        self.ownsMapping = ownsMapping
    }

    deinit {
        guard let base else { return }
        if ownsMapping {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    // MARK: Metadata

    /// The value stored under `key`, if any.
    public func value(_ key: String) -> GGUFValue? { values[key] }

    /// A string value; nil when absent, an error when present with another type.
    public func string(_ key: String) throws -> String? {
        guard let v = values[key] else { return nil }
        guard case let .string(s) = v else { throw mismatch(key, v, "string") }
        return s
    }

    /// An integer of any width as `Int`; nil when absent, an error for other types.
    public func integer(_ key: String) throws -> Int? {
        guard let v = values[key] else { return nil }
        guard let i = v.intValue else { throw mismatch(key, v, "integer") }
        return i
    }

    /// A float32 or float64 as `Double`; nil when absent, an error for other types.
    public func float(_ key: String) throws -> Double? {
        guard let v = values[key] else { return nil }
        guard let d = v.doubleValue else { throw mismatch(key, v, "float") }
        return d
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = values[key] else { return nil }
        guard case let .bool(b) = v else { throw mismatch(key, v, "bool") }
        return b
    }

    /// An array of strings (e.g. `tokenizer.ggml.tokens`); nil when absent.
    public func stringArray(_ key: String) throws -> [String]? {
        guard let v = values[key] else { return nil }
        guard case let .array(.string(a)) = v else { throw mismatch(key, v, "array of string") }
        return a
    }

    /// An array of integers of any width as `Int`s; nil when absent.
    public func integerArray(_ key: String) throws -> [Int]? {
        guard let v = values[key] else { return nil }
        guard case let .array(a) = v, let ints = a.intValues else { throw mismatch(key, v, "array of integer") }
        return ints
    }

    /// An array of float32 values; nil when absent.
    public func floatArray(_ key: String) throws -> [Float]? {
        guard let v = values[key] else { return nil }
        guard case let .array(.float32(a)) = v else { throw mismatch(key, v, "array of float32") }
        return a
    }

    private func mismatch(_ key: String, _ v: GGUFValue, _ expected: String) -> GGUFError {
        .metadata(path: path, key: key, detail: "expected \(expected), found \(v.typeName)")
    }

    // MARK: Tensors

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the mapping (checked against the file size when parsed); valid
    /// while this object lives.
    func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base! + dataOffset + tensor.offset, count: tensor.byteCount)
    }

    /// The tensor's values as floats, in GGUF's (innermost-first) element order, dequantized as
    /// gguf-py's `gguf.quants.dequantize` does. An unsupported type is an error naming the tensor.
    public func dequantize(_ tensor: GGUFTensorInfo) throws -> [Float] {
        try GGUFDequantizer.check(tensor, path: path)
        return [Float](unsafeUninitializedCapacity: tensor.elementCount) { out, initialized in
            GGUFDequantizer.dequantize(type: tensor.type, bytes: bytes(of: tensor), into: out)
            initialized = tensor.elementCount
        }
    }

    /// The tensor named `name`, dequantized; an error when there is none.
    public func dequantize(named name: String) throws -> [Float] {
        guard let t = tensor(named: name) else { throw GGUFError.tensor(path: path, name: name, detail: "not in the file") }
        return try dequantize(t)
    }
}

/// Bounds-checked little-endian reads over the file's bytes. Lengths and counts are compared with
/// the bytes left before anything is allocated for them.
private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var offset = 0

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    var remaining: Int { bytes.count - offset }

    func fail(_ at: Int, _ detail: String) -> GGUFError { .invalid(path: path, offset: at, detail: detail) }

    mutating func need(_ n: Int, _ what: String) throws {
        guard n <= remaining else { throw fail(offset, "\(what) needs \(n) bytes, \(remaining) left in the file") }
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    mutating func u32() throws -> UInt32 { try load(UInt32.self, "uint32") }
    mutating func u64() throws -> UInt64 { try load(UInt64.self, "uint64") }

    /// A uint64 count of items that each take at least `elementBytes` bytes of what follows.
    mutating func count(elementBytes: Int, what: String) throws -> Int {
        let at = offset
        let n = try u64()
        guard n <= UInt64(remaining / elementBytes) else {
            throw fail(at, "\(what) \(n) cannot fit in the \(remaining) bytes left")
        }
        return Int(n)
    }

    mutating func string() throws -> String {
        let at = offset
        let n = try count(elementBytes: 1, what: "string length")
        let raw = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail(at, "string is not valid UTF-8") }
        offset += n
        return s
    }

    /// Bytes an element of `type` takes at least (a string is its length, an array its header).
    static func minimumSize(_ type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 8, 10, 11, 12: return 8
        case 9: return 12
        default: return nil
        }
    }

    mutating func value(type: UInt32, typeOffset: Int, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try load(UInt8.self, "uint8"))
        case 1: return .int8(try load(Int8.self, "int8"))
        case 2: return .uint16(try load(UInt16.self, "uint16"))
        case 3: return .int16(try load(Int16.self, "int16"))
        case 4: return .uint32(try u32())
        case 5: return .int32(try load(Int32.self, "int32"))
        case 6: return .float32(Float(bitPattern: try u32()))
        case 7: return .bool(try boolean())
        case 8: return .string(try string())
        case 9: return .array(try array(depth: depth))
        case 10: return .uint64(try u64())
        case 11: return .int64(try load(Int64.self, "int64"))
        case 12: return .float64(Double(bitPattern: try u64()))
        default: throw fail(typeOffset, "unknown metadata value type \(type)")
        }
    }

    mutating func boolean() throws -> Bool {
        let at = offset
        let b = try load(UInt8.self, "bool")
        guard b <= 1 else { throw fail(at, "bool value \(b)") }
        return b == 1
    }

    mutating func array(depth: Int) throws -> GGUFArray {
        guard depth < GGUFFile.maximumArrayDepth else {
            throw fail(offset, "arrays nested deeper than \(GGUFFile.maximumArrayDepth)")
        }
        let typeOffset = offset
        let type = try u32()
        guard let size = Self.minimumSize(type) else { throw fail(typeOffset, "unknown array element type \(type)") }
        let n = try count(elementBytes: size, what: "array length")
        func read<T>(_ one: (inout Cursor) throws -> T) throws -> [T] {
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try one(&self)) }
            return out
        }
        switch type {
        case 0: return .uint8(try read { try $0.load(UInt8.self, "uint8") })
        case 1: return .int8(try read { try $0.load(Int8.self, "int8") })
        case 2: return .uint16(try read { try $0.load(UInt16.self, "uint16") })
        case 3: return .int16(try read { try $0.load(Int16.self, "int16") })
        case 4: return .uint32(try read { try $0.u32() })
        case 5: return .int32(try read { try $0.load(Int32.self, "int32") })
        case 6: return .float32(try read { Float(bitPattern: try $0.u32()) })
        case 7: return .bool(try read { try $0.boolean() })
        case 8: return .string(try read { try $0.string() })
        case 10: return .uint64(try read { try $0.u64() })
        case 11: return .int64(try read { try $0.load(Int64.self, "int64") })
        case 12: return .float64(try read { Double(bitPattern: try $0.u64()) })
        default: return .array(try read { try $0.array(depth: depth + 1) })
        }
    }
}
