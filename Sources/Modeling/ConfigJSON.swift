import Corpus
import Foundation

/// Typed reads from one JSON object of a config file (config.json, adapter_config.json,
/// model.safetensors.index.json): every failure is a `ModelingError.invalidConfig` naming the
/// file and the key.
struct ConfigObject {
    let path: String
    let fields: [String: JSONValue]
    /// Dotted prefix for nested objects (`rope_parameters.`), so errors name the full key.
    let prefix: String

    init(path: String, fields: [String: JSONValue], prefix: String = "") {
        self.path = path
        self.fields = fields
        self.prefix = prefix
    }

    /// Parses `bytes` as a JSON object.
    static func parse(_ bytes: [UInt8], path: String) throws -> ConfigObject {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ModelingError.invalidConfig(path: path, key: "", detail: "not valid JSON")
        }
        guard case let .object(fields) = value else {
            throw ModelingError.invalidConfig(path: path, key: "", detail: "not a JSON object")
        }
        return ConfigObject(path: path, fields: fields)
    }

    static func read(_ path: String, limit: Int = 64 << 20) throws -> ConfigObject {
        let size = try FileSystem.fileSize(path)
        guard size <= limit else {
            throw ModelingError.invalidConfig(path: path, key: "", detail: "\(size) bytes, more than the \(limit) a config may have")
        }
        return try parse(FileSystem.readAll(path), path: path)
    }

    func error(_ key: String, _ detail: String) -> ModelingError {
        .invalidConfig(path: path, key: prefix + key, detail: detail)
    }

    /// The value of `key`, nil when the key is absent or JSON null.
    func value(_ key: String) -> JSONValue? {
        guard let v = fields[key], v != .null else { return nil }
        return v
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    func int(_ key: String) throws -> Int {
        guard let v = value(key) else { throw error(key, "missing") }
        return try int(v, key)
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        return try int(v, key)
    }

    func int(_ v: JSONValue, _ key: String) throws -> Int {
        // 2^53: every integer below it is exact in the Double that JSONValue holds.
        guard case let .number(d) = v, d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else {
            throw error(key, "expected an integer, found \(Self.render(v))")
        }
        return Int(d)
    }

    func positiveInt(_ key: String) throws -> Int {
        let n = try int(key)
        guard n > 0 else { throw error(key, "must be positive, found \(n)") }
        return n
    }

    func double(_ key: String) throws -> Double {
        guard let v = value(key) else { throw error(key, "missing") }
        guard case let .number(d) = v, d.isFinite else { throw error(key, "expected a number, found \(Self.render(v))") }
        return d
    }

    func optionalDouble(_ key: String) throws -> Double? {
        has(key) ? try double(key) : nil
    }

    func string(_ key: String) throws -> String {
        guard let v = value(key) else { throw error(key, "missing") }
        guard case let .string(s) = v else { throw error(key, "expected a string, found \(Self.render(v))") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        has(key) ? try string(key) : nil
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let v = value(key) else { return fallback }
        guard case let .bool(b) = v else { throw error(key, "expected true or false, found \(Self.render(v))") }
        return b
    }

    func optionalStringArray(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw error(key, "expected a list of strings, found \(Self.render(v))") }
        return try items.map {
            guard case let .string(s) = $0 else { throw error(key, "expected a list of strings, found \(Self.render($0))") }
            return s
        }
    }

    func optionalIntArray(_ key: String) throws -> [Int]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw error(key, "expected a list of integers, found \(Self.render(v))") }
        return try items.map { try int($0, key) }
    }

    /// The list at `key`, or nil when it is absent, null or an object (read that with `optionalObjectUnlessArray`).
    func optionalIntArrayUnlessObject(_ key: String) throws -> [Int]? {
        if case .object? = value(key) { return nil }
        return try optionalIntArray(key)
    }

    /// The object at `key`, or nil when it is absent, null or a list.
    func optionalObjectUnlessArray(_ key: String) throws -> ConfigObject? {
        if case .array? = value(key) { return nil }
        return try optionalObject(key)
    }

    func optionalObject(_ key: String) throws -> ConfigObject? {
        guard let v = value(key) else { return nil }
        guard case let .object(o) = v else { throw error(key, "expected an object, found \(Self.render(v))") }
        return ConfigObject(path: path, fields: o, prefix: prefix + key + ".")
    }

    /// A short rendering of a value for error messages.
    static func render(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case let .bool(b): return String(b)
        case let .number(d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let .string(s): return JSONString.literal(s.count > 40 ? String(s.prefix(40)) + "..." : s)
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// JSON text as Python's `json.dumps(obj, indent=2, sort_keys=True)` writes it (what
/// transformers and PEFT write for config files), with floats in their shortest round-trip form.
indirect enum JSONText {
    case null
    case bool(Bool)
    case int(Int)
    /// A finite float: written `10000.0`, `1e-06`, like Python's `repr`.
    case float(Float)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    /// Pretty output with a trailing newline.
    var pretty: String { render(level: 0) + "\n" }

    private func render(level: Int) -> String {
        let pad = String(repeating: "  ", count: level + 1), close = String(repeating: "  ", count: level)
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(n): return String(n)
        case let .float(f):
            precondition(f.isFinite, "JSONText.float must be finite")
            return f.description
        case let .string(s): return JSONString.literal(s)
        case let .array(items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(level: level + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case let .object(pairs):
            if pairs.isEmpty { return "{}" }
            let sorted = pairs.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            return "{\n" + sorted.map { pad + JSONString.literal($0.0) + ": " + $0.1.render(level: level + 1) }.joined(separator: ",\n") + "\n\(close)}"
        }
    }
}
