import Foundation

/// One WARC 1.1 record: named header fields (order kept) and a content block.
public struct WARCRecord: Sendable, Equatable {
    public var headers: [(name: String, value: String)]
    public var block: [UInt8]

    public init(headers: [(name: String, value: String)], block: [UInt8]) {
        self.headers = headers
        self.block = block
    }

    public static func == (a: WARCRecord, b: WARCRecord) -> Bool {
        a.block == b.block && a.headers.map { "\($0.name):\($0.value)" } == b.headers.map { "\($0.name):\($0.value)" }
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var type: String? { header("WARC-Type") }
    public var recordID: String? { header("WARC-Record-ID") }
    public var targetURI: String? { header("WARC-Target-URI") }

    /// A new record with the mandatory fields filled in. `extra` headers follow them in order.
    /// For `request` and `response` records with an HTTP block, `payloadOffset` marks where the
    /// HTTP body starts so `WARC-Payload-Digest` covers the payload only.
    public static func make(type: String, targetURI: String?, date: Date, contentType: String?,
                            block: [UInt8], payloadOffset: Int? = nil,
                            extra: [(name: String, value: String)] = [],
                            recordID: String = WARCRecord.newRecordID()) -> WARCRecord {
        var h: [(name: String, value: String)] = [
            ("WARC-Type", type),
            ("WARC-Record-ID", recordID),
            ("WARC-Date", WARCRecord.formatDate(date)),
        ]
        if let targetURI { h.append(("WARC-Target-URI", targetURI)) }
        if let contentType { h.append(("Content-Type", contentType)) }
        h.append(("WARC-Block-Digest", "sha1:" + DigestEncoding.base32(SHA1.hash(block))))
        if let payloadOffset {
            h.append(("WARC-Payload-Digest", "sha1:" + DigestEncoding.base32(SHA1.hash(block[payloadOffset...]))))
        }
        h += extra
        h.append(("Content-Length", String(block.count)))
        return WARCRecord(headers: h, block: block)
    }

    public static func newRecordID() -> String {
        "<urn:uuid:\(UUID().uuidString.lowercased())>"
    }

    /// WARC-Date: ISO 8601 UTC with second precision (`2026-11-25T04:45:00Z`).
    public static func formatDate(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// The serialized record: version line, headers, blank line, block, two CRLFs.
    public func serialized() -> [UInt8] {
        var out = Array("WARC/1.1\r\n".utf8)
        for (name, value) in headers {
            out += Array(name.utf8)
            out += [0x3A, 0x20]
            out += Array(value.utf8)
            out += [0x0D, 0x0A]
        }
        out += [0x0D, 0x0A]
        out += block
        out += [0x0D, 0x0A, 0x0D, 0x0A]
        return out
    }
}

/// Reads WARC records from `.warc` or `.warc.gz` files (one or many records per gzip member).
public final class WARCReader {
    public let path: String
    private let reader: ByteReader
    /// Compressed offset of the gzip member that held the last record (the CDX offset).
    public private(set) var recordOffset = 0

    public init(path: String) throws {
        self.path = path
        reader = try ByteReader(path: path)
    }

    public func next() throws -> WARCRecord? {
        // Skip blank lines between records.
        var versionLine: ArraySlice<UInt8>?
        while let line = try reader.readLine(maxLength: 1 << 16) {
            if !line.isEmpty {
                versionLine = line
                break
            }
        }
        guard let versionLine else { return nil }
        recordOffset = reader.memberStartOffset
        let pos = { InputPosition(path: self.path, line: self.reader.lineNumber, offset: self.reader.memberStartOffset) }
        guard versionLine.starts(with: Array("WARC/1.".utf8)) else {
            throw CorpusError.invalidWARC(pos(), detail: "expected a WARC/1.x version line")
        }
        var headers: [(name: String, value: String)] = []
        while true {
            guard let line = try reader.readLine(maxLength: 1 << 16) else {
                throw CorpusError.invalidWARC(pos(), detail: "headers end before the blank line")
            }
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if let first = line.first, first == 0x20 || first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = text.firstIndex(of: ":") else {
                throw CorpusError.invalidWARC(pos(), detail: "header line without a colon")
            }
            headers.append((String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        guard let lengthText = headers.first(where: { $0.name.lowercased() == "content-length" })?.value,
              let length = Int(lengthText), length >= 0 else {
            throw CorpusError.invalidWARC(pos(), detail: "missing or invalid Content-Length")
        }
        let block = try reader.read(count: length)
        if block.count != length {
            throw CorpusError.invalidWARC(pos(), detail: "block shorter than Content-Length \(length)")
        }
        return WARCRecord(headers: headers, block: block)
    }
}

/// A parsed HTTP/1.x message as stored in a WARC `request` or `response` block.
public struct HTTPMessage: Sendable {
    /// Status line (responses) or request line (requests).
    public var startLine: String
    public var headers: [(name: String, value: String)]
    /// Offset of the body inside the block.
    public var bodyOffset: Int

    /// The status code of a response, e.g. 200.
    public var statusCode: Int? {
        let parts = startLine.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// Parses the head of an HTTP message; nil when `block` holds no complete head.
    public static func parse(_ block: [UInt8]) -> HTTPMessage? {
        let crlfcrlf: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard block.count >= 4 else { return nil }
        var end = -1
        for i in 0...(block.count - 4) where block[i] == 0x0D && Array(block[i..<(i + 4)]) == crlfcrlf {
            end = i
            break
        }
        guard end >= 0 else { return nil }
        let head = String(decoding: block[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let start = lines.removeFirst()
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPMessage(startLine: start, headers: headers, bodyOffset: end + 4)
    }
}
