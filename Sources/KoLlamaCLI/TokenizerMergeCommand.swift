import ArgumentParser

/// `ko-llama tokenizer merge`: extend a base vocabulary with a second model's pieces.
struct TokenizerMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Append an added model's new pieces to a base model; write tokenizer.model, HF files and a report."
    )
}
