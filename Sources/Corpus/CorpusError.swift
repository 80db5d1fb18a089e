import Glibc

/// Where in an input something went wrong: a file and, when known, a line or byte offset.
public struct InputPosition: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var offset: Int?

    public init(path: String, line: Int? = nil, offset: Int? = nil) {
        self.path = path
        self.line = line
        self.offset = offset
    }

    public var description: String {
        var s = path
        if let line { s += ":\(line)" }
        if let offset { s += " (byte \(offset))" }
        return s
    }
}

/// Errors raised while reading or writing corpus files. Each names the file and position.
public enum CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    case io(path: String, operation: String, errno: Int32)
    case truncatedGzip(InputPosition)
    case corruptGzip(InputPosition, detail: String)
    case invalidJSON(InputPosition, detail: String)
    case invalidUTF8(InputPosition)
    case lineTooLong(InputPosition, limit: Int)
    case invalidWARC(InputPosition, detail: String)
    case invalidManifest(path: String, detail: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            return "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        case let .truncatedGzip(pos):
            return "\(pos): gzip stream is truncated"
        case let .corruptGzip(pos, detail):
            return "\(pos): corrupt gzip data: \(detail)"
        case let .invalidJSON(pos, detail):
            return "\(pos): invalid JSON: \(detail)"
        case let .invalidUTF8(pos):
            return "\(pos): invalid UTF-8"
        case let .lineTooLong(pos, limit):
            return "\(pos): line longer than \(limit) bytes"
        case let .invalidWARC(pos, detail):
            return "\(pos): invalid WARC record: \(detail)"
        case let .invalidManifest(path, detail):
            return "\(path): invalid manifest: \(detail)"
        }
    }
}
