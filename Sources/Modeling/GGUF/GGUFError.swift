import Glibc

/// Errors from reading a GGUF file or importing one. Each names the file and, where the problem
/// is in the bytes, the offset it was found at.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened, sized or mapped.
    case io(path: String, operation: String, errno: Int32)
    /// The bytes at `offset` are not a valid GGUF structure (bad magic, a length past the end of
    /// the file, an unknown value type, ...).
    case invalid(path: String, offset: Int, detail: String)
    /// A metadata key the import needs is absent or has another type than expected.
    case metadata(path: String, key: String, detail: String)
    /// A tensor that is well formed but cannot be used: a ggml type this reader does not
    /// dequantize, a shape the model does not expect, a missing tensor.
    case tensor(path: String, name: String, detail: String)
    /// The file is valid GGUF but describes something the importer does not handle.
    case unsupported(path: String, detail: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            return "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        case let .invalid(path, offset, detail):
            return "\(path) (byte \(offset)): invalid GGUF: \(detail)"
        case let .metadata(path, key, detail):
            return "\(path): metadata \(key): \(detail)"
        case let .tensor(path, name, detail):
            return "\(path): tensor \(name): \(detail)"
        case let .unsupported(path, detail):
            return "\(path): unsupported: \(detail)"
        }
    }
}
