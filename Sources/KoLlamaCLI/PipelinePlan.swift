import ArgumentParser
import Corpus
import Foundation
import Pipeline
import Tokenization

/// Where `ko-llama pipeline` puts everything for one `PipelineConfig`, and each stage's
/// `ko-llama` command line. A stage that is a command runs that command in-process, so the
/// pipeline and a person typing the commands get the same results; the command line is also
/// the settings its manifest hashes and what the report prints beside the stage.
struct PipelinePlan {
    let config: PipelineConfig
    /// The file `config` was read from (the report's command for the corpus stages names it).
    let configPath: String
    let quiet: Bool
    /// `runs/<name>`.
    let run: String
    /// The GGUF `modelImport` converts, or nil when `baseModel.path` is already a Hugging Face folder.
    let gguf: String?
    /// The Hugging Face folder of the base: the imported GGUF or `baseModel.path`.
    let baseModel: String
    /// The tokenizer the Korean pieces are merged into (a file, or a folder holding one).
    let baseTokenizer: String

    init(config: PipelineConfig, configPath: String, quiet: Bool) throws {
        self.config = config
        self.configPath = configPath
        self.quiet = quiet
        run = config.runDirectory
        let base = try PythonPackagePath.resolve(config.baseModel.path)
        if FileSystem.isDirectory(base) {
            gguf = nil
            baseModel = base
        } else {
            guard base.hasSuffix(".gguf") else {
                throw CommandFailure(description: "baseModel.path \(base): expected a .gguf file or a Hugging Face folder")
            }
            gguf = base
            baseModel = run + "/model"
        }
        if config.tokenizer.base == "model" {
            baseTokenizer = baseModel + (config.tokenizer.family == .byteBPE ? "/tokenizer.json" : "/tokenizer.model")
        } else {
            baseTokenizer = try PythonPackagePath.resolve(config.tokenizer.base)
        }
    }

    var corpus: String { config.corpus }
    var koreanTokenizer: String { run + "/tokenizer/" + (config.tokenizer.family == .byteBPE ? "ko.json" : "ko.model") }
    var mergedTokenizer: String { run + "/tokenizer/merged" }
    var heldoutKorean: String { run + "/tokenizer/heldout-korean.txt" }
    var tokens: String { run + "/tokens" }
    var koreanModel: String { run + "/model-ko" }
    var perplexityBefore: String { run + "/perplexity-before.json" }
    var perplexityAfter: String { run + "/perplexity-after.json" }
    var pretrainRun: String { run + "/pretrain" }
    var sftRun: String { run + "/sft" }
    var evalYNAT: String { run + "/eval-ynat" }
    var baseline: String { run + "/baseline" }

    /// The site definition files the crawl and extraction read.
    var siteFiles: [String] {
        config.sites.map { $0.hasSuffix(".json") || $0.contains("/") ? $0 : "\(config.crawlersDir)/\($0).json" }
    }

    private var threads: [String] { ["--threads", String(config.pretrain.threads)] }
    private var quietFlag: [String] { quiet ? ["--quiet"] : [] }

    // MARK: the commands of the stages

    var modelImport: [String] { ["model", "import", "--gguf", gguf ?? "", "--out", baseModel] + quietFlag }

    var tokenizerTrain: [String] {
        var argv = ["tokenizer", "train", "--input", corpus + "/clean/train", "--vocab-size", String(config.tokenizer.vocabSize),
                    "--out", koreanTokenizer, "--threads", String(config.pretrain.threads)]
        if config.tokenizer.family == .byteBPE { argv += ["--type", "byte-bpe", "--base", baseTokenizer] }
        return argv + quietFlag
    }

    var tokenizerMerge: [String] {
        ["tokenizer", "merge", "--base", baseTokenizer, "--add", koreanTokenizer, "--out", mergedTokenizer, "--heldout-korean", heldoutKorean]
            + config.tokenizer.heldoutOther.flatMap { ["--heldout-other", $0] } + quietFlag
    }

    var pack: [String] {
        ["pack", "--tokenizer", mergedTokenizer, "--corpus", corpus, "--out", tokens + "/ko", "--seq-len", String(config.pretrain.seqLen)]
            + threads + quietFlag
    }

    var modelResize: [String] {
        ["model", "resize", "--model", baseModel, "--tokenizer", mergedTokenizer, "--out", koreanModel, "--init", config.baseModel.resizeInit]
            + quietFlag
    }

    /// `eval ppl` of the resized model, with the pretraining adapter for the after figure.
    func perplexity(adapter: String?, out: String) -> [String] {
        ["eval", "ppl", "--model", koreanModel] + (adapter.map { ["--adapter", $0] } ?? [])
            + ["--tokenizer", mergedTokenizer, "--corpus", corpus, "--split", config.eval.perplexitySplit,
               "--seq-len", String(max(config.pretrain.seqLen, 256)), "--max-documents", String(config.eval.perplexityDocuments),
               "--out", out] + threads
    }

    var pretrain: [String] {
        let p = config.pretrain
        return ["pretrain", "--model", koreanModel, "--tokenizer", mergedTokenizer, "--data", tokens + "/ko", "--out", pretrainRun,
                "--steps", String(p.steps), "--seq-len", String(p.seqLen), "--batch", String(p.batchSize), "--grad-accum", String(p.gradAccum),
                "--lr", "\(p.lr)", "--warmup-ratio", "\(p.warmupRatio)", "--lora-r", String(p.loraR), "--lora-alpha", "\(p.loraAlpha)",
                "--lora-dropout", "\(p.loraDropout)", "--train-embeddings", p.embeddings, "--seed", String(p.seed),
                "--eval-every", String(p.evalEvery), "--eval-batches", String(p.evalBatches), "--save-every", String(p.saveEvery)]
            + threads + quietFlag
    }

    /// The YNAT split flags `sft`, `eval ynat` and `baseline ynat` share, so all three carve the same sets.
    private var ynatSplit: [String] {
        let s = config.sft
        return ["--validation-fraction", "\(s.validationFraction)", "--test-fraction", "\(s.testFraction)", "--seed", String(s.seed)]
    }

    var sft: [String] {
        let s = config.sft
        return ["sft", "--model", koreanModel, "--adapter", pretrainRun + "/adapter", "--tokenizer", mergedTokenizer, "--task", "ynat",
                "--data", s.data] + ynatSplit + (s.fraction == 1 ? [] : ["--fraction", "\(s.fraction)"])
            + ["--epochs", String(s.epochs), "--batch", String(s.batchSize), "--max-len", String(s.seqLen), "--lr", "\(s.lr)",
               "--out", sftRun] + threads + quietFlag
    }

    var evalYnat: [String] {
        ["eval", "ynat", "--model", koreanModel, "--adapter", sftRun + "/adapter", "--tokenizer", mergedTokenizer,
         "--data", config.sft.data] + ynatSplit
            + ["--scoring", config.eval.ynatScoring, "--max-len", String(config.sft.seqLen), "--out", evalYNAT] + threads + quietFlag
    }

    var baselineYnat: [String] {
        ["baseline", "ynat", "--train", config.sft.data] + ynatSplit + (config.sft.fraction == 1 ? [] : ["--fraction", "\(config.sft.fraction)"])
            + ["--out", baseline] + quietFlag
    }

    /// Every stage that is a command, with its command line, in pipeline order. All are parsed
    /// (not run) before the first stage, so a bad setting fails at once rather than after the crawl.
    var commandStages: [(stage: PipelineStage, argv: [String])] {
        (gguf == nil ? [] : [(.modelImport, modelImport)]) + [
            (.tokenizerTrain, tokenizerTrain), (.tokenizerMerge, tokenizerMerge), (.pack, pack), (.modelResize, modelResize),
            (.perplexityBefore, perplexity(adapter: nil, out: perplexityBefore)), (.pretrain, pretrain),
            (.perplexityAfter, perplexity(adapter: pretrainRun + "/adapter", out: perplexityAfter)),
            (.sft, sft), (.evalYnat, evalYnat), (.baseline, baselineYnat),
        ]
    }

    /// Runs one `ko-llama` command line in this process.
    static func execute(_ argv: [String]) throws {
        var command = try KoLlama.parseAsRoot(argv)
        try command.run()
    }

    /// `ko-llama ...` as a shell line.
    static func shellLine(_ argv: [String]) -> String { shellCommand(["ko-llama"] + argv) }
}
