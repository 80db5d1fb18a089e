import Corpus
import Foundation
import Glibc

/// A memory-mapped `.safetensors` file (the Hugging Face format: an 8-byte little-endian header
/// length, a JSON header naming each tensor's dtype, shape and `data_offsets`, then the raw
/// little-endian data). The header is checked on open as the Rust `safetensors` crate checks it —
/// bounded length, known dtypes, element count x dtype size equal to the offsets' span with
/// overflow checks, offsets inside the data area, no two tensors overlapping (gaps are allowed,
/// as the format's spec allows them) — so every later read stays inside the mapping.
///
/// Immutable after `init`; the mapping lives as long as the object. A file truncated by another
/// process while mapped can still fault (SIGBUS), as with any mmap reader.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Where a tensor lives: dtype, shape and its bytes as absolute offsets in the file.
    public struct TensorInfo: Sendable, Equatable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        public let byteRange: Range<Int>
        public var elementCount: Int { byteRange.count / dtype.byteSize }
    }

    /// The largest header accepted, as in the Rust crate (`MAX_HEADER_SIZE`, 100 MB).
    public static let maximumHeaderLength = 100_000_000

    public let path: String
    /// The header's `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Tensor names in the order their data lies in the file.
    public let names: [String]
    private let tensors: [String: TensorInfo]
    private let base: UnsafeRawPointer
    private let size: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw CorpusError.io(path: path, operation: "stat", errno: errno) }
        size = Int(st.st_size)
        guard size >= 8 else {
            throw ModelingError.invalidSafeTensors(path: path, tensor: nil, detail: "\(size) bytes, shorter than the 8-byte header length")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw CorpusError.io(path: path, operation: "mmap", errno: errno)
        }
        base = UnsafeRawPointer(mapped)
        do {
            (metadata, tensors, names) = try Self.parseHeader(UnsafeRawBufferPointer(start: base, count: size), path: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The dtype, shape and byte range of `name`, nil when the file has no such tensor.
    public func info(_ name: String) -> TensorInfo? { tensors[name] }

    /// The tensor's values as fp32, from F32, F16, BF16 or F64 data.
    public func floats(_ name: String) throws -> [Float] {
        let info = try require(name)
        let bytes = UnsafeRawBufferPointer(start: base + info.byteRange.lowerBound, count: info.byteRange.count)
        let n = info.elementCount
        switch info.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: n) { out, count in
                _ = memcpy(out.baseAddress!, bytes.baseAddress!, n * 4)
                count = n
            }
        case .f16:
            return (0..<n).map { Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .bf16:
            return (0..<n).map { BFloat16.float(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .f64:
            return (0..<n).map { Float(bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        default:
            throw ModelingError.tensorMismatch(path: path, tensor: name, detail: "dtype \(info.dtype.rawValue) is not a float type")
        }
    }

    /// The tensor's values as Int64, from BOOL, U8, I8, I16, U16, I32, U32 or I64 data.
    public func int64s(_ name: String) throws -> [Int64] {
        let info = try require(name)
        let bytes = UnsafeRawBufferPointer(start: base + info.byteRange.lowerBound, count: info.byteRange.count)
        let size = info.dtype.byteSize
        func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
            (0..<info.elementCount).map { Int64(bytes.loadUnaligned(fromByteOffset: size * $0, as: T.self)) }
        }
        switch info.dtype {
        case .bool, .u8: return load(UInt8.self)
        case .i8: return load(Int8.self)
        case .i16: return load(Int16.self)
        case .u16: return load(UInt16.self)
        case .i32: return load(Int32.self)
        case .u32: return load(UInt32.self)
        case .i64: return load(Int64.self)
        default:
            throw ModelingError.tensorMismatch(path: path, tensor: name, detail: "dtype \(info.dtype.rawValue) is not an integer type that fits Int64")
        }
    }

    private func require(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw ModelingError.missingTensor(path: path, tensor: name) }
        return info
    }

    // MARK: - Header

    private static func parseHeader(_ file: UnsafeRawBufferPointer, path: String)
        throws -> (metadata: [String: String], tensors: [String: TensorInfo], names: [String]) {
        func fail(_ tensor: String?, _ detail: String) -> ModelingError {
            .invalidSafeTensors(path: path, tensor: tensor, detail: detail)
        }
        let declared = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maximumHeaderLength) else {
            throw fail(nil, "header length \(declared) is more than the \(maximumHeaderLength) allowed")
        }
        let headerLength = Int(declared)
        guard headerLength <= file.count - 8 else {
            throw fail(nil, "header length \(headerLength) runs past the end of the \(file.count)-byte file")
        }
        let dataStart = 8 + headerLength, dataSize = file.count - dataStart
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes: file.baseAddress! + 8, count: headerLength))
        } catch {
            throw fail(nil, "header is not valid JSON")
        }
        guard case let .object(entries) = value else { throw fail(nil, "header is not a JSON object") }

        func integer(_ v: JSONValue, _ tensor: String, _ what: String) throws -> Int {
            guard case let .number(d) = v, d.rounded() == d, d >= 0, d <= 9_007_199_254_740_992 else {
                throw fail(tensor, "\(what) must be a non-negative integer, found \(ConfigObject.render(v))")
            }
            return Int(d)
        }

        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard case let .object(map) = entry else { throw fail(nil, "__metadata__ is not an object") }
                for (key, v) in map {
                    guard case let .string(s) = v else { throw fail(nil, "__metadata__ value for \"\(key)\" is not a string") }
                    metadata[key] = s
                }
                continue
            }
            guard case let .object(fields) = entry else { throw fail(name, "entry is not an object") }
            guard case let .string(dtypeName)? = fields["dtype"] else { throw fail(name, "dtype is missing or not a string") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw fail(name, "unknown dtype \"\(dtypeName)\"") }
            guard case let .array(dims)? = fields["shape"] else { throw fail(name, "shape is missing or not a list") }
            let shape = try dims.map { try integer($0, name, "a dimension") }
            guard case let .array(offsets)? = fields["data_offsets"], offsets.count == 2 else {
                throw fail(name, "data_offsets is missing or not a list of two integers")
            }
            let begin = try integer(offsets[0], name, "data_offsets[0]"), end = try integer(offsets[1], name, "data_offsets[1]")
            guard begin <= end else { throw fail(name, "data_offsets [\(begin), \(end)] end before they begin") }
            guard end <= dataSize else { throw fail(name, "data_offsets end \(end) is past the \(dataSize)-byte data area") }
            var bytes = dtype.byteSize
            for d in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail(name, "shape \(shape) overflows") }
                bytes = product
            }
            guard bytes == end - begin else {
                throw fail(name, "shape \(shape) of \(dtypeName) needs \(bytes) bytes but data_offsets span \(end - begin)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, byteRange: (dataStart + begin)..<(dataStart + end))
        }
        let ordered = tensors.sorted {
            ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound) < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound)
                || ($0.value.byteRange == $1.value.byteRange && Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)))
        }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw fail(next.key, "data overlaps tensor \"\(previous.key)\"")
        }
        return (metadata, tensors, ordered.map(\.key))
    }
}
