import ArgumentParser
import Corpus
import Foundation
import Modeling
import Packing
import Training

/// `ko-llama bench train`: LoRA training steps per second on a random LLaMA of a named shape,
/// side by side with PyTorch + PEFT (`scripts/bench-train-torch.py`) on the same shape, batch,
/// rank and thread count, with peak RSS and the fraction of the cores' FMA peak each reaches.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Benchmark LoRA training steps against PyTorch + PEFT on the same shape."
    )

    @Option(help: "Model shape: tiny (hidden 256, 4 layers) or small (the SmolLM2-135M shape).")
    var config = "tiny"
    @Option(help: "Vocabulary size (default 32000 for tiny, 49152 for small).")
    var vocabSize: Int?
    @Option(help: "Sequences per step.")
    var batch = 4
    @Option(help: "Tokens per sequence.")
    var seqLen = 256
    @Option(help: "Timed steps (after the warmup steps).")
    var steps = 10
    @Option(help: "Untimed steps first.")
    var warmupSteps = 2
    @Option(help: "Cores to use (OpenBLAS threads, attention workers, torch threads).")
    var threads = 2
    @Option(help: "LoRA rank (alpha = 2 r) on all seven projections.")
    var loraR = 8
    @Option(help: "Embedding training: all or none.")
    var trainEmbeddings = EmbeddingTraining.all
    @Option(help: "FMA peak of the cores used, GFLOP/s, for the fraction-of-peak column.")
    var peakGflops = 250.0
    @Flag(help: "Skip the PyTorch peer.")
    var noPeer = false

    func run() throws {
        guard var shape = LlamaConfig.preset(config, vocabSize: vocabSize ?? (config == "small" ? 49152 : 32000)) else {
            throw ValidationError("--config must be tiny or small")
        }
        shape.rmsNormEps = 1e-5
        let weights = try LlamaWeights(config: shape, tensors: ModelInitializer.initialize(config: shape, seed: 0))
        var options = TrainingOptions()
        options.seqLen = seqLen
        options.batchSize = batch
        options.steps = warmupSteps + steps
        options.lora = LoRASettings(rank: loraR, alpha: Float(2 * loraR), dropout: 0)
        options.embeddings = trainEmbeddings
        let model = LlamaModel(weights: weights, lora: options.lora, embeddings: trainEmbeddings, threads: threads)
        let trainer = Trainer(model: model, options: options, source: InMemoryBatches([randomBatch(shape.vocabSize)]),
                              validation: [], runDirectory: NSTemporaryDirectory(), writeAdapter: { _ in })
        var times: [Double] = []
        var firstLoss = 0.0, lastLoss = 0.0
        for step in 0..<options.steps {
            let began = Date()
            let r = try trainer.optimizerStep(step, batches: [randomBatch(shape.vocabSize, seed: UInt64(step))])
            if step == 0 { firstLoss = r.loss }
            lastLoss = r.loss
            if step >= warmupSteps { times.append(Date().timeIntervalSince(began)) }
        }
        let tokens = Double(batch * seqLen)
        let swiftRate = tokens * Double(times.count) / times.reduce(0, +)
        let flops = model.trainingFLOPsPerToken(seqLen: seqLen)
        var rows = [Row(tool: "ko-llama", tokensPerSecond: swiftRate, stepSeconds: median(times), peakRSS: ProcessStats.peakRSSMegabytes(),
                        lossFirst: firstLoss, lossLast: lastLoss)]
        if !noPeer {
            let script = try Self.peerScript()
            let out = try PythonPeerScript.runFile(script, [
                "--config", config, "--vocab-size", String(shape.vocabSize), "--batch", String(batch), "--seq-len", String(seqLen),
                "--steps", String(steps), "--warmup-steps", String(warmupSteps), "--threads", String(threads),
                "--lora-r", String(loraR), "--train-embeddings", trainEmbeddings == .none ? "none" : "all",
            ], bench: "train")
            guard let line = out.split(separator: "\n").last,
                  let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let rate = json["tokens_per_s"] as? Double else {
                throw ValidationError("bench train: unreadable output from \(script): \(out)")
            }
            rows.append(Row(tool: "pytorch \(json["torch"] ?? "?") + peft \(json["peft"] ?? "?")", tokensPerSecond: rate,
                            stepSeconds: json["step_s_median"] as? Double ?? .nan, peakRSS: json["peak_rss_mb"] as? Double ?? .nan,
                            lossFirst: json["loss_first"] as? Double ?? .nan, lossLast: json["loss_last"] as? Double ?? .nan))
        }
        print("bench train: \(config) (hidden \(shape.hiddenSize), \(shape.numHiddenLayers) layers, heads \(shape.numAttentionHeads)/\(shape.numKeyValueHeads), "
              + "ffn \(shape.intermediateSize), vocab \(shape.vocabSize)), batch \(batch) x \(seqLen), LoRA r \(loraR) on 7 projections, "
              + "embeddings \(trainEmbeddings.rawValue), \(threads) thread(s), \(steps) timed steps")
        print(String(format: "%.1f MFLOP per token (matrix products, ko-llama's count); peak %.0f GFLOP/s", flops / 1e6, peakGflops))
        print("| tool | tokens/s | step s (median) | % of FMA peak | peak RSS MB | loss first -> last |")
        print("|---|---|---|---|---|---|")
        for r in rows {
            print(String(format: "| %@ | %.0f | %.3f | %.1f%% | %.0f | %.3f -> %.3f |", r.tool, r.tokensPerSecond, r.stepSeconds,
                         100 * r.tokensPerSecond * flops / (peakGflops * 1e9), r.peakRSS, r.lossFirst, r.lossLast))
        }
        if rows.count == 2 { print(String(format: "speed-up: %.2fx", rows[0].tokensPerSecond / rows[1].tokensPerSecond)) }
    }

    private struct Row {
        var tool: String
        var tokensPerSecond, stepSeconds, peakRSS, lossFirst, lossLast: Double
    }

    private func randomBatch(_ vocabulary: Int, seed: UInt64 = 0) -> TrainingBatch {
        var rng = SplitMix64(seed: seed &+ 1)
        let n = batch * seqLen
        return TrainingBatch(batchSize: batch, seqLen: seqLen, tokens: (0..<n).map { _ in Int32(rng.next() % UInt64(vocabulary)) },
                             lossMask: [UInt8](repeating: 1, count: n))
    }

    private func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }

    /// scripts/bench-train-torch.py of the working directory's checkout, else of the source checkout.
    static func peerScript() throws -> String {
        let name = "scripts/bench-train-torch.py"
        if FileSystem.exists(name) { return name }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/" + name
        guard FileSystem.exists(path) else { throw ValidationError("bench train: \(name) not found") }
        return path
    }
}
