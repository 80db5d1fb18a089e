import Corpus

/// Writes fp32 tensors to a `.safetensors` file as F32, F16 or BF16, with the layout the
/// `safetensors` Python package (Rust crate 0.8) produces: tensors ordered by name (the crate
/// sorts by dtype, then name; one dtype per file here), a compact JSON header with
/// `__metadata__` first, padded with spaces to a multiple of 8 bytes, data packed without gaps.
/// F16 and BF16 round to nearest even, as `torch.Tensor.to` does. The file appears atomically.
public enum SafeTensorsWriter {
    /// The metadata `safetensors.torch.save_file` users (transformers, PEFT) put in the header.
    public static let ptMetadata: [String: String] = ["format": "pt"]

    /// Writes `tensors` to `path`; `metadata` nil leaves `__metadata__` out.
    public static func write(_ tensors: [NamedTensor], dtype: SafeTensorsDType = .f32,
                             metadata: [String: String]? = ptMetadata, to path: String) throws {
        let sorted = try layout(tensors, dtype: dtype, path: path)
        let header = headerBytes(sorted, dtype: dtype, metadata: metadata)
        let file = try AtomicFileWriter(path: path)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try file.write($0) }
        try file.write(header)
        for tensor in sorted { try file.write(encode(tensor.values, as: dtype)) }
        try file.commit()
    }

    /// The bytes one file of `tensors` takes (header included), for planning shards.
    static func fileSize(_ tensors: [NamedTensor], dtype: SafeTensorsDType, metadata: [String: String]?) -> Int {
        8 + headerBytes(tensors.sorted(by: nameOrder), dtype: dtype, metadata: metadata).count
            + tensors.reduce(0) { $0 + $1.values.count * dtype.byteSize }
    }

    private static func nameOrder(_ a: NamedTensor, _ b: NamedTensor) -> Bool {
        Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
    }

    private static func layout(_ tensors: [NamedTensor], dtype: SafeTensorsDType, path: String) throws -> [NamedTensor] {
        guard dtype.isWritableFloat else {
            throw ModelingError.invalidSafeTensors(path: path, tensor: nil, detail: "cannot write fp32 values as \(dtype.rawValue) (F32, F16 or BF16 only)")
        }
        let sorted = tensors.sorted(by: nameOrder)
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.name == b.name {
            throw ModelingError.invalidSafeTensors(path: path, tensor: a.name, detail: "name given twice")
        }
        if sorted.contains(where: { $0.name == "__metadata__" }) {
            throw ModelingError.invalidSafeTensors(path: path, tensor: "__metadata__", detail: "the header reserves this name")
        }
        return sorted
    }

    private static func headerBytes(_ sorted: [NamedTensor], dtype: SafeTensorsDType, metadata: [String: String]?) -> [UInt8] {
        var entries: [String] = []
        if let metadata {
            let pairs = metadata.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            entries.append("\"__metadata__\":{" + pairs.map { JSONString.literal($0.key) + ":" + JSONString.literal($0.value) }.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in sorted {
            let end = offset + tensor.values.count * dtype.byteSize
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(JSONString.literal(tensor.name) + ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        return header
    }

    /// Little-endian bytes of `values` stored as `dtype`.
    private static func encode(_ values: [Float], as dtype: SafeTensorsDType) -> [UInt8] {
        switch dtype {
        case .f16:
            return halves(values) { Float16($0).bitPattern }
        case .bf16:
            return halves(values, BFloat16.bits)
        default:
            return values.withUnsafeBytes { Array($0) }
        }
    }

    private static func halves(_ values: [Float], _ convert: (Float) -> UInt16) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 2) { out, count in
            let raw = UnsafeMutableRawBufferPointer(out)
            for (i, v) in values.enumerated() { raw.storeBytes(of: convert(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            count = values.count * 2
        }
    }
}
