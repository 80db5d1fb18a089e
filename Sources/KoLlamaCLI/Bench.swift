import ArgumentParser

/// `ko-llama bench <what>`: speed comparisons against the peer tools, printed as tables.
/// Benchmarks are never tests; their results go to BENCHMARKS.md with the command that made them.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a stage side by side with its peer tool.",
        subcommands: [BenchCleanCommand.self, BenchTokenizerTrain.self, BenchEncode.self, BenchPack.self, BenchTrain.self]
    )
}
