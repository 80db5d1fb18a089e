import Corpus
import Foundation

/// Writes `report.json`, `report.md` and `report.html` for a `RunReport` into a run folder, each
/// atomically (temporary file, fsync, rename), JSON last.
public enum RunReportWriter {
    /// The paths written, in the order written.
    @discardableResult
    public static func write(_ report: RunReport, to directory: String) throws -> [String] {
        try FileSystem.createDirectory(directory)
        let paths = [directory + "/report.md", directory + "/report.html", directory + "/report.json"]
        try AtomicFileWriter.write(report.markdown(), to: paths[0])
        try AtomicFileWriter.write(report.html(), to: paths[1])
        try AtomicFileWriter.write(try json(report), to: paths[2])
        return paths
    }

    /// The report as pretty JSON with sorted keys (deterministic).
    public static func json(_ report: RunReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// Reads a `report.json`.
    public static func load(path: String) throws -> RunReport {
        let bytes = try FileSystem.readAll(path)
        do {
            let report = try JSONDecoder().decode(RunReport.self, from: Data(bytes))
            guard report.format == RunReport.currentFormat else {
                throw CorpusError.invalidManifest(path: path, detail: "format \(report.format), expected \(RunReport.currentFormat)")
            }
            return report
        } catch let e as CorpusError {
            throw e
        } catch {
            throw CorpusError.invalidManifest(path: path, detail: "\(error)")
        }
    }
}
