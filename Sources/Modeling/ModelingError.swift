/// Errors raised while reading or writing model files (config.json, safetensors, Hugging Face
/// folders, PEFT adapters). Each names the file, and the JSON key or tensor when there is one.
/// I/O failures underneath are `CorpusError.io`, which names the file too.
public enum ModelingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A config.json or adapter_config.json that is missing a key, has a wrong type or a value
    /// this project does not support (`key` empty for the whole file).
    case invalidConfig(path: String, key: String, detail: String)
    /// A safetensors file whose header or layout breaks the format (`tensor` nil for the whole file).
    case invalidSafeTensors(path: String, tensor: String?, detail: String)
    /// A tensor that was asked for but is not in the file or folder.
    case missingTensor(path: String, tensor: String)
    /// A tensor whose presence, shape or dtype does not fit the config it is read or written with.
    case tensorMismatch(path: String, tensor: String, detail: String)
    /// A folder whose layout (file names, index) is wrong.
    case invalidFolder(path: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidConfig(path, key, detail):
            if key.isEmpty { return "\(path): \(detail)" }
            return "\(path): key \"\(key)\": \(detail)"
        case let .invalidSafeTensors(path, tensor, detail):
            if let tensor { return "\(path): tensor \"\(tensor)\": \(detail)" }
            return "\(path): invalid safetensors file: \(detail)"
        case let .missingTensor(path, tensor):
            return "\(path): no tensor \"\(tensor)\""
        case let .tensorMismatch(path, tensor, detail):
            return "\(path): tensor \"\(tensor)\": \(detail)"
        case let .invalidFolder(path, detail):
            return "\(path): \(detail)"
        }
    }
}
