import Corpus
import Foundation

/// One fraction of the data-fraction study: the model's figures after SFT on that share of the
/// training examples, the linear baseline's on the same examples, and the commands that
/// reproduce each.
public struct FractionStudyRow: Sendable, Codable, Equatable {
    public struct Commands: Sendable, Codable, Equatable {
        public var sft: String
        public var eval: String
        public var baseline: String
        public init(sft: String, eval: String, baseline: String) {
            self.sft = sft
            self.eval = eval
            self.baseline = baseline
        }
    }

    public var fraction: Double
    public var trainExamples: Int
    public var testExamples: Int
    public var model: ClassificationMetrics
    public var baseline: ClassificationMetrics
    public var sftSeconds: Double
    public var evalSeconds: Double
    public var commands: Commands

    public init(fraction: Double, trainExamples: Int, testExamples: Int, model: ClassificationMetrics, baseline: ClassificationMetrics,
                sftSeconds: Double, evalSeconds: Double, commands: Commands) {
        self.fraction = fraction
        self.trainExamples = trainExamples
        self.testExamples = testExamples
        self.model = model
        self.baseline = baseline
        self.sftSeconds = sftSeconds
        self.evalSeconds = evalSeconds
        self.commands = commands
    }

    enum CodingKeys: String, CodingKey {
        case fraction, model, baseline, commands
        case trainExamples = "train_examples", testExamples = "test_examples", sftSeconds = "sft_seconds", evalSeconds = "eval_seconds"
    }
}

public enum FractionStudyError: Error, Sendable, CustomStringConvertible {
    case otherSettings(path: String, fraction: Double)

    public var description: String {
        switch self {
        case let .otherSettings(path, fraction):
            return "\(path): fraction \(fraction) was run with other settings (its commands differ); choose a new --out or remove the folder"
        }
    }
}

/// The data-fraction study (the Ko-LLaMA paper's Figure 7: F1 against the share of training
/// data), resumable: each fraction works in `DIR/f-<fraction>/` and is finished once its
/// `row.json` is written; a rerun skips finished fractions (after checking they were run with
/// the same commands) and the measurement of an interrupted one resumes where it can (`sft`
/// from its newest checkpoint). `study.json` and `study.md` are rewritten after every fraction.
public struct FractionStudy {
    public let directory: String
    public let fractions: [Double]

    public init(directory: String, fractions: [Double]) {
        self.directory = directory
        self.fractions = fractions
    }

    /// `f-0.05`, `f-1`: the fraction as `%g` writes it.
    public static func folderName(_ fraction: Double) -> String { "f-" + String(format: "%g", fraction) }

    public func folder(_ fraction: Double) -> String { directory + "/" + Self.folderName(fraction) }

    /// The finished row of `fraction`, if there is one.
    public func finishedRow(_ fraction: Double) throws -> FractionStudyRow? {
        let path = folder(fraction) + "/row.json"
        guard FileSystem.exists(path) else { return nil }
        do { return try JSONDecoder().decode(FractionStudyRow.self, from: Data(try FileSystem.readAll(path))) } catch {
            throw CorpusError.invalidManifest(path: path, detail: "not a study row: \(error)")
        }
    }

    /// Rows in `fractions` order: finished ones read back (`skipped` is told), the others made by
    /// `measure(fraction, folder)`, which must return a row with `commands(fraction)`.
    public func run(commands: (Double) -> FractionStudyRow.Commands, skipped: (FractionStudyRow) -> Void,
                    measure: (Double, String) throws -> FractionStudyRow) throws -> [FractionStudyRow] {
        try FileSystem.createDirectory(directory)
        var rows: [FractionStudyRow] = []
        for f in fractions {
            if let row = try finishedRow(f) {
                guard row.commands == commands(f) else { throw FractionStudyError.otherSettings(path: folder(f), fraction: f) }
                skipped(row)
                rows.append(row)
            } else {
                try FileSystem.createDirectory(folder(f))
                let row = try measure(f, folder(f))
                try AtomicFileWriter.write(JSONLines.line(row, encoder: Self.encoder), to: folder(f) + "/row.json")
                rows.append(row)
            }
            try write(rows)
        }
        return rows
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    private func write(_ rows: [FractionStudyRow]) throws {
        try AtomicFileWriter.write(Array(try Self.encoder.encode(rows)), to: directory + "/study.json")
        try AtomicFileWriter.write(Self.markdown(rows), to: directory + "/study.md")
    }

    /// `study.md`: one table row per fraction (percent, two decimals), then each fraction's commands.
    public static func markdown(_ rows: [FractionStudyRow]) -> String {
        func pct(_ x: Double) -> String { String(format: "%.2f", 100 * x) }
        var s = "# YNAT: F1 against the fraction of training data\n\n"
        s += "Model after SFT on each fraction, and the linear baseline on the same examples; all on the same test set.\n"
        s += "F1 is the paper's (harmonic mean of macro P and macro R), macro-F1 KLUE's (mean of per-topic F1).\n\n"
        s += "| fraction | train | test | accuracy | P | R | F1 | macro-F1 | baseline accuracy | baseline F1 | sft time | eval time |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let m = r.model
            s += "| \(String(format: "%g", r.fraction)) | \(r.trainExamples) | \(r.testExamples) | \(pct(m.accuracy)) | \(pct(m.precision)) "
                + "| \(pct(m.recall)) | \(pct(m.f1)) | \(pct(m.macroF1)) | \(pct(r.baseline.accuracy)) | \(pct(r.baseline.f1)) "
                + "| \(ProgressReporter.formatDuration(r.sftSeconds)) | \(ProgressReporter.formatDuration(r.evalSeconds)) |\n"
        }
        s += "\n## Commands\n"
        for r in rows {
            s += "\nfraction \(String(format: "%g", r.fraction)):\n\n```\n\(r.commands.sft)\n\(r.commands.eval)\n\(r.commands.baseline)\n```\n"
        }
        return s
    }
}
