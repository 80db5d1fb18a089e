import Corpus

/// Problems in an instruction-data file (YNAT or Alpaca), each naming the file and the line the
/// record starts on. Two kinds: the file's structure is broken (`malformedFile`, `recordTooLong`,
/// `noRecords`; always thrown, nothing after that point can be trusted) or one record is bad (every
/// other case; thrown by default, or skipped and counted when a loader runs with `skipInvalid`).
public enum InstructionDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON array around the records is broken: unbalanced brackets, an unterminated string,
    /// a missing comma, data after the closing bracket.
    case malformedFile(InputPosition, detail: String)
    /// One record is longer than the reader's bound (a missing closing brace, usually).
    case recordTooLong(InputPosition, limit: Int)
    /// The file holds no usable record (empty, or every record skipped).
    case noRecords(path: String, skipped: Int)

    /// The record is not valid JSON, or not a JSON object.
    case invalidRecord(InputPosition, detail: String)
    case missingField(InputPosition, field: String)
    case wrongType(InputPosition, field: String, expected: String)
    /// A required text field is empty or only whitespace.
    case emptyField(InputPosition, field: String)
    /// A label given by name that is none of the task's classes.
    case unknownLabel(InputPosition, label: String)
    /// A label given as an integer outside `0..<classCount`.
    case labelOutOfRange(InputPosition, label: Int, classCount: Int)
    /// `label` and `label_name` name different classes.
    case labelMismatch(InputPosition, label: String, labelName: String)
    /// A guid seen before, at `firstLine`; the first occurrence is the one kept.
    case duplicateGUID(InputPosition, guid: String, firstLine: Int)

    /// Why a record was rejected; nil for the structural errors that are never skipped.
    public var skipReason: SkipReason? {
        switch self {
        case .malformedFile, .recordTooLong, .noRecords: return nil
        case .invalidRecord: return .invalidRecord
        case .missingField: return .missingField
        case .wrongType: return .wrongType
        case .emptyField: return .emptyField
        case .unknownLabel: return .unknownLabel
        case .labelOutOfRange: return .labelOutOfRange
        case .labelMismatch: return .labelMismatch
        case .duplicateGUID: return .duplicateGUID
        }
    }

    public var description: String {
        switch self {
        case let .malformedFile(pos, detail): return "\(pos): malformed JSON file: \(detail)"
        case let .recordTooLong(pos, limit): return "\(pos): record longer than \(limit) bytes"
        case let .noRecords(path, skipped):
            return skipped == 0 ? "\(path): no records" : "\(path): no valid records (\(skipped) skipped)"
        case let .invalidRecord(pos, detail): return "\(pos): invalid record: \(detail)"
        case let .missingField(pos, field): return "\(pos): missing field \"\(field)\""
        case let .wrongType(pos, field, expected): return "\(pos): field \"\(field)\" is not \(expected)"
        case let .emptyField(pos, field): return "\(pos): field \"\(field)\" is empty"
        case let .unknownLabel(pos, label): return "\(pos): unknown label \"\(label)\""
        case let .labelOutOfRange(pos, label, classCount): return "\(pos): label \(label) is outside 0..<\(classCount)"
        case let .labelMismatch(pos, label, labelName):
            return "\(pos): label \(label) disagrees with label_name \"\(labelName)\""
        case let .duplicateGUID(pos, guid, firstLine): return "\(pos): duplicate guid \"\(guid)\" (first on line \(firstLine))"
        }
    }
}

/// The per-record rejection reasons, as counted in `SkippedRecords` and written in reports.
public enum SkipReason: String, Sendable, Codable, CaseIterable, Comparable {
    case invalidRecord = "invalid_record"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case emptyField = "empty_field"
    case unknownLabel = "unknown_label"
    case labelOutOfRange = "label_out_of_range"
    case labelMismatch = "label_mismatch"
    case duplicateGUID = "duplicate_guid"

    public static func < (a: SkipReason, b: SkipReason) -> Bool { a.rawValue < b.rawValue }
}

/// Records a loader skipped under `skipInvalid`: counts by reason and the first few errors verbatim.
public struct SkippedRecords: Sendable, Equatable {
    /// How many errors are kept verbatim for the report.
    public static let keptErrors = 5

    public private(set) var counts: [SkipReason: Int] = [:]
    public private(set) var firstErrors: [InstructionDataError] = []

    public init() {}

    public var total: Int { counts.values.reduce(0, +) }

    mutating func record(_ error: InstructionDataError, reason: SkipReason) {
        counts[reason, default: 0] += 1
        if firstErrors.count < Self.keptErrors { firstErrors.append(error) }
    }

    /// "3 skipped (duplicate_guid 2, empty_field 1)", or "0 skipped".
    public var summary: String {
        guard total > 0 else { return "0 skipped" }
        let parts = counts.keys.sorted().map { "\($0.rawValue) \(counts[$0]!)" }
        return "\(total) skipped (\(parts.joined(separator: ", ")))"
    }
}

/// What a loader returns: the valid examples in file order and what was skipped.
public struct LoadedExamples<Example: Sendable>: Sendable {
    public var path: String
    public var examples: [Example]
    public var skipped: SkippedRecords
}
