import Corpus
import Foundation

/// One line of `predictions.jsonl` as `eval ynat` and `baseline ynat` write it: the example's guid,
/// the gold and predicted topic names (`predicted` null when a generated answer named no topic),
/// and optionally a score per topic (the baseline's probabilities, a model's log-likelihoods).
public struct PredictionRecord: Sendable, Equatable, Codable {
    public var guid: String
    public var gold: String
    public var predicted: String?
    public var scores: [String: Double]?

    public init(guid: String, gold: String, predicted: String?, scores: [String: Double]? = nil) {
        self.guid = guid
        self.gold = gold
        self.predicted = predicted
        self.scores = scores
    }

    /// `predicted` is written as null rather than left out, so every line has the same keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(guid, forKey: .guid)
        try c.encode(gold, forKey: .gold)
        try c.encode(predicted, forKey: .predicted)
        try c.encodeIfPresent(scores, forKey: .scores)
    }
}

/// Writes an evaluation's `predictions.jsonl` and `metrics.json` into a folder, each atomically.
public enum EvaluationOutput {
    public static func write(predictions: [PredictionRecord], metrics: ClassificationMetrics, to directory: String) throws {
        try FileSystem.createDirectory(directory)
        let encoder = JSONLines.makeEncoder()
        let file = try AtomicFileWriter(path: directory + "/predictions.jsonl")
        for p in predictions { try file.write(JSONLines.line(p, encoder: encoder)) }
        try file.commit()
        try AtomicFileWriter.write(JSONLines.line(metrics, encoder: encoder), to: directory + "/metrics.json")
    }
}
