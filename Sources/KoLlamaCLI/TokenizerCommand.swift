import ArgumentParser

/// `ko-llama tokenizer <action>`: train, merge and use SentencePiece tokenizers.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train and use SentencePiece tokenizers.",
        subcommands: [TokenizerTrainCommand.self]
    )
}
