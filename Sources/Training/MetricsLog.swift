import Corpus
import Foundation

/// `RUN/metrics.jsonl`: one JSON object a line, training lines (`step`, `loss`, `lr`,
/// `grad_norm`, `tokens_per_s`) and evaluation lines (`step`, `valid_loss`, `valid_ppl`). On
/// resume the lines after the checkpoint's step are dropped, so the file reads as one run.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle

    /// Opens the log, keeping only lines with `step <= keepThrough` (all lines are dropped when nil).
    public init(path: String, keepThrough: Int?) throws {
        self.path = path
        var kept = ""
        if let keepThrough, let old = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let step = object["step"] as? Int, step <= keepThrough else { continue }
                kept += line + "\n"
            }
        }
        try AtomicFileWriter.write(kept, to: path)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends one line; keys are written in sorted order, numbers as JSON numbers.
    public func append(_ fields: [String: Double]) throws {
        let body = fields.keys.sorted().map { key -> String in
            let v = fields[key]!
            let text = key == "step" ? String(Int(v)) : (v.isFinite ? String(v) : "null")
            return "\"\(key)\":\(text)"
        }.joined(separator: ",")
        try handle.write(contentsOf: Data(("{" + body + "}\n").utf8))
    }

    /// Every line's fields, for plots and reports.
    public static func read(_ path: String) throws -> [[String: Double]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?
                .compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
    }
}
