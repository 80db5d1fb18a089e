import Foundation

/// The crawl's memory between runs, in `<corpus>/crawl.sqlite` (SQLite, WAL mode): the frontier,
/// a fetch log, validators and content hashes per URL, opt-out signals, robots.txt rules applied,
/// and the committed length of each WARC file. Versioned with `PRAGMA user_version`; each
/// migration is an explicit step in `migrations`.
public final class CrawlState {
    /// Frontier statuses.
    public enum Status: String, Sendable {
        /// Waiting to be fetched (possibly after `next_attempt`).
        case pending
        /// Fetched this run (lists) or archived for good (articles).
        case done
        /// 404 / 410 / other 4xx (429 aside), or an unexpected status.
        case gone
        /// robots.txt forbids it (rechecked every run).
        case disallowed
        /// Answered with a redirect; the target is its own entry.
        case redirected
        /// Retries used up this run.
        case failed
    }

    /// One frontier row.
    public struct Entry: Sendable, Equatable {
        public var url: String
        public var kind: PageKind
        public var status: String
        public var attempts: Int
        public var redirects: Int
        public var nextAttempt: Double
    }

    /// Validators and content hash of the last good response for a URL.
    public struct Validators: Sendable, Equatable {
        public var etag: String?
        public var lastModified: String?
        public var sha256: String?
    }

    /// One row of the fetch log.
    public struct Fetch: Sendable {
        public var time: Double
        public var url: String
        public var status: Int
        public var bytes: Int
        public var duration: Double
        public var error: String?
        public var warcFile: String?
        public var recordID: String?
        public var optOuts: [String]
        public var robotsRule: String?
        public init(time: Double, url: String, status: Int, bytes: Int, duration: Double, error: String? = nil,
                    warcFile: String? = nil, recordID: String? = nil, optOuts: [String] = [], robotsRule: String? = nil) {
            self.time = time
            self.url = url
            self.status = status
            self.bytes = bytes
            self.duration = duration
            self.error = error
            self.warcFile = warcFile
            self.recordID = recordID
            self.optOuts = optOuts
            self.robotsRule = robotsRule
        }
    }

    public static let schemaVersion = 1

    /// Schema steps; index i migrates from version i to i + 1.
    static let migrations: [String] = [
        """
        CREATE TABLE frontier(
            url TEXT PRIMARY KEY, kind TEXT NOT NULL, discovered_from TEXT, priority INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            redirects INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0, last_error TEXT,
            seq INTEGER NOT NULL);
        CREATE INDEX frontier_ready ON frontier(status, priority, seq);
        CREATE TABLE fetch_log(
            id INTEGER PRIMARY KEY, time REAL NOT NULL, url TEXT NOT NULL, status INTEGER NOT NULL,
            bytes INTEGER NOT NULL, duration REAL NOT NULL, error TEXT, warc_file TEXT, record_id TEXT,
            opt_out TEXT, robots_rule TEXT);
        CREATE TABLE validators(url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, sha256 TEXT, archived_at REAL);
        CREATE TABLE opt_outs(url TEXT NOT NULL, signal TEXT NOT NULL, first_seen REAL NOT NULL, PRIMARY KEY(url, signal));
        CREATE TABLE robots(host TEXT NOT NULL, time REAL NOT NULL, status INTEGER NOT NULL, rules TEXT NOT NULL);
        CREATE TABLE warc_files(name TEXT PRIMARY KEY, committed_length INTEGER NOT NULL, finalized INTEGER NOT NULL DEFAULT 0);
        """,
    ]

    public let db: SQLiteDatabase

    public init(path: String) throws {
        db = try SQLiteDatabase(path: path)
        // WAL + synchronous=NORMAL: a process crash loses nothing; a power cut may lose the last
        // commit, which only makes the WARC recovery truncate a little more and refetch it.
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        try migrate()
    }

    private func migrate() throws {
        let version = try db.userVersion
        guard version <= CrawlState.schemaVersion else {
            throw SQLiteError(path: db.path, detail: "schema version \(version) is newer than this ko-llama (\(CrawlState.schemaVersion))")
        }
        for step in version..<CrawlState.schemaVersion {
            try db.transaction {
                try db.execute(CrawlState.migrations[step])
                try db.execute("PRAGMA user_version = \(step + 1)")
            }
        }
    }

    // MARK: - Frontier

    /// Adds `url` unless it is known. Returns true when it was new.
    @discardableResult
    public func enqueue(_ url: String, kind: PageKind, from: String?, redirects: Int = 0) throws -> Bool {
        let priority = kind == .article ? 1 : 0
        try db.query("""
            INSERT OR IGNORE INTO frontier(url, kind, discovered_from, priority, redirects, seq)
            VALUES(?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM frontier))
            """, [.text(url), .text(kind.rawValue), from.map { .text($0) } ?? .null, .integer(Int64(priority)), .integer(Int64(redirects))])
        return try db.query("SELECT changes()").first?.first?.int == 1
    }

    /// Starts a run over the URLs under `origin`. When the previous run left pending URLs
    /// (stopped by `--max-pages`/`--max-duration`, or killed), this run resumes that cycle as it
    /// is. Otherwise a new cycle starts: lists, sitemaps and anything not finished for good
    /// (failed, disallowed) become pending again; archived articles, gone pages and redirects stay.
    /// Returns true when a new cycle started.
    @discardableResult
    public func beginRun(origin: String) throws -> Bool {
        let pending = try db.query("SELECT COUNT(*) FROM frontier WHERE status = 'pending' AND substr(url, 1, length(?1)) = ?1",
                                   [.text(origin + "/")]).first?.first?.int ?? 0
        if pending > 0 { return false }
        try db.query("""
            UPDATE frontier SET status = 'pending', attempts = 0, next_attempt = 0
            WHERE substr(url, 1, length(?1)) = ?1 AND (kind != 'article' OR status IN ('failed', 'disallowed'))
            """, [.text(origin + "/")])
        return true
    }

    /// The next pending URL under `origin` whose time has come, lists before articles, oldest first.
    public func nextReady(origin: String, now: Double) throws -> Entry? {
        try db.query("""
            SELECT url, kind, status, attempts, redirects, next_attempt FROM frontier
            WHERE status = 'pending' AND next_attempt <= ? AND substr(url, 1, length(?2)) = ?2
            ORDER BY priority, seq LIMIT 1
            """, [.real(now), .text(origin + "/")]).first.map(CrawlState.entry)
    }

    /// The earliest `next_attempt` of a pending URL under `origin` (nil: the frontier is empty).
    public func earliestPending(origin: String) throws -> Double? {
        try db.query("SELECT MIN(next_attempt) FROM frontier WHERE status = 'pending' AND substr(url, 1, length(?1)) = ?1",
                     [.text(origin + "/")]).first?.first?.double
    }

    public func entry(_ url: String) throws -> Entry? {
        try db.query("SELECT url, kind, status, attempts, redirects, next_attempt FROM frontier WHERE url = ?", [.text(url)])
            .first.map(CrawlState.entry)
    }

    public func setStatus(_ url: String, _ status: Status, attempts: Int? = nil, nextAttempt: Double = 0, error: String? = nil) throws {
        try db.query("UPDATE frontier SET status = ?, attempts = COALESCE(?, attempts), next_attempt = ?, last_error = ? WHERE url = ?",
                     [.text(status.rawValue), attempts.map { .integer(Int64($0)) } ?? .null, .real(nextAttempt),
                      error.map { .text($0) } ?? .null, .text(url)])
    }

    /// Frontier rows under `origin` with `status`, sorted by URL.
    public func urls(origin: String, status: Status) throws -> [String] {
        try db.query("SELECT url FROM frontier WHERE status = ? AND substr(url, 1, length(?2)) = ?2 ORDER BY url",
                     [.text(status.rawValue), .text(origin + "/")]).compactMap { $0.first?.string }
    }

    private static func entry(_ row: [SQLiteValue]) -> Entry {
        Entry(url: row[0].string ?? "", kind: PageKind(rawValue: row[1].string ?? "") ?? .list, status: row[2].string ?? "",
              attempts: row[3].int ?? 0, redirects: row[4].int ?? 0, nextAttempt: row[5].double ?? 0)
    }

    // MARK: - Validators, log, opt-outs

    public func validators(_ url: String) throws -> Validators? {
        try db.query("SELECT etag, last_modified, sha256 FROM validators WHERE url = ?", [.text(url)]).first.map {
            Validators(etag: $0[0].string, lastModified: $0[1].string, sha256: $0[2].string)
        }
    }

    public func setValidators(_ url: String, _ v: Validators, archivedAt: Double?) throws {
        try db.query("""
            INSERT INTO validators(url, etag, last_modified, sha256, archived_at) VALUES(?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                sha256 = excluded.sha256, archived_at = COALESCE(excluded.archived_at, validators.archived_at)
            """, [.text(url), v.etag.map { .text($0) } ?? .null, v.lastModified.map { .text($0) } ?? .null,
                  v.sha256.map { .text($0) } ?? .null, archivedAt.map { .real($0) } ?? .null])
    }

    public func log(_ f: Fetch) throws {
        try db.query("""
            INSERT INTO fetch_log(time, url, status, bytes, duration, error, warc_file, record_id, opt_out, robots_rule)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.real(f.time), .text(f.url), .integer(Int64(f.status)), .integer(Int64(f.bytes)), .real(f.duration),
                  f.error.map { .text($0) } ?? .null, f.warcFile.map { .text($0) } ?? .null, f.recordID.map { .text($0) } ?? .null,
                  f.optOuts.isEmpty ? .null : .text(f.optOuts.joined(separator: "\n")), f.robotsRule.map { .text($0) } ?? .null])
        for signal in f.optOuts {
            try db.query("INSERT OR IGNORE INTO opt_outs(url, signal, first_seen) VALUES(?, ?, ?)", [.text(f.url), .text(signal), .real(f.time)])
        }
    }

    /// Opt-out signals recorded for `url`, sorted.
    public func optOuts(_ url: String) throws -> [String] {
        try db.query("SELECT signal FROM opt_outs WHERE url = ? ORDER BY signal", [.text(url)]).compactMap { $0.first?.string }
    }

    public func recordRobots(host: String, time: Double, status: Int, rules: String) throws {
        try db.query("INSERT INTO robots(host, time, status, rules) VALUES(?, ?, ?, ?)",
                     [.text(host), .real(time), .integer(Int64(status)), .text(rules)])
    }

    // MARK: - WARC files

    public func setWARCLength(_ name: String, _ length: Int) throws {
        try db.query("""
            INSERT INTO warc_files(name, committed_length) VALUES(?, ?)
            ON CONFLICT(name) DO UPDATE SET committed_length = excluded.committed_length
            """, [.text(name), .integer(Int64(length))])
    }

    public func markWARCFinalized(_ name: String) throws {
        try db.query("UPDATE warc_files SET finalized = 1 WHERE name = ?", [.text(name)])
    }

    /// Committed lengths of files not yet finalized, for `WARCArchive.recover`.
    public func unfinalizedWARCLengths() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query("SELECT name, committed_length FROM warc_files WHERE finalized = 0") {
            if let n = row[0].string, let l = row[1].int { out[n] = l }
        }
        return out
    }

    public func warcFileCount() throws -> Int {
        try db.query("SELECT COUNT(*) FROM warc_files").first?.first?.int ?? 0
    }
}
