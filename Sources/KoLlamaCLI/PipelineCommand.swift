import ArgumentParser
import Corpus
import Foundation
import Pipeline

/// `ko-llama pipeline`: the whole mission end to end from a `pipeline.json` (docs/PIPELINE.md).
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Crawl to a Korean-taught model and its report, driven by pipeline.json.",
        subcommands: [InitConfig.self]
    )

    /// `ko-llama pipeline init-config --out pipeline.json`: every setting with its default.
    struct InitConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init-config",
            abstract: "Write a pipeline.json with every key at its default (docs/PIPELINE.md explains each)."
        )

        @Option(help: "Where to write the config.")
        var out = "pipeline.json"

        @Flag(help: "Replace an existing file.")
        var force = false

        func run() throws {
            if FileSystem.exists(out) && !force {
                FileHandle.standardError.write(Data("ko-llama pipeline init-config: \(out) exists (--force replaces it)\n".utf8))
                throw ExitCode.failure
            }
            try PipelineConfig().save(to: out)
        }
    }
}
