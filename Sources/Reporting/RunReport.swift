import Corpus
import Foundation

/// Everything `runs/<name>/report.{json,md,html}` shows about one pipeline run, as plain data:
/// the corpus (per site and split, filter reasons, rights exclusions), the tokenizer merge, the
/// loss curves, perplexity before and after continued pretraining, YNAT beside the linear
/// baseline, and the stages' timings. Sections a run did not reach are nil (or empty) and the
/// writers leave them out. `report.json` is this type encoded; the other two are views of it.
public struct RunReport: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public var format = RunReport.currentFormat
    public var name: String
    /// ISO 8601 time the report was made.
    public var created: String
    public var corpus: CorpusSection?
    public var tokenizer: TokenizerSection?
    /// One entry per training run (`pretrain`, `sft`).
    public var training: [LossCurve] = []
    public var perplexity: PerplexitySection?
    public var ynat: YNATSection?
    public var stages: [StageTiming] = []

    public init(name: String, created: String) {
        self.name = name
        self.created = created
    }

    /// The clean corpus (`<corpus>/clean/manifest.json` and its shards).
    public struct CorpusSection: Codable, Sendable, Equatable {
        /// Per site: documents in, kept, filtered, excluded for a rights reservation, and what
        /// each split holds.
        public var sites: [SiteCounts]
        /// Totals per split, in train/valid/test order.
        public var splits: [SplitCounts]
        /// Documents not in the splits, by reason (most frequent first).
        public var filterReasons: [ReasonCount]
        /// Clean runs that built the corpus.
        public var runs: Int

        public init(sites: [SiteCounts], splits: [SplitCounts], filterReasons: [ReasonCount], runs: Int) {
            self.sites = sites
            self.splits = splits
            self.filterReasons = filterReasons
            self.runs = runs
        }
    }

    public struct SiteCounts: Codable, Sendable, Equatable {
        public var site: String
        public var input: Int
        public var kept: Int
        public var filtered: Int
        /// Documents kept out of the splits because the page reserved its rights (e.g. People's
        /// Daily's "AI 학습 및 활용 금지" line).
        public var rightsExcluded: Int
        public var splits: [SplitCounts]

        public init(site: String, input: Int, kept: Int, filtered: Int, rightsExcluded: Int, splits: [SplitCounts]) {
            self.site = site
            self.input = input
            self.kept = kept
            self.filtered = filtered
            self.rightsExcluded = rightsExcluded
            self.splits = splits
        }
    }

    public struct SplitCounts: Codable, Sendable, Equatable {
        public var split: String
        public var documents: Int
        public var characters: Int

        public init(split: String, documents: Int, characters: Int) {
            self.split = split
            self.documents = documents
            self.characters = characters
        }
    }

    public struct ReasonCount: Codable, Sendable, Equatable {
        public var reason: String
        public var documents: Int

        public init(reason: String, documents: Int) {
            self.reason = reason
            self.documents = documents
        }
    }

    /// The merged tokenizer against its base (`merge-report.json`).
    public struct TokenizerSection: Codable, Sendable, Equatable {
        /// `sentencepiece` or `byte-bpe`.
        public var family: String
        public var basePieces: Int
        public var piecesAdded: Int
        public var mergedPieces: Int
        /// Tokens per Hangul syllable on held-out Korean, with the base and the merged tokenizer.
        public var tokensPerHangulSyllable: BeforeAfter
        /// Share (percent) of held-out English lines tokenized exactly as by the base.
        public var englishUnchangedPercent: Double?

        public init(family: String, basePieces: Int, piecesAdded: Int, mergedPieces: Int,
                    tokensPerHangulSyllable: BeforeAfter, englishUnchangedPercent: Double?) {
            self.family = family
            self.basePieces = basePieces
            self.piecesAdded = piecesAdded
            self.mergedPieces = mergedPieces
            self.tokensPerHangulSyllable = tokensPerHangulSyllable
            self.englishUnchangedPercent = englishUnchangedPercent
        }
    }

    public struct BeforeAfter: Codable, Sendable, Equatable {
        public var before: Double
        public var after: Double

        public init(before: Double, after: Double) {
            self.before = before
            self.after = after
        }
    }

    /// Training and validation loss of one run (`RUN/metrics.jsonl`).
    public struct LossCurve: Codable, Sendable, Equatable {
        /// `pretrain` or `sft`.
        public var run: String
        public var train: [CurvePoint]
        public var valid: [CurvePoint]

        public init(run: String, train: [CurvePoint], valid: [CurvePoint]) {
            self.run = run
            self.train = train
            self.valid = valid
        }
    }

    public struct CurvePoint: Codable, Sendable, Equatable {
        public var step: Int
        public var value: Double

        public init(step: Int, value: Double) {
            self.step = step
            self.value = value
        }
    }

    /// Perplexity on held-out articles, same tokenizer, before and after continued pretraining.
    public struct PerplexitySection: Codable, Sendable, Equatable {
        /// The clean split measured (`test`: the held-out articles).
        public var split: String
        public var documents: Int
        public var tokens: Int
        public var before: Double
        public var after: Double

        public init(split: String, documents: Int, tokens: Int, before: Double, after: Double) {
            self.split = split
            self.documents = documents
            self.tokens = tokens
            self.before = before
            self.after = after
        }
    }

    /// YNAT topic classification: the tuned model beside the linear baseline.
    public struct YNATSection: Codable, Sendable, Equatable {
        public var model: ClassifierScores
        public var baseline: ClassifierScores?

        public init(model: ClassifierScores, baseline: ClassifierScores?) {
            self.model = model
            self.baseline = baseline
        }
    }

    /// The figures of one classifier (`metrics.json` of `eval ynat` / `baseline ynat`).
    public struct ClassifierScores: Codable, Sendable, Equatable {
        public var name: String
        public var examples: Int
        public var accuracy: Double
        /// Macro precision and recall, the paper's F1 (their harmonic mean) and KLUE's macro-F1.
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var macroF1: Double
        public var labels: [String]
        public var perClassF1: [Double]
        /// `confusion[gold][predicted]`.
        public var confusion: [[Int]]

        public init(name: String, examples: Int, accuracy: Double, precision: Double, recall: Double, f1: Double,
                    macroF1: Double, labels: [String], perClassF1: [Double], confusion: [[Int]]) {
            self.name = name
            self.examples = examples
            self.accuracy = accuracy
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.macroF1 = macroF1
            self.labels = labels
            self.perClassF1 = perClassF1
            self.confusion = confusion
        }
    }

    /// One stage of the run: how long it took against its budget, or that it was skipped.
    public struct StageTiming: Codable, Sendable, Equatable {
        public var stage: String
        /// `ran` or `skipped` (inputs and settings unchanged since its manifest).
        public var status: String
        /// Wall time of the run that made the stage's outputs (for a skipped stage, its earlier run).
        public var seconds: Double
        public var budgetSeconds: Double?
        /// The `ko-llama` command line the stage ran, to rerun it by hand.
        public var command: String?

        public init(stage: String, status: String, seconds: Double, budgetSeconds: Double?, command: String? = nil) {
            self.stage = stage
            self.status = status
            self.seconds = seconds
            self.budgetSeconds = budgetSeconds
            self.command = command
        }
    }
}
