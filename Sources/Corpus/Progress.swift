import Foundation
import Glibc

/// Progress for long jobs: a live status line (items, rate, ETA) on a terminal, nothing at all
/// when quiet or when stderr is not a TTY (cron), and a one-line summary at the end either way
/// (unless the caller prints its own, as `ko-llama refresh` does for its stages).
public final class ProgressReporter: @unchecked Sendable {
    public let label: String
    public let total: Int?
    private let live: Bool
    private let printsSummary: Bool
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var count = 0
    private var extra = ""

    /// - Parameters:
    ///   - quiet: suppress the live line (the summary is still printed by `finish`).
    ///   - total: expected item count, for the ETA.
    ///   - printsSummary: false leaves the summary line to the caller.
    public init(label: String, total: Int? = nil, quiet: Bool, printsSummary: Bool = true) {
        self.label = label
        self.total = total
        self.live = !quiet && isatty(STDERR_FILENO) == 1
        self.printsSummary = printsSummary
    }

    /// Records `n` more items; `detail` replaces the free-form tail of the status line.
    public func advance(by n: Int = 1, detail: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        count += n
        if let detail { extra = detail }
        guard live else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) < 0.2 { return }
        lastDraw = now
        draw(now: now)
    }

    public var itemsDone: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    private func draw(now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(count) / elapsed
        var line = "\(label): \(count)"
        if let total { line += "/\(total)" }
        line += String(format: " %.1f/s", rate)
        if let total, rate > 0, count < total {
            line += " ETA " + ProgressReporter.formatDuration(Double(total - count) / rate)
        }
        if !extra.isEmpty { line += " " + extra }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Clears the live line and prints `summary` (one line) to stderr.
    public func finish(summary: String) {
        lock.lock()
        defer { lock.unlock() }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if printsSummary { FileHandle.standardError.write(Data((summary + "\n").utf8)) }
    }

    public var elapsedSeconds: Double { Date().timeIntervalSince(start) }

    public static func formatDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
