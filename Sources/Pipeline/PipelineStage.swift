/// The stages of `ko-llama pipeline`, in the order they run (ARCHITECTURE.md's data flow). The raw
/// values name the stage everywhere: its budget key in `pipeline.json`, its manifest
/// `runs/<name>/stages/<stage>.json`, and its row in the report's timings.
public enum PipelineStage: String, CaseIterable, Codable, CodingKey, Sendable {
    case crawl, extract, clean
    case modelImport
    case tokenizerTrain, tokenizerMerge, pack
    case modelResize
    case perplexityBefore, pretrain, perplexityAfter
    case sft, evalYnat, baseline
    case report
}

/// Seconds each stage may take (`budgets` in `pipeline.json`). The defaults sum to 880 s, under
/// 15 minutes, and the default settings fill about two thirds of each on the 2-core reference
/// machine (docs/PIPELINE.md has the measured run); the pipeline prints each stage's time beside
/// its budget and flags a stage that ran over.
public struct StageBudgets: Codable, Sendable, Equatable {
    private var seconds: [PipelineStage: Double] = [
        .crawl: 45, .extract: 20, .clean: 20,
        .modelImport: 20,
        .tokenizerTrain: 30, .tokenizerMerge: 15, .pack: 15,
        .modelResize: 15,
        .perplexityBefore: 60, .pretrain: 380, .perplexityAfter: 60,
        .sft: 140, .evalYnat: 45, .baseline: 10,
        .report: 5,
    ]

    public init() {}

    /// The budget of one stage, in seconds.
    public subscript(stage: PipelineStage) -> Double {
        get { seconds[stage]! }
        set { seconds[stage] = newValue }
    }

    /// All budgets together: what the whole pipeline may take.
    public var totalSeconds: Double { PipelineStage.allCases.reduce(0) { $0 + self[$1] } }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try ConfigSectionDecoder(decoder, keys: PipelineStage.self)
        for stage in PipelineStage.allCases { try c.take(stage, &seconds[stage]!) }
    }

    /// Every stage by name (a dictionary keyed by an enum would encode as an array).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: PipelineStage.self)
        for stage in PipelineStage.allCases { try c.encode(self[stage], forKey: stage) }
    }
}
