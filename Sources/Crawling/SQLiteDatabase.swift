import CSQLite
import Foundation

/// Errors from the crawl state database; each names the database file.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let detail: String
    public var description: String { "\(path): SQLite: \(detail)" }
}

/// A value bound to or read from a SQLite statement.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int: Int? { if case let .integer(v) = self { return Int(v) }; return nil }
    public var double: Double? {
        switch self {
        case let .real(v): return v
        case let .integer(v): return Double(v)
        default: return nil
        }
    }
    public var string: String? { if case let .text(v) = self { return v }; return nil }
}

/// A minimal SQLite connection (the C API behind `CSQLite`): prepared statements with bound
/// values, rows as arrays, explicit transactions. Not thread-safe; one per crawler.
public final class SQLiteDatabase {
    public let path: String
    private var handle: OpaquePointer?
    private var depth = 0

    public init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        handle = db
        if rc != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "open failed"
            sqlite3_close(db)
            handle = nil
            throw SQLiteError(path: path, detail: message)
        }
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close(handle) }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &err) != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "exec failed"
            sqlite3_free(err)
            throw SQLiteError(path: path, detail: "\(message) in: \(sql.prefix(120))")
        }
    }

    /// Runs a statement with `values` bound to its `?` parameters and returns every row.
    @discardableResult
    public func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK else {
            throw SQLiteError(path: path, detail: "\(lastError) in: \(sql.prefix(120))")
        }
        defer { sqlite3_finalize(stmt) }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: sqlite3_bind_null(stmt, index)
            case let .integer(v): sqlite3_bind_int64(stmt, index, v)
            case let .real(v): sqlite3_bind_double(stmt, index, v)
            case let .text(v): sqlite3_bind_text(stmt, index, v, -1, kl_sqlite_transient())
            }
        }
        var rows: [[SQLiteValue]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw SQLiteError(path: path, detail: "\(lastError) in: \(sql.prefix(120))") }
            var row: [SQLiteValue] = []
            for c in 0..<sqlite3_column_count(stmt) {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(stmt, c)))
                case SQLITE_NULL: row.append(.null)
                default: row.append(.text(String(cString: sqlite3_column_text(stmt, c))))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`, rolling back when it throws. A nested
    /// call joins the enclosing transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if depth > 0 {
            depth += 1
            defer { depth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        depth = 1
        defer { depth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var userVersion: Int {
        get throws { try query("PRAGMA user_version").first?.first?.int ?? 0 }
    }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}
