import ArgumentParser

/// `ko-llama eval <what>`: held-out perplexity and YNAT topic classification.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model (with an optional adapter).",
        subcommands: [EvalPerplexityCommand.self]
    )
}
