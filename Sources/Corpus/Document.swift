import Foundation

/// A JSON value for free-form metadata. Objects encode with sorted keys so output is
/// byte-identical across runs.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .number(d):
            if d.rounded() == d && abs(d) < 9.0e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }
}

/// One document of the corpus, Dolma style: the unit every stage from `extract` on reads and
/// writes, one per JSONL line.
public struct Document: Codable, Sendable, Equatable {
    /// Stable identifier (derived from the canonical URL for crawled pages).
    public var id: String
    /// Plain text; paragraphs separated by a blank line.
    public var text: String
    /// Where the document comes from, e.g. the site name `xinhua-ko`.
    public var source: String
    public var url: String?
    /// Publication date of the article (ISO 8601), when known.
    public var created: String?
    /// When the document entered the corpus (ISO 8601, the fetch time for crawled pages).
    public var added: String
    /// Title, section, charset, rights notice, opt-out signals, extractor, WARC record id, ...
    public var metadata: [String: JSONValue]

    /// Every row carries all seven keys, `url` and `created` as null when unknown, so readers
    /// that infer a schema (e.g. `datasets`) see one shape (synthesized Codable would omit nils).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(text, forKey: .text)
        try c.encode(source, forKey: .source)
        try c.encode(url, forKey: .url)
        try c.encode(created, forKey: .created)
        try c.encode(added, forKey: .added)
        try c.encode(metadata, forKey: .metadata)
    }

    public init(id: String, text: String, source: String, url: String? = nil, created: String? = nil,
                added: String, metadata: [String: JSONValue] = [:]) {
        self.id = id
        self.text = text
        self.source = source
        self.url = url
        self.created = created
        self.added = added
        self.metadata = metadata
    }
}

/// JSON encoding shared by every JSONL writer: sorted keys (determinism), unescaped slashes.
public enum JSONLines {
    public static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// Encodes one value as a JSON line (with trailing newline).
    public static func line<T: Encodable>(_ value: T, encoder: JSONEncoder) throws -> [UInt8] {
        var bytes = [UInt8](try encoder.encode(value))
        bytes.append(0x0A)
        return bytes
    }
}

/// Writes documents as gzip-compressed JSONL, atomically: the shard appears under its final
/// name only after `finish()`.
public final class DocumentShardWriter {
    public let path: String
    private let file: AtomicFileWriter
    private let gzip = GzipCompressor()
    private let encoder = JSONLines.makeEncoder()
    private var pending: [UInt8] = []
    private var sha = SHA256()
    public private(set) var documentCount = 0
    public private(set) var uncompressedBytes = 0
    public private(set) var characterCount = 0

    public init(path: String) throws {
        self.path = path
        file = try AtomicFileWriter(path: path)
    }

    public func write(_ document: Document) throws {
        try writeLine(JSONLines.line(document, encoder: encoder))
        documentCount += 1
        characterCount += document.text.unicodeScalars.count
    }

    /// Appends an already encoded JSON line (must end with a newline).
    public func writeLine(_ line: [UInt8]) throws {
        uncompressedBytes += line.count
        line.withUnsafeBytes { gzip.compress($0, into: &pending) }
        if pending.count >= 1 << 20 { try flushPending() }
    }

    private func flushPending() throws {
        sha.update(pending)
        try file.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Closes the gzip stream and moves the shard into place. Returns the shard's summary.
    @discardableResult
    public func finish() throws -> ShardSummary {
        gzip.finishMember(into: &pending)
        try flushPending()
        try file.commit()
        return ShardSummary(path: path, documents: documentCount, characters: characterCount,
                            bytes: file.bytesWritten, uncompressedBytes: uncompressedBytes,
                            sha256: DigestEncoding.hex(sha.finalize()))
    }
}

/// What a finished shard holds; manifests list one per shard.
public struct ShardSummary: Codable, Sendable, Equatable {
    public var path: String
    public var documents: Int
    public var characters: Int
    public var bytes: Int
    public var uncompressedBytes: Int
    public var sha256: String
}

/// Streams documents from a `.jsonl` or `.jsonl.gz` shard. Malformed lines raise errors that
/// name the file and line; `next(skippingInvalid:)` counts them instead.
public final class DocumentShardReader {
    public let path: String
    private let reader: ByteReader
    private let decoder = JSONDecoder()
    /// Lines skipped as invalid when reading with `skippingInvalid: true`.
    public private(set) var skippedLines: [CorpusError] = []

    public init(path: String) throws {
        self.path = path
        reader = try ByteReader(path: path)
    }

    /// The next document; blank lines are ignored.
    public func next(skippingInvalid: Bool = false) throws -> Document? {
        while let line = try reader.readLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                return try decode(line)
            } catch let error as CorpusError where skippingInvalid {
                skippedLines.append(error)
            }
        }
        return nil
    }

    /// Line number of the document last returned.
    public var lineNumber: Int { reader.lineNumber }

    private func decode(_ line: ArraySlice<UInt8>) throws -> Document {
        let pos = InputPosition(path: path, line: reader.lineNumber)
        guard String(validating: line, as: UTF8.self) != nil else { throw CorpusError.invalidUTF8(pos) }
        do {
            return try decoder.decode(Document.self, from: Data(line))
        } catch let DecodingError.keyNotFound(key, _) {
            throw CorpusError.invalidJSON(pos, detail: "missing field \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw CorpusError.invalidJSON(pos, detail: "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw CorpusError.invalidJSON(pos, detail: "not a JSON object")
        }
    }
}
