import Cleaning
import Corpus
import Evaluation
import Foundation
import Reporting
import Training

/// Builds the sections of a `RunReport` from the files the stages leave: the clean corpus
/// (`clean/manifest.json` and its shards), `merge-report.json`, `RUN/metrics.jsonl` and the
/// `metrics.json` of `eval ynat` / `baseline ynat`, each read with its owner's own type
/// (`CleanManifest`, `MetricsLog`, `ClassificationMetrics`), plus the `StageRunner`'s results.
public enum RunReportBuilder {
    /// Why a file could not be turned into a report section.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String, detail: String)

        public var description: String {
            switch self {
            case let .unreadable(path, detail): return "\(path): \(detail)"
            }
        }
    }

    /// The clean corpus of `<corpus>/clean`: split totals from the manifest, documents and
    /// characters per site and split from the shards (streamed, one document at a time), and
    /// the fate of every other document from the last clean run. Each `ko-llama clean` re-reads
    /// all of `docs/` (documents already in the splits count as `already_in_corpus`, the rest are
    /// judged again), so its record covers every document extracted so far; summing runs would
    /// count a rights-reserved or filtered document once per run. (A `--merge-workers` run reads
    /// only the workers' new shards; after one, the figures are that run's.)
    public static func corpusSection(corpus: String) throws -> RunReport.CorpusSection {
        let clean = corpus + "/clean"
        let manifest = try CleanManifest.load(path: clean + "/manifest.json")
        var perSite: [String: [String: (documents: Int, characters: Int)]] = [:]
        for split in Split.allCases {
            for shard in manifest.splits[split.rawValue]?.shards ?? [] {
                let reader = try DocumentShardReader(path: clean + "/" + shard.path)
                while let document = try reader.next() {
                    var counts = perSite[document.source, default: [:]][split.rawValue] ?? (0, 0)
                    counts.documents += 1
                    counts.characters += document.text.unicodeScalars.count
                    perSite[document.source, default: [:]][split.rawValue] = counts
                }
            }
        }
        let last = manifest.runs.last
        let sources = last?.perSource ?? [:]
        let siteNames = Set(sources.keys).union(perSite.keys).sorted()
        let sites = siteNames.map { site in
            let splits = Split.allCases.map { split in
                let counts = perSite[site]?[split.rawValue] ?? (0, 0)
                return RunReport.SplitCounts(split: split.rawValue, documents: counts.documents, characters: counts.characters)
            }
            let input = sources[site]?.input ?? 0, reserved = sources[site]?.reservedExcluded ?? 0
            let kept = splits.reduce(0) { $0 + $1.documents }
            return RunReport.SiteCounts(site: site, input: input, kept: kept, filtered: max(0, input - kept - reserved),
                                        rightsExcluded: reserved, splits: splits)
        }
        let splits = Split.allCases.map { split in
            let contents = manifest.splits[split.rawValue] ?? CleanManifest.SplitContents()
            return RunReport.SplitCounts(split: split.rawValue, documents: contents.documents, characters: contents.characters)
        }
        let filterReasons = (last?.filtered ?? [:]).filter { $0.value > 0 && $0.key != FilterReason.alreadyInCorpus.rawValue }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { RunReport.ReasonCount(reason: $0.key, documents: $0.value) }
        return RunReport.CorpusSection(sites: sites, splits: splits, filterReasons: filterReasons, runs: manifest.runs.count)
    }

    /// The tokenizer merge from `merge-report.json` (written by `tokenizer merge`); the English
    /// figure is the held-out file named `english` (or the first other language held out), over
    /// its lines without Hangul.
    public static func tokenizerSection(mergeReport path: String, family: String) throws -> RunReport.TokenizerSection {
        struct Statistics: Decodable {
            var tokensPerHangulSyllable: Double
            enum CodingKeys: String, CodingKey { case tokensPerHangulSyllable = "tokens_per_hangul_syllable" }
        }
        struct Identical: Decodable {
            var percentWithoutHangul: Double
            enum CodingKeys: String, CodingKey { case percentWithoutHangul = "percent_without_hangul" }
        }
        struct File: Decodable {
            var basePieces: Int
            var mergedPieces: Int
            var piecesAdded: Int
            var koreanHeldout: [String: Statistics]?
            var identicalToBase: [String: Identical]?
            enum CodingKeys: String, CodingKey {
                case basePieces = "base_pieces", mergedPieces = "merged_pieces", piecesAdded = "pieces_added"
                case koreanHeldout = "korean_heldout", identicalToBase = "identical_to_base"
            }
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(try FileSystem.readAll(path)))
        } catch let error as DecodingError {
            throw Failure.unreadable(path: path, detail: "\(error)")
        }
        guard let base = file.koreanHeldout?["base"], let merged = file.koreanHeldout?["merged"] else {
            throw Failure.unreadable(path: path, detail: "no korean_heldout figures (merge with held-out Korean text)")
        }
        let others = file.identicalToBase ?? [:]
        let english = others.first { $0.key.lowercased().contains("english") || $0.key.lowercased().hasPrefix("en") }?.value
            ?? others.keys.sorted().first.flatMap { others[$0] }
        return RunReport.TokenizerSection(family: family, basePieces: file.basePieces, piecesAdded: file.piecesAdded, mergedPieces: file.mergedPieces,
                                          tokensPerHangulSyllable: .init(before: base.tokensPerHangulSyllable, after: merged.tokensPerHangulSyllable),
                                          englishUnchangedPercent: english?.percentWithoutHangul)
    }

    /// Training (`loss`) and validation (`valid_loss`) points of a run's `metrics.jsonl`.
    public static func lossCurve(run: String, metrics path: String) throws -> RunReport.LossCurve {
        let lines: [[String: Double]]
        do {
            lines = try MetricsLog.read(path)
        } catch {
            throw Failure.unreadable(path: path, detail: "\(error)")
        }
        func points(_ key: String) -> [RunReport.CurvePoint] {
            lines.compactMap { line in
                guard let step = line["step"], let value = line[key] else { return nil }
                return RunReport.CurvePoint(step: Int(step), value: value)
            }
        }
        return RunReport.LossCurve(run: run, train: points("loss"), valid: points("valid_loss"))
    }

    /// A classifier's figures from the `metrics.json` that `eval ynat` and `baseline ynat` write.
    public static func classifierScores(name: String, metrics path: String) throws -> RunReport.ClassifierScores {
        let m: ClassificationMetrics
        do {
            m = try JSONDecoder().decode(ClassificationMetrics.self, from: Data(try FileSystem.readAll(path)))
        } catch let error as DecodingError {
            throw Failure.unreadable(path: path, detail: "\(error)")
        }
        return RunReport.ClassifierScores(name: name, examples: m.count, accuracy: m.accuracy, precision: m.precision, recall: m.recall,
                                          f1: m.f1, macroF1: m.macroF1, labels: m.labels, perClassF1: m.perClass.map(\.f1),
                                          confusion: m.confusion)
    }

    /// The result `eval ppl --out` writes.
    public static func perplexity(path: String) throws -> PerplexityResult {
        do {
            return try JSONDecoder().decode(PerplexityResult.self, from: Data(try FileSystem.readAll(path)))
        } catch let error as DecodingError {
            throw Failure.unreadable(path: path, detail: "\(error)")
        }
    }

    /// The timing rows of the stages a `StageRunner` handled: each with the time of the run that
    /// made its outputs (a skipped stage's earlier run) and, when given, its command line.
    public static func stageTimings(_ results: [StageResult], commands: [String: String] = [:]) -> [RunReport.StageTiming] {
        results.map {
            RunReport.StageTiming(stage: $0.stage, status: $0.status.rawValue, seconds: $0.manifest.seconds, budgetSeconds: $0.budgetSeconds,
                                  command: commands[$0.stage])
        }
    }
}
