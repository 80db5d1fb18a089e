import ArgumentParser

/// `ko-llama tokenizer <action>`: train, merge and apply SentencePiece-compatible tokenizers.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train, merge, and apply SentencePiece-compatible tokenizers.",
        subcommands: [TokenizerTrainCommand.self, TokenizerMerge.self, TokenizerEncode.self, TokenizerDecode.self]
    )
}
