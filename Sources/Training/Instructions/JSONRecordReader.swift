import Corpus
import Foundation

/// One JSON object of an instruction-data file and where it starts.
struct JSONRecord {
    var position: InputPosition
    var fields: [String: JSONValue]
}

/// Reads the records of a file in either form instruction data is published in: a JSON array of
/// objects (KLUE's `ynat-v1.1_train.json`, Stanford Alpaca's `alpaca_data.json`) or JSON Lines (one
/// object per line, as `datasets` writes them); gzip is read through. The first non-blank byte
/// decides (`[` means an array). The array is scanned byte by byte (strings, escapes, nesting) so
/// each element is decoded on its own: a bad element is one bad record with its line, as a bad
/// JSONL line is, while a broken array (unbalanced, unterminated, a missing comma) stops the read.
final class JSONRecordReader {
    enum Item {
        case record(JSONRecord)
        case invalid(InstructionDataError)
    }

    /// Bound on one record's bytes: a headline or an Alpaca example is far below it, a missing
    /// closing brace is not, and must not swallow the file into memory.
    static let maxRecordBytes = 1 << 20

    let path: String
    private let reader: ByteReader
    private let decoder = JSONDecoder()

    private enum Form { case undecided, lines, array, finished }
    private var form = Form.undecided

    // The array scanner's cursor: the current line (own copy) with an implied '\n' after it.
    private var line: [UInt8] = []
    private var cursor = 0
    private var lineStart = 0
    private var lineNumber = 0
    private var expectingValue = true
    private var afterComma = false

    init(path: String) throws {
        self.path = path
        reader = try ByteReader(path: path)
    }

    /// The next record (or invalid record); nil at the end of the file.
    func next() throws -> Item? {
        switch form {
        case .finished: return nil
        case .lines: return try nextLine()
        case .array: return try nextElement()
        case .undecided:
            guard try loadLine(), let first = skipBlank() else {
                form = .finished
                return nil
            }
            if first == UInt8(ascii: "[") {
                cursor += 1
                form = .array
                return try nextElement()
            }
            form = .lines
            return decode(Array(line[cursor...]), at: position(lineNumber))
        }
    }

    // MARK: JSON Lines

    private func nextLine() throws -> Item? {
        while try loadLine() {
            if skipBlank() == nil { continue }
            return decode(Array(line[cursor...]), at: position(lineNumber))
        }
        form = .finished
        return nil
    }

    // MARK: JSON array

    private func nextElement() throws -> Item? {
        while true {
            guard let b = try nextNonBlank() else {
                throw InstructionDataError.malformedFile(position(lineNumber), detail: "unterminated array (no closing ']')")
            }
            let here = position(lineNumber, offset: lineStart + cursor)
            if b == UInt8(ascii: "]") && !afterComma {
                cursor += 1
                try expectEnd()
                form = .finished
                return nil
            }
            if !expectingValue {
                guard b == UInt8(ascii: ",") else {
                    throw InstructionDataError.malformedFile(here, detail: "expected ',' or ']' between records")
                }
                cursor += 1
                expectingValue = true
                afterComma = true
                continue
            }
            guard b != UInt8(ascii: "]"), b != UInt8(ascii: ",") else {
                throw InstructionDataError.malformedFile(here, detail: "expected a record after ','")
            }
            let start = position(lineNumber)
            let bytes = try scanValue(startingAt: start)
            expectingValue = false
            afterComma = false
            return decode(bytes, at: start)
        }
    }

    /// One element's bytes, from the cursor to the end of its object, array, string or scalar.
    private func scanValue(startingAt start: InputPosition) throws -> [UInt8] {
        var out: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        let first = line[cursor]
        let isScalar = first != UInt8(ascii: "{") && first != UInt8(ascii: "[") && first != UInt8(ascii: "\"")
        while true {
            if cursor == line.count {
                guard try loadLine() else {
                    throw InstructionDataError.malformedFile(
                        start, detail: inString ? "unterminated string in the record starting here" : "the record starting here is not closed")
                }
                out.append(0x0A)
                continue
            }
            let b = line[cursor]
            if isScalar && (b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x09) { return out }
            cursor += 1
            out.append(b)
            if out.count > Self.maxRecordBytes { throw InstructionDataError.recordTooLong(start, limit: Self.maxRecordBytes) }
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return out }
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return out }
            default: break
            }
        }
    }

    private func expectEnd() throws {
        if try nextNonBlank() != nil {
            throw InstructionDataError.malformedFile(position(lineNumber, offset: lineStart + cursor), detail: "data after the closing ']'")
        }
    }

    // MARK: cursor

    /// Reads the next line into `line`; false at the end of the file.
    private func loadLine() throws -> Bool {
        let startOffset = reader.position
        let next: ArraySlice<UInt8>?
        do {
            next = try reader.readLine(maxLength: Self.maxRecordBytes)
        } catch let CorpusError.lineTooLong(pos, limit) {
            throw InstructionDataError.recordTooLong(pos, limit: limit)
        }
        guard let next else { return false }
        line = Array(next)
        lineNumber = reader.lineNumber
        lineStart = startOffset
        cursor = 0
        // A UTF-8 byte order mark before the first record is not part of it.
        if lineNumber == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) { cursor = 3 }
        return true
    }

    /// Moves the cursor past blanks on the current line; the byte there, or nil at its end.
    private func skipBlank() -> UInt8? {
        while cursor < line.count {
            let b = line[cursor]
            if b != 0x20 && b != 0x09 && b != 0x0D { return b }
            cursor += 1
        }
        return nil
    }

    /// The next non-blank byte at or after the cursor, across lines; nil at the end of the file.
    private func nextNonBlank() throws -> UInt8? {
        while true {
            if let b = skipBlank() { return b }
            guard try loadLine() else { return nil }
        }
    }

    private func position(_ line: Int, offset: Int? = nil) -> InputPosition {
        InputPosition(path: path, line: line, offset: offset)
    }

    private func decode(_ bytes: [UInt8], at position: InputPosition) -> Item {
        guard bytes.first == UInt8(ascii: "{") else {
            return .invalid(.invalidRecord(position, detail: "not a JSON object"))
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return .invalid(.invalidRecord(position, detail: "invalid UTF-8"))
        }
        do {
            return .record(JSONRecord(position: position, fields: try decoder.decode([String: JSONValue].self, from: Data(bytes))))
        } catch {
            return .invalid(.invalidRecord(position, detail: "not valid JSON"))
        }
    }
}
