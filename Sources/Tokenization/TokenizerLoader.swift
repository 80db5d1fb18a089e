import Corpus

/// Opens a tokenizer of either family from what a `--model` / `--tokenizer` option names: a
/// SentencePiece `.model` file, a byte-level BPE `tokenizer.json` (any file ending in `.json`),
/// or a folder holding `tokenizer.model` or `tokenizer.json`. A folder with both is read as
/// SentencePiece: that is what `tokenizer merge` and `model import` write for a SentencePiece
/// base, where tokenizer.json is the Hugging Face export of the same model (a Metaspace pipeline,
/// not byte-level); a byte-level folder has no tokenizer.model.
public enum TokenizerLoader {
    /// The file `path` resolves to.
    public static func file(for path: String) throws -> String {
        guard FileSystem.isDirectory(path) else { return path }
        for name in ["tokenizer.model", "tokenizer.json"] where FileSystem.exists(path + "/" + name) {
            return path + "/" + name
        }
        throw TokenizationError.invalidModel(path: path, detail: "the folder holds neither tokenizer.model nor tokenizer.json")
    }

    /// Loads the tokenizer at `path` (see the type's comment for what it may name).
    public static func load(path: String) throws -> any TextTokenizer {
        let file = try file(for: path)
        if file.hasSuffix(".json") { return try ByteLevelBPETokenizer(path: file) }
        return try SentencePieceProcessor(path: file)
    }
}
