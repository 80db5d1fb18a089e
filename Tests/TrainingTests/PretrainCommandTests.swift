import Corpus
import Foundation
import Modeling
import Packing
import TestSupport
import Training
import XCTest

/// `ko-llama pretrain` end to end on packed Korean text with a tiny random LLaMA: the loss falls,
/// validation perplexity is reported, a run killed with SIGKILL and resumed gives the same losses
/// and the same adapter bytes as the uninterrupted run, NaN stops the run, bad inputs fail clearly.
final class PretrainCommandTests: XCTestCase {
    /// A tokenizer folder (the committed LLaMA-3-style byte-level BPE), a tiny model of its
    /// vocabulary, and packed train/valid shards of Korean Wikipedia lines.
    struct Setup {
        let directory: TemporaryDirectory
        var tokenizer: String { directory.file("tokenizer") }
        var model: String { directory.file("model") }
        var data: String { directory.file("tokens/ko") }
        var config: LlamaConfig
    }

    func makeSetup(poison: Bool = false) throws -> Setup {
        let dir = try TemporaryDirectory("pretrain")
        try FileSystem.createDirectory(dir.file("tokenizer"))
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Tests/Fixtures/tokenizer/llama3-style-tokenizer.json",
                                         toPath: dir.file("tokenizer/tokenizer.json"))
        try AtomicFileWriter.write(#"{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}"#,
                                   to: dir.file("tokenizer/tokenizer_config.json"))
        var config = LlamaConfig(vocabSize: 600, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, tieWordEmbeddings: true, bosTokenId: 0, eosTokenId: 1)
        config.maxPositionEmbeddings = 256
        var tensors = ModelInitializer.initialize(config: config, seed: 7)
        if poison { tensors[1].values[0] = .nan }
        try HFModelFolder.write(config: config, tensors: tensors, to: dir.file("model"))
        let lines = try String(contentsOfFile: repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-train.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        for split in ["train", "valid"] {
            try FileSystem.createDirectory(dir.file("corpus/clean/\(split)"))
            let writer = try DocumentShardWriter(path: dir.file("corpus/clean/\(split)/part-0.jsonl.gz"))
            for (i, line) in lines.enumerated() where (i % 10 == 0) == (split == "valid") {
                try writer.write(Document(id: "\(split)-\(i)", text: line, source: "kowiki", added: "test", metadata: [:]))
            }
            try writer.finish()
        }
        try FileSystem.createDirectory(dir.file("tokens"))
        _ = try CorpusPacker(tokenizerPath: dir.file("tokenizer")).pack(corpus: dir.file("corpus"), outputPrefix: dir.file("tokens/ko"))
        return Setup(directory: dir, config: config)
    }

    func arguments(_ s: Setup, out: String, steps: Int, extra: [String] = []) -> [String] {
        ["pretrain", "--model", s.model, "--tokenizer", s.tokenizer, "--data", s.data, "--out", out,
         "--steps", String(steps), "--seq-len", "64", "--batch", "2", "--grad-accum", "2", "--lr", "1e-2",
         "--lora-r", "4", "--lora-dropout", "0.1", "--eval-every", "10", "--eval-batches", "2", "--quiet"] + extra
    }

    /// metrics.jsonl without the timing field, line by line.
    func losses(_ run: String) throws -> [String] {
        try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            line.split(separator: ",").filter { !$0.contains("tokens_per_s") }.joined(separator: ",")
        }
    }

    func testLossFallsAndValidationIsLogged() throws {
        let s = try makeSetup()
        let run = s.directory.file("run")
        let r = try KoLlamaExecutable.run(arguments(s, out: run, steps: 30))
        XCTAssertEqual(r.status, 0, r.stderr)
        let metrics = try MetricsLog.read(run + "/metrics.jsonl")
        let train = metrics.filter { $0["loss"] != nil }
        XCTAssertEqual(train.count, 30)
        XCTAssertLessThan(train.last!["loss"]!, train.first!["loss"]! - 0.5, "the loss falls")
        let valid = metrics.compactMap { $0["valid_ppl"] }
        XCTAssertEqual(valid.count, 3)
        XCTAssertLessThan(valid.last!, valid.first!, "validation perplexity falls")
        XCTAssertTrue(r.stderr.contains("valid loss"), r.stderr)
        let plot = try String(contentsOfFile: run + "/loss.svg", encoding: .utf8)
        XCTAssertTrue(plot.hasPrefix("<svg") && plot.contains("valid"), "loss.svg with both curves")
        let adapter = try PEFTAdapterFolder(path: run + "/adapter")
        XCTAssertEqual(adapter.config.modulesToSave, ["embed_tokens"])
        XCTAssertTrue(adapter.config.ensureWeightTying)
    }

    func testKilledRunResumesBitForBit() throws {
        let s = try makeSetup()
        let whole = s.directory.file("whole"), killed = s.directory.file("killed")
        let steps = 120
        XCTAssertEqual(try KoLlamaExecutable.run(arguments(s, out: whole, steps: steps, extra: ["--save-every", "5"])).status, 0)

        try MissingExecutable.check()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: koLlamaExecutable)
        p.arguments = arguments(s, out: killed, steps: steps, extra: ["--save-every", "5"])
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill it as soon as a first checkpoint exists, wherever it is (possibly mid-write of the next).
        let deadline = Date().addingTimeInterval(120)
        while !FileSystem.exists(killed + "/checkpoints/step-5/trainer_state.json"), p.isRunning, Date() < deadline { usleep(2000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the run was killed before it finished")

        let resumed = try KoLlamaExecutable.run(arguments(s, out: killed, steps: steps, extra: ["--save-every", "5", "--resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed from step"), resumed.stderr)
        XCTAssertEqual(try losses(killed), try losses(whole))
        XCTAssertEqual(FileManager.default.contents(atPath: killed + "/adapter/adapter_model.safetensors"),
                       FileManager.default.contents(atPath: whole + "/adapter/adapter_model.safetensors"))
    }

    func testNonFiniteLossStopsTheRun() throws {
        let s = try makeSetup(poison: true)
        let run = s.directory.file("run")
        let r = try KoLlamaExecutable.run(arguments(s, out: run, steps: 5))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not finite"), r.stderr)
        XCTAssertFalse(FileSystem.exists(run + "/checkpoints/step-5"))
        XCTAssertFalse(FileSystem.exists(run + "/adapter"))
    }

    func testBadInputsFailClearly() throws {
        let s = try makeSetup()
        // A tokenizer larger than the model's vocabulary: resize first.
        var small = s.config
        small.vocabSize = 300
        try HFModelFolder.write(config: small, tensors: ModelInitializer.initialize(config: small, seed: 1), to: s.directory.file("small"))
        var args = arguments(s, out: s.directory.file("r1"), steps: 2)
        args[2] = s.directory.file("small")
        var r = try KoLlamaExecutable.run(args)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("model resize"), r.stderr)
        // A corrupt safetensors file names the file.
        let corrupt = s.directory.file("corrupt")
        try FileManager.default.copyItem(atPath: s.model, toPath: corrupt)
        try AtomicFileWriter.write(Array(repeating: 0xFF, count: 64), to: corrupt + "/model.safetensors")
        args = arguments(s, out: s.directory.file("r2"), steps: 2)
        args[2] = corrupt
        r = try KoLlamaExecutable.run(args)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("model.safetensors"), r.stderr)
        // An adapter for another base (other hidden size).
        var other = s.config
        other.hiddenSize = 16
        other.headDim = 4
        try HFModelFolder.write(config: other, tensors: ModelInitializer.initialize(config: other, seed: 1), to: s.directory.file("other"))
        args = arguments(s, out: s.directory.file("r3"), steps: 2)
        args[2] = s.directory.file("other")
        XCTAssertEqual(try KoLlamaExecutable.run(arguments(s, out: s.directory.file("r4"), steps: 2)).status, 0)
        r = try KoLlamaExecutable.run(args + ["--adapter", s.directory.file("r4/adapter")])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("adapter_model.safetensors") || r.stderr.contains("lora_A"), r.stderr)
        XCTAssertFalse(FileSystem.exists(s.directory.file("r3/adapter")))
    }
}
