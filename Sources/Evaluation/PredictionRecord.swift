import Corpus
import Foundation

/// One line of `predictions.jsonl` as `eval ynat` and `baseline ynat` write it: the example's guid,
/// the gold and predicted topic names (`predicted` null when a generated answer named no topic),
/// and optionally a score per topic (the baseline's probabilities, a model's log-likelihoods) or
/// the text a model generated (`eval ynat --scoring generate`).
public struct PredictionRecord: Sendable, Equatable, Codable {
    public var guid: String
    public var gold: String
    public var predicted: String?
    public var scores: [String: Double]?
    public var generated: String?

    public init(guid: String, gold: String, predicted: String?, scores: [String: Double]? = nil, generated: String? = nil) {
        self.guid = guid
        self.gold = gold
        self.predicted = predicted
        self.scores = scores
        self.generated = generated
    }

    /// `predicted` is written as null rather than left out, so every line has the same keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(guid, forKey: .guid)
        try c.encode(gold, forKey: .gold)
        try c.encode(predicted, forKey: .predicted)
        try c.encodeIfPresent(scores, forKey: .scores)
        try c.encodeIfPresent(generated, forKey: .generated)
    }
}

/// Writes an evaluation's `predictions.jsonl`, `metrics.json` and, when given, `report.md` into a
/// folder, each atomically.
public enum EvaluationOutput {
    public static func write(predictions: [PredictionRecord], metrics: ClassificationMetrics, to directory: String,
                             report: String? = nil) throws {
        try FileSystem.createDirectory(directory)
        let encoder = JSONLines.makeEncoder()
        let file = try AtomicFileWriter(path: directory + "/predictions.jsonl")
        for p in predictions { try file.write(JSONLines.line(p, encoder: encoder)) }
        try file.commit()
        try AtomicFileWriter.write(JSONLines.line(metrics, encoder: encoder), to: directory + "/metrics.json")
        if let report { try AtomicFileWriter.write(report, to: directory + "/report.md") }
    }
}
