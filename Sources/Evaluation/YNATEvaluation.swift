import Corpus
import Foundation
import Modeling
import Training

/// `eval ynat`: a model's topic for each headline, from the same Korean Alpaca prompt `sft`
/// trains on (`InstructionEncoder`), and the paper's metrics over them.
///
/// - `likelihood`: each of the seven topic names, followed by EOS, is scored as the response
///   (`CandidateScorer`: summed -log p) and the most likely one is the prediction (the first
///   topic in KLUE's order on a tie). `scores` are the log-likelihoods, -NLL.
/// - `generate`: greedy decoding to EOS (`GreedyDecoder`); the decoded text, whitespace trimmed,
///   must be a topic name (in NFC), else the prediction is unmapped: wrong, and counted.
public struct YNATEvaluation {
    public enum Scoring: String, Sendable, Codable, CaseIterable {
        case likelihood, generate
    }

    public struct Result: Sendable {
        public var predictions: [PredictionRecord]
        public var metrics: ClassificationMetrics
        public var seconds: Double
    }

    public let model: LlamaModel
    public let encoder: InstructionEncoder
    public let scoring: Scoring
    /// Headlines per model pass (times seven rows for `likelihood`).
    public let examplesPerPass: Int
    /// Generation limit for `generate`: the longest topic's tokens plus this many.
    public static let generationSlack = 8

    public init(model: LlamaModel, encoder: InstructionEncoder, scoring: Scoring = .likelihood, examplesPerPass: Int = 4) {
        self.model = model
        self.encoder = encoder
        self.scoring = scoring
        self.examplesPerPass = max(1, examplesPerPass)
    }

    public func run(_ examples: [YNATExample], progress: ProgressReporter? = nil) throws -> Result {
        let began = Date()
        let candidates = YNAT.topics.map(encoder.responseTokens)
        let reserve = candidates.map(\.count).max()!
        let prompts = examples.map { encoder.promptTokens(instruction: YNAT.instruction, input: $0.title, reserve: reserve).tokens }
        let pad = encoder.tokenizer.padId ?? encoder.eosId
        var predicted: [Int?] = []
        var predictions: [PredictionRecord] = []
        switch scoring {
        case .likelihood:
            let scorer = CandidateScorer(model: model, candidates: candidates, padId: pad, examplesPerPass: examplesPerPass)
            let nll = try scorer.negativeLogLikelihoods(prompts: prompts) { progress?.advance(by: $0) }
            for (e, scores) in zip(examples, nll) {
                var best = 0
                for k in scores.indices where scores[k] < scores[best] { best = k }
                predicted.append(best)
                predictions.append(PredictionRecord(guid: e.guid, gold: e.labelName, predicted: YNAT.topics[best],
                                                    scores: Dictionary(uniqueKeysWithValues: zip(YNAT.topics, scores.map { (-$0 * 1e6).rounded() / 1e6 }))))
            }
        case .generate:
            let decoder = GreedyDecoder(model: model, stop: [encoder.eosId], maxNewTokens: reserve - 1 + Self.generationSlack, padId: pad)
            for start in stride(from: 0, to: examples.count, by: examplesPerPass) {
                let range = start..<min(start + examplesPerPass, examples.count)
                let outputs = try decoder.generate(Array(prompts[range]))
                for (e, ids) in zip(examples[range], outputs) {
                    let (label, text) = try topic(ofGenerated: ids)
                    predicted.append(label)
                    predictions.append(PredictionRecord(guid: e.guid, gold: e.labelName, predicted: label.map { YNAT.topics[$0] },
                                                        generated: text))
                }
                progress?.advance(by: range.count)
            }
        }
        let metrics = try ClassificationMetrics(gold: examples.map(\.label), predicted: predicted, labels: YNAT.topics)
        return Result(predictions: predictions, metrics: metrics, seconds: Date().timeIntervalSince(began))
    }

    /// The topic a generated answer names (nil when none) and its decoded, trimmed text.
    public func topic(ofGenerated ids: [Int32]) throws -> (label: Int?, text: String) {
        let text = try encoder.tokenizer.decode(ids).trimmingCharacters(in: .whitespacesAndNewlines)
        return (YNAT.label(ofTopic: text), text)
    }
}
