import ArgumentParser
import Corpus
import Extraction
import Foundation

/// `ko-llama extract`: WARC archive -> documents (`docs/*.jsonl.gz`), or `--evaluate DIR` to
/// score the extractor on annotated pages.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Turn the crawl's WARC archive into documents (title, date, body, rights notice).")

    @Option(help: "Corpus folder: reads raw/*.warc.gz, writes docs/*.jsonl.gz.")
    var corpus: String?

    @Option(name: .long, parsing: .upToNextOption, help: "More .warc/.warc.gz files or folders (e.g. from another crawler).")
    var input: [String] = []

    @Option(help: "Folder of site definitions (default: ./crawlers, else the source checkout's).")
    var crawlersDir = SiteDefinition.defaultCrawlersDirectory

    @Option(help: "Treat every page as this site (a name in --crawlers-dir).")
    var site: String?

    @Option(help: "Documents per output shard.")
    var docsPerShard = 10_000

    @Flag(help: "Exit non-zero when any input file is damaged.")
    var strict = false

    @Option(help: "Runs a multi-page article waits for a missing page before it is written with missing_pages.")
    var incompleteAfterRuns = 3

    @Flag(help: "Write every multi-page article still waiting for pages now, with missing_pages.")
    var flushIncomplete = false

    @Option(help: "Score the extractor on annotated pages (<name>.html + <name>.expected.json) in this folder.")
    var evaluate: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var shards: ShardOptions

    func validate() throws {
        if evaluate == nil && corpus == nil { throw ValidationError("--corpus is required (or --evaluate DIR)") }
        if docsPerShard < 1 { throw ValidationError("--docs-per-shard must be at least 1") }
        if incompleteAfterRuns < 1 { throw ValidationError("--incomplete-after-runs must be at least 1") }
    }

    func run() throws {
        do {
            let matcher = try SiteMatcher(sites: SiteMatcher.loadDefinitions(directory: crawlersDir), forcedSite: site)
            if let evaluate {
                print(try ExtractionEvaluator(matcher: matcher).evaluate(directory: evaluate).table)
                return
            }
            var configuration = ExtractionConfiguration(corpus: corpus!)
            configuration.inputs = input
            configuration.shardIndex = shards.shardIndex
            configuration.shardCount = shards.shardCount
            configuration.documentsPerShard = docsPerShard
            configuration.strict = strict
            configuration.incompleteAfterRuns = incompleteAfterRuns
            configuration.flushIncomplete = flushIncomplete
            let progress = ProgressReporter(label: "extract", quiet: output.quiet)
            let extractor = CorpusExtractor(configuration: configuration, matcher: matcher, progress: progress)
            let summary: ExtractionSummary
            do {
                summary = try extractor.run()
            } catch {
                progress.finish(summary: "extract: failed")
                throw error
            }
            for damage in summary.damagedFiles { FileHandle.standardError.write(Data("extract: damaged input: \(damage)\n".utf8)) }
            progress.finish(summary: summary.line)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
