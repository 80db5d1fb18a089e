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

/// Seconds each stage may take (`budgets` in `pipeline.json`). The defaults sum to under 15
/// minutes on the 2-core reference machine; the pipeline prints each stage's time beside its
/// budget and flags a stage that ran over.
public struct StageBudgets: Codable, Sendable, Equatable {
    private var seconds: [PipelineStage: Double] = [
        .crawl: 90, .extract: 20, .clean: 20,
        .modelImport: 30,
        .tokenizerTrain: 45, .tokenizerMerge: 15, .pack: 15,
        .modelResize: 10,
        .perplexityBefore: 45, .pretrain: 300, .perplexityAfter: 45,
        .sft: 120, .evalYnat: 60, .baseline: 15,
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
