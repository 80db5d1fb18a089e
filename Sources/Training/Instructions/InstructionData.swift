import Corpus

/// The read loop both instruction-data loaders share: records in file order, each turned into an
/// example by `make`; a per-record error is thrown, or with `skipInvalid` counted and skipped.
/// Structural errors (`InstructionDataError.skipReason == nil`) and I/O errors are always thrown.
enum InstructionData {
    static func load<Example: Sendable>(
        _ path: String, skipInvalid: Bool, _ make: (JSONRecord) throws -> Example
    ) throws -> LoadedExamples<Example> {
        let reader = try JSONRecordReader(path: path)
        var examples: [Example] = []
        var skipped = SkippedRecords()
        while let item = try reader.next() {
            do {
                switch item {
                case let .record(record): examples.append(try make(record))
                case let .invalid(error): throw error
                }
            } catch let error as InstructionDataError {
                guard skipInvalid, let reason = error.skipReason else { throw error }
                skipped.record(error, reason: reason)
            }
        }
        if examples.isEmpty { throw InstructionDataError.noRecords(path: path, skipped: skipped.total) }
        return LoadedExamples(path: path, examples: examples, skipped: skipped)
    }
}

/// Typed access to a record's fields, raising the per-record errors of `InstructionDataError`.
extension JSONRecord {
    func value(_ field: String) throws -> JSONValue {
        guard let value = fields[field], value != .null else {
            throw InstructionDataError.missingField(position, field: field)
        }
        return value
    }

    /// A required string field.
    func string(_ field: String) throws -> String {
        guard let s = try value(field).stringValue else {
            throw InstructionDataError.wrongType(position, field: field, expected: "a string")
        }
        return s
    }

    /// A string field that may be absent or null.
    func optionalString(_ field: String) throws -> String? {
        guard let value = fields[field], value != .null else { return nil }
        guard let s = value.stringValue else {
            throw InstructionDataError.wrongType(position, field: field, expected: "a string")
        }
        return s
    }

    /// A required string field that is not empty or only whitespace.
    func text(_ field: String) throws -> String {
        let s = try string(field)
        if s.allSatisfy(\.isWhitespace) { throw InstructionDataError.emptyField(position, field: field) }
        return s
    }
}
