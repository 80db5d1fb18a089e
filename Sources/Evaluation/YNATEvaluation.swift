import Corpus
import Foundation
import Modeling
import Training

/// `eval ynat`: a model's topic for each headline, from the same Korean Alpaca prompt `sft`
/// trains on (`InstructionEncoder`), and the paper's metrics over them.
///
/// Both run on `LlamaInference` (KV cache, LoRA merged once):
/// - `likelihood`: each of the seven topic names, followed by EOS, is scored as the response
///   (summed log p, the prompt's cache shared by the seven) and the most likely one is the
///   prediction (the first topic in KLUE's order on a tie). `scores` are the log-likelihoods.
/// - `generate`: greedy decoding to EOS; the decoded text, whitespace trimmed, must be a topic
///   name (in NFC), else the prediction is unmapped: wrong, and counted.
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
    /// Generation limit for `generate`: the longest topic's tokens plus this many.
    public static let generationSlack = 8

    public init(model: LlamaModel, encoder: InstructionEncoder, scoring: Scoring = .likelihood) {
        self.model = model
        self.encoder = encoder
        self.scoring = scoring
    }

    public func run(_ examples: [YNATExample], progress: ProgressReporter? = nil) throws -> Result {
        let began = Date()
        let candidates = YNAT.topics.map(encoder.responseTokens)
        let reserve = candidates.map(\.count).max()!
        let prompts = examples.map { encoder.promptTokens(instruction: YNAT.instruction, input: $0.title, reserve: reserve).tokens }
        let inference = LlamaInference(model: model)
        var predicted: [Int?] = []
        var predictions: [PredictionRecord] = []
        for (e, prompt) in zip(examples, prompts) {
            switch scoring {
            case .likelihood:
                let scores = try inference.score(continuations: candidates, afterPrompt: prompt)
                var best = 0
                for k in scores.indices where scores[k] > scores[best] { best = k }
                predicted.append(best)
                predictions.append(PredictionRecord(guid: e.guid, gold: e.labelName, predicted: YNAT.topics[best],
                                                    scores: Dictionary(uniqueKeysWithValues: zip(YNAT.topics, scores.map { ($0 * 1e6).rounded() / 1e6 }))))
            case .generate:
                let ids = try inference.generate(prompt: prompt, maxNewTokens: reserve - 1 + Self.generationSlack, stopTokens: [encoder.eosId],
                                                 vocabularyLimit: encoder.tokenizer.vocabularySize)
                let (label, text) = try topic(ofGenerated: ids)
                predicted.append(label)
                predictions.append(PredictionRecord(guid: e.guid, gold: e.labelName, predicted: label.map { YNAT.topics[$0] }, generated: text))
            }
            progress?.advance()
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
