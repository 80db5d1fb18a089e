import ArgumentParser
import Foundation
import Pipeline

/// `ko-llama refresh`: the cron entry point, crawl -> extract -> clean for the config's sites.
struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Crawl, extract and clean the config's sites incrementally, under one lock (cron).",
        discussion: """
            Runs what `ko-llama crawl` (each site of the config), `extract` and `clean` run, with \
            their defaults, into the config's corpus, holding <corpus>/refresh.lock throughout. With \
            crawl.replica.serve (the default config) the sites' local replicas are served on loopback \
            and crawled instead of the real sites. A crawl that fails does not stop the others, nor \
            extract and clean of what is archived.

            Output: one summary line on stderr; with --quiet nothing else unless the refresh failed, \
            then one line per problem and per stage.

            Exit codes: 0 documents were added to the clean corpus; 3 nothing new (every stage ran, \
            no document was added); 4 another refresh holds <corpus>/refresh.lock, or a crawl holds \
            <corpus>/crawl.lock (exited at once); 1 failed (a crawl failed, an input was damaged, a \
            stage could not run); 64 usage error or an invalid config.
            """
    )

    @Option(help: "The pipeline config (docs/PIPELINE.md); keys left out keep their defaults.")
    var config = "pipeline.json"

    @OptionGroup var output: OutputOptions

    func run() throws {
        let settings: PipelineConfig
        do {
            settings = try PipelineConfig.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("ko-llama refresh: \(error)\n".utf8))
            throw ExitCode.validationFailure
        }
        let summary: CorpusRefresh.Summary
        do {
            summary = try CorpusRefresh(config: settings, quiet: output.quiet).run()
        } catch {
            FileHandle.standardError.write(Data("ko-llama refresh: \(error)\n".utf8))
            throw ExitCode.failure
        }
        var lines: [String] = []
        if summary.outcome == .failed || summary.outcome == .locked {
            lines += summary.problems
            // Quiet runs printed no stage lines; a failure gets them, for the log.
            if output.quiet {
                lines += summary.crawls.map(\.line)
                if let extraction = summary.extraction { lines.append(extraction.line) }
            }
        }
        lines.append(summary.line)
        FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        if summary.outcome.exitCode != 0 { throw ExitCode(summary.outcome.exitCode) }
    }
}
