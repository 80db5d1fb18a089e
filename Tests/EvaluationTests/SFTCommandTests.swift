import Corpus
import Evaluation
import Foundation
import Modeling
import TestSupport
import Tokenization
import Training
import XCTest

/// A tiny random LLaMA and a SentencePiece tokenizer trained (natively) on the YNAT sample and
/// the prompt's text, made once per test process: `sft`, `eval ynat` and `study fractions` run on
/// them through the real executable in seconds.
private final class TinySetup: @unchecked Sendable {
    let directory: TemporaryDirectory
    let tokenizer: String
    let model: String
    static let sample = repositoryRoot + "/Tests/Fixtures/ynat/ynat_sample.jsonl"

    init() throws {
        directory = try TemporaryDirectory("ko-llama-sft")
        let examples = try YNATExample.load(Self.sample).examples
        let prompt = PromptTemplate.koreanAlpaca.prompt(instruction: YNAT.instruction, input: "x")
        let text = (examples.map(\.title) + Array(repeating: prompt.split(separator: "\n").map(String.init), count: 20).flatMap { $0 }
                    + Array(repeating: YNAT.topics, count: 20).flatMap { $0 }).joined(separator: "\n") + "\n"
        try AtomicFileWriter.write(text, to: directory.file("text.txt"))
        tokenizer = directory.file("ko.model")
        _ = try BPETrainer(options: BPETrainerOptions(inputs: [directory.file("text.txt")], vocabSize: 1200)).train(writingTo: tokenizer)
        let config = LlamaConfig(vocabSize: 1200, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2)
        model = directory.file("model")
        try HFModelFolder.write(config: config, tensors: ModelInitializer.initialize(config: config, seed: 1), to: model)
    }

    nonisolated(unsafe) static var shared: Result<TinySetup, Error>?
    static func get() throws -> TinySetup {
        if shared == nil { shared = Result { try TinySetup() } }
        return try shared!.get()
    }
}

final class SFTCommandTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> String {
        let r = try KoLlamaExecutable.run(arguments + ["--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stderr
    }

    private func lossLines(_ path: String) throws -> [[String: Double]] {
        try MetricsLog.read(path).filter { $0["loss"] != nil }
    }

    /// The flags every run here shares: a quick, high learning rate so a few steps show learning.
    private func sftArguments(_ setup: TinySetup, out: String, extra: [String] = []) -> [String] {
        ["sft", "--model", setup.model, "--tokenizer", setup.tokenizer, "--data", TinySetup.sample, "--out", out,
         "--lr", "0.01", "--warmup-ratio", "0", "--batch", "16", "--lora-r", "4", "--train-embeddings", "all", "--lora-dropout", "0"] + extra
    }

    func testSFTLearnsWritesAnAdapterAndEvalScoresEveryTestHeadline() throws {
        let setup = try TinySetup.get()
        let dir = try TemporaryDirectory("ko-llama-sft-run")
        let out = dir.file("run")
        let message = try run(sftArguments(setup, out: out, extra: ["--epochs", "1"]))
        XCTAssertTrue(message.contains("sft: "), message)
        for file in ["adapter/adapter_config.json", "adapter/adapter_model.safetensors", "metrics.jsonl", "run.json", "sft.json"] {
            XCTAssertTrue(FileSystem.exists(out + "/" + file), file)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/sft.json"))) as! [String: Any]
        let data = summary["data"] as! [String: Any]
        let splits = try SplitPlan().apply(to: try YNATExample.load(TinySetup.sample).examples)
        XCTAssertEqual(data["train_examples"] as? Int, splits.train.count)
        XCTAssertEqual(data["validation_examples"] as? Int, splits.validation.count)
        XCTAssertEqual(data["adds_bos"] as? Bool, true, "a SentencePiece tokenizer adds BOS")

        let losses = try lossLines(out + "/metrics.jsonl").map { $0["loss"]! }
        XCTAssertEqual(losses.count, (splits.train.count + 15) / 16)
        // Only the topic and EOS are predicted: from about log(1200) to well under half of it.
        XCTAssertGreaterThan(losses.first!, 5)
        XCTAssertLessThan(losses.suffix(3).reduce(0, +) / 3, losses.first! / 2)
        let valid = try MetricsLog.read(out + "/metrics.jsonl").compactMap { $0["valid_loss"] }
        XCTAssertEqual(valid.count, 1)
        XCTAssertLessThan(valid[0], losses.first!)

        // The adapter loads onto the base with the settings it was trained with.
        let folder = try PEFTAdapterFolder(path: out + "/adapter")
        XCTAssertEqual(folder.config.r, 4)
        XCTAssertEqual(folder.config.modulesToSave ?? [], ["embed_tokens", "lm_head"])

        // Continuing the adapter (as sft continues a pretraining adapter) starts from what it learned.
        let continued = dir.file("continued")
        _ = try run(["sft", "--model", setup.model, "--adapter", out + "/adapter", "--tokenizer", setup.tokenizer, "--data", TinySetup.sample,
                     "--out", continued, "--fraction", "0.2", "--epochs", "1", "--batch", "16", "--lr", "0.001"])
        XCTAssertLessThan(try lossLines(continued + "/metrics.jsonl").first!["loss"]!, losses.first! / 2)
        XCTAssertEqual(try PEFTAdapterFolder(path: continued + "/adapter").config, folder.config)
        let conflicting = try KoLlamaExecutable.run(["sft", "--model", setup.model, "--adapter", out + "/adapter", "--tokenizer", setup.tokenizer,
                                                     "--data", TinySetup.sample, "--out", dir.file("x"), "--lora-r", "8", "--quiet"])
        XCTAssertNotEqual(conflicting.status, 0)
        XCTAssertTrue(conflicting.stderr.contains("fixes the LoRA settings"), conflicting.stderr)

        for scoring in ["likelihood", "generate"] {
            let evalOut = dir.file("eval-" + scoring)
            _ = try run(["eval", "ynat", "--model", setup.model, "--adapter", out + "/adapter", "--tokenizer", setup.tokenizer,
                         "--data", TinySetup.sample, "--out", evalOut, "--scoring", scoring])
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: evalOut + "/metrics.json"))) as! [String: Any]
            for key in ["accuracy", "precision", "recall", "f1", "macro_f1", "per_class", "confusion", "labels", "count", "unmapped"] {
                XCTAssertNotNil(metrics[key], "\(scoring): \(key)")
            }
            XCTAssertEqual(metrics["count"] as? Int, splits.test.count)
            let lines = try String(contentsOfFile: evalOut + "/predictions.jsonl", encoding: .utf8).split(separator: "\n")
            let records = try lines.map { try JSONDecoder().decode(PredictionRecord.self, from: Data($0.utf8)) }
            XCTAssertEqual(records.map(\.guid), splits.test.map(\.guid))
            XCTAssertEqual(records.map(\.gold), splits.test.map(\.labelName))
            if scoring == "likelihood" {
                XCTAssertTrue(records.allSatisfy { $0.scores.map { Set($0.keys) == Set(YNAT.topics) } ?? false })
                // The prediction is the topic with the highest log-likelihood.
                XCTAssertTrue(records.allSatisfy { r in r.scores![r.predicted!] == r.scores!.values.max() })
            } else {
                XCTAssertTrue(records.allSatisfy { $0.generated != nil })
                XCTAssertEqual(records.filter { $0.predicted == nil }.count, metrics["unmapped"] as? Int)
            }
            XCTAssertTrue(try String(contentsOfFile: evalOut + "/report.md", encoding: .utf8).contains("| 정치 |"))
        }
    }

    /// A generated answer maps back to its topic when it is the topic's tokens (the dummy prefix
    /// of the SentencePiece response included); anything else is unmapped.
    func testGeneratedAnswersMapToTopicsOrToNone() throws {
        let setup = try TinySetup.get()
        let config = try HFModelFolder(path: setup.model).config
        let weights = try LlamaWeights(config: config, tensors: ModelInitializer.initialize(config: config, seed: 1))
        let encoder = try InstructionEncoder(tokenizer: try TokenizerLoader.load(path: setup.tokenizer), maxLength: 256)
        let evaluation = YNATEvaluation(model: LlamaModel(weights: weights, lora: LoRASettings(targets: []), embeddings: .none),
                                        encoder: encoder, scoring: .generate)
        for (k, topic) in YNAT.topics.enumerated() {
            XCTAssertEqual(try evaluation.topic(ofGenerated: Array(encoder.responseTokens(topic).dropLast())).label, k, topic)
        }
        XCTAssertNil(try evaluation.topic(ofGenerated: encoder.tokenizer.encode("경제 사회")).label)
        XCTAssertNil(try evaluation.topic(ofGenerated: []).label)
    }

    func testResumedSFTReproducesTheUninterruptedRun() throws {
        let setup = try TinySetup.get()
        let dir = try TemporaryDirectory("ko-llama-sft-resume")
        let extra = ["--fraction", "0.2", "--epochs", "2", "--save-every", "2", "--lora-dropout", "0.1", "--eval-every", "3"]
        let whole = dir.file("whole"), resumed = dir.file("resumed")
        _ = try run(sftArguments(setup, out: whole, extra: extra))
        _ = try run(sftArguments(setup, out: resumed, extra: extra))
        let checkpoints = try TrainingCheckpoint.list(resumed + "/checkpoints")
        XCTAssertGreaterThanOrEqual(checkpoints.count, 2)
        // As if killed after the second-newest checkpoint: the newest one and the final adapter are gone.
        try FileManager.default.removeItem(atPath: resumed + "/checkpoints/" + TrainingCheckpoint.folderName(step: checkpoints.last!))
        try FileManager.default.removeItem(atPath: resumed + "/adapter")
        let message = try run(sftArguments(setup, out: resumed, extra: extra + ["--resume"]))
        XCTAssertTrue(message.contains("resumed at \(checkpoints[checkpoints.count - 2])"), message)
        XCTAssertEqual(try MetricsLog.read(resumed + "/metrics.jsonl").map { $0.filter { $0.key != "tokens_per_s" } },
                       try MetricsLog.read(whole + "/metrics.jsonl").map { $0.filter { $0.key != "tokens_per_s" } })
        XCTAssertEqual(FileManager.default.contents(atPath: resumed + "/adapter/adapter_model.safetensors"),
                       FileManager.default.contents(atPath: whole + "/adapter/adapter_model.safetensors"))

        // Other data under the same run folder is refused, not silently mixed in.
        try FileManager.default.removeItem(atPath: resumed + "/checkpoints/" + TrainingCheckpoint.folderName(step: checkpoints.last!))
        let other = try KoLlamaExecutable.run(sftArguments(setup, out: resumed, extra: extra.map { $0 == "0.2" ? "0.4" : $0 } + ["--resume", "--quiet"]))
        XCTAssertNotEqual(other.status, 0)
    }

    func testStudyRunsEachFractionOnceAndSkipsFinishedOnes() throws {
        let setup = try TinySetup.get()
        let dir = try TemporaryDirectory("ko-llama-study")
        let out = dir.file("study")
        let arguments = ["study", "fractions", "--model", setup.model, "--tokenizer", setup.tokenizer, "--data", TinySetup.sample,
                         "--fractions", "0.5,0.2", "--out", out, "--epochs", "1", "--batch", "16", "--lora-r", "2", "--lr", "0.01"]
        _ = try run(arguments)
        let rows = try JSONDecoder().decode([FractionStudyRow].self, from: Data(contentsOf: URL(fileURLWithPath: out + "/study.json")))
        XCTAssertEqual(rows.map(\.fraction), [0.2, 0.5])
        XCTAssertLessThan(rows[0].trainExamples, rows[1].trainExamples)
        XCTAssertEqual(rows[0].testExamples, rows[1].testExamples)
        XCTAssertTrue(rows[0].commands.sft.contains("--fraction 0.2"), rows[0].commands.sft)
        XCTAssertTrue(rows[0].commands.eval.contains("--adapter \(out)/f-0.2/sft/adapter"), rows[0].commands.eval)
        for f in ["f-0.2/baseline/metrics.json", "f-0.2/sft/adapter/adapter_config.json", "f-0.5/eval/metrics.json",
                  "f-0.5/eval/report.md", "study.md", "f1_vs_fraction.svg"] {
            XCTAssertTrue(FileSystem.exists(out + "/" + f), f)
        }
        let svg = try String(contentsOfFile: out + "/f1_vs_fraction.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 4)

        // A second run skips both fractions and leaves their results as they were.
        let before = FileManager.default.contents(atPath: out + "/f-0.5/eval/predictions.jsonl")
        let r = try KoLlamaExecutable.run(arguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "already done, skipped").count - 1, 2, r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/f-0.5/eval/predictions.jsonl"), before)

        // With other settings the finished fractions are not reused.
        let changed = try KoLlamaExecutable.run(arguments.map { $0 == "0.01" ? "0.02" : $0 } + ["--quiet"])
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue(changed.stderr.contains("other settings"), changed.stderr)
    }
}
