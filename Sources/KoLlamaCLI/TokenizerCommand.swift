import ArgumentParser

/// `ko-llama tokenizer <what>`: SentencePiece-compatible tokenizer tools.
struct Tokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, merge, and apply SentencePiece-compatible tokenizers.",
        subcommands: [TokenizerMerge.self, TokenizerEncode.self, TokenizerDecode.self]
    )
}
