import Corpus
import Foundation

extension PipelineConfig {
    /// Reads and validates a config file.
    public static func load(path: String) throws -> PipelineConfig {
        let bytes = try FileSystem.readAll(path)
        let config: PipelineConfig
        do {
            config = try JSONDecoder().decode(PipelineConfig.self, from: Data(bytes))
        } catch let error as PipelineConfigError {
            throw error.inFile(path)
        } catch let error as DecodingError {
            throw PipelineConfigError.unreadable(path: path, key: Self.keyPath(error), detail: Self.describe(error))
        }
        try config.validate(path: path)
        return config
    }

    /// The config as `pipeline.json` text: every key, sorted (deterministic on every platform).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Writes the config atomically.
    public func save(to path: String) throws {
        try AtomicFileWriter.write(try json(), to: path)
    }

    /// Rejects values no stage accepts, naming the key.
    public func validate(path: String) throws {
        func check(_ ok: Bool, _ key: String, _ detail: String) throws {
            if !ok { throw PipelineConfigError.invalid(path: path, key: key, detail: detail) }
        }
        try check(format == Self.currentFormat, "format", "\(format), this version reads \(Self.currentFormat)")
        try check(!name.isEmpty && !name.contains("/") && name != "." && name != "..", "name", "must be a folder name (no /)")
        try check(!sites.isEmpty, "sites", "needs at least one site")
        try check(Set(sites).count == sites.count, "sites", "lists a site twice")
        try check(crawl.maxPagesPerSite >= 1, "crawl.maxPagesPerSite", "must be at least 1")
        try check(crawl.maxDurationSecondsPerSite > 0, "crawl.maxDurationSecondsPerSite", "must be positive")
        try check(crawl.replica.articles >= 1, "crawl.replica.articles", "must be at least 1")
        try check(crawl.replica.delaySeconds >= 0, "crawl.replica.delaySeconds", "must not be negative")
        try check(crawl.replica.backoffSeconds >= 0, "crawl.replica.backoffSeconds", "must not be negative")
        try check(crawl.replica.slowSeconds >= 0, "crawl.replica.slowSeconds", "must not be negative")
        try check(tokenizer.vocabSize >= 1, "tokenizer.vocabSize", "must be at least 1")
        try check(!tokenizer.base.isEmpty, "tokenizer.base", "must be `model` or a path")
        try check(!baseModel.path.isEmpty, "baseModel.path", "must be a path")
        try check(["subword-mean", "mean", "random"].contains(baseModel.resizeInit), "baseModel.resizeInit", "must be subword-mean, mean or random")
        try check(pretrain.steps >= 1, "pretrain.steps", "must be at least 1")
        try check(pretrain.seqLen >= 2, "pretrain.seqLen", "must be at least 2")
        try check(pretrain.batchSize >= 1 && pretrain.gradAccum >= 1, "pretrain.batchSize", "batchSize and gradAccum must be at least 1")
        try check(pretrain.lr > 0, "pretrain.lr", "must be positive")
        try check((0..<1).contains(pretrain.warmupRatio), "pretrain.warmupRatio", "must be in [0, 1)")
        try check(pretrain.loraR >= 1 && pretrain.loraAlpha > 0, "pretrain.loraR", "loraR must be at least 1 and loraAlpha positive")
        try check((0..<1).contains(pretrain.loraDropout), "pretrain.loraDropout", "must be in [0, 1)")
        try check(["all", "new-rows", "none"].contains(pretrain.embeddings), "pretrain.embeddings", "must be all, new-rows or none")
        try check(pretrain.evalEvery >= 0 && pretrain.saveEvery >= 0, "pretrain.evalEvery", "evalEvery and saveEvery must not be negative")
        try check(pretrain.evalBatches >= 1, "pretrain.evalBatches", "must be at least 1")
        try check(pretrain.seed >= 0, "pretrain.seed", "must not be negative")
        try check(pretrain.threads >= 1, "pretrain.threads", "must be at least 1")
        try check(!sft.data.isEmpty, "sft.data", "must be a path")
        try check(sft.fraction > 0 && sft.fraction <= 1, "sft.fraction", "must be in (0, 1]")
        try check(sft.epochs >= 1, "sft.epochs", "must be at least 1")
        try check(sft.seqLen >= 8 && sft.batchSize >= 1, "sft.seqLen", "seqLen must be at least 8 and batchSize at least 1")
        try check(sft.lr > 0, "sft.lr", "must be positive")
        try check((0..<1).contains(sft.validationFraction) && (0..<1).contains(sft.testFraction)
                  && sft.validationFraction + sft.testFraction < 1, "sft.validationFraction",
                  "validationFraction and testFraction must be in [0, 1) and sum to less than 1")
        try check(sft.seed >= 0, "sft.seed", "must not be negative")
        try check(["train", "valid", "test"].contains(eval.perplexitySplit), "eval.perplexitySplit", "must be train, valid or test")
        try check(eval.perplexityDocuments >= 0, "eval.perplexityDocuments", "must not be negative")
        try check(["likelihood", "generate"].contains(eval.ynatScoring), "eval.ynatScoring", "must be likelihood or generate")
        for stage in PipelineStage.allCases {
            try check(budgets[stage] > 0, "budgets.\(stage.rawValue)", "must be positive")
        }
    }

    private static func keyPath(_ error: DecodingError) -> String {
        let path: [CodingKey]
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c): path = c.codingPath
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .typeMismatch(type, c): return "expected \(type): \(c.debugDescription)"
        case let .valueNotFound(type, c): return "expected \(type), found null: \(c.debugDescription)"
        case let .keyNotFound(key, c): return "missing \(key.stringValue): \(c.debugDescription)"
        case let .dataCorrupted(c) where !c.codingPath.isEmpty:
            return "invalid value: \(c.debugDescription)"
        case let .dataCorrupted(c):
            let underlying = (c.underlyingError as NSError?).map { " (\($0.userInfo[NSDebugDescriptionErrorKey] ?? $0.localizedDescription))" } ?? ""
            return "not valid JSON: \(c.debugDescription)\(underlying)"
        @unknown default: return "\(error)"
        }
    }
}
