/// Why a `pipeline.json` was refused; every case names the file and the key.
public enum PipelineConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file has a key the config does not define (a typo, or a key of a newer version).
    case unknownKey(path: String, key: String, known: [String])
    /// A value is outside what the key accepts.
    case invalid(path: String, key: String, detail: String)
    /// Not JSON, or a value of the wrong type (`detail` carries the decoder's line and column).
    case unreadable(path: String, key: String, detail: String)

    public var description: String {
        switch self {
        case let .unknownKey(path, key, known):
            return "\(path): unknown key \(key) (known here: \(known.joined(separator: ", ")))"
        case let .invalid(path, key, detail):
            return "\(path): \(key): \(detail)"
        case let .unreadable(path, key, detail):
            return "\(path): \(key.isEmpty ? "" : key + ": ")\(detail)"
        }
    }

    /// The same error, naming `path` as the file.
    func inFile(_ path: String) -> PipelineConfigError {
        switch self {
        case let .unknownKey(_, key, known): return .unknownKey(path: path, key: key, known: known)
        case let .invalid(_, key, detail): return .invalid(path: path, key: key, detail: detail)
        case let .unreadable(_, key, detail): return .unreadable(path: path, key: key, detail: detail)
        }
    }
}
