import ArgumentParser
import Cleaning
import Corpus
import Foundation

/// `ko-llama clean --corpus <dir>`: docs -> normalized, filtered, deduplicated train/valid/test
/// shards with a manifest and report (docs/CLEANING.md).
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Normalize, filter, deduplicate and split <corpus>/docs into <corpus>/clean."
    )

    @Option(help: "Corpus directory (reads <corpus>/docs, writes <corpus>/clean).")
    var corpus: String

    @Option(help: "JSON file with CleaningPolicy thresholds; keys left out keep their defaults.")
    var policy: String?

    @Option(help: "Where site definitions live (rights.excludeReservedFromTraining per source; default: ./crawlers, else the source checkout's).")
    var crawlersDir = SiteDefinition.defaultCrawlersDirectory

    @Flag(help: "Keep documents with a rights reservation in the splits (overrides the site setting).")
    var includeReserved = false

    @Option(help: "Threads for normalization and filtering.")
    var threads = 2

    @Option(help: "Merge the outputs of an N-worker array job (clean/workers/*-of-N) into <corpus>/clean.")
    var mergeWorkers: Int?

    @OptionGroup var shards: ShardOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let n = mergeWorkers {
            if n < 1 { throw ValidationError("--merge-workers must be at least 1") }
            if shards.shardCount > 1 { throw ValidationError("--merge-workers runs once after the workers, without --shard-count") }
        }
    }

    func run() throws {
        var options = CorpusCleaner.Options(corpus: corpus)
        if let policy { options.policy = try CleaningPolicy.load(path: policy) }
        options.crawlersDirectory = crawlersDir
        options.includeReserved = includeReserved
        options.shardIndex = shards.shardIndex
        options.shardCount = shards.shardCount
        options.mergeWorkers = mergeWorkers
        options.threads = max(1, threads)
        options.quiet = output.quiet
        let outcome = try CorpusCleaner(options: options).run()
        if !outcome.run.inputErrors.isEmpty {
            for e in outcome.run.inputErrors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
            throw ExitCode.failure
        }
    }
}
