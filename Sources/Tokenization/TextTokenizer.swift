/// What every stage needs from a tokenizer, whichever family it is: SentencePiece BPE
/// (`SentencePieceProcessor`, the `.model` files of LLaMA-2 and Mistral) or byte-level BPE
/// (`ByteLevelBPETokenizer`, the `tokenizer.json` of GPT-2, SmolLM, LLaMA-3 and Qwen2).
/// `TokenizerLoader` picks the family from a path.
public protocol TextTokenizer: Sendable {
    var vocabularySize: Int { get }
    var bosId: Int32? { get }
    var eosId: Int32? { get }
    var padId: Int32? { get }
    /// Ids for `text`, with no BOS/EOS or template added.
    func encode(_ text: String) -> [Int32]
    /// Ids for each UTF-8 line, on `threads` threads, in input order; an invalid line throws
    /// `TokenizationError.invalidUTF8` with its 1-based line number.
    func encode(lines: [[UInt8]], threads: Int) throws -> [[Int32]]
    /// Text for `ids` (control / special tokens dropped); an id outside the vocabulary throws.
    func decode(_ ids: [Int32]) throws -> String
    /// The token as the tokenizer file spells it (`▁the`, `Ġthe`).
    func piece(_ id: Int) -> String
}

extension SentencePieceProcessor: TextTokenizer {}
extension ByteLevelBPETokenizer: TextTokenizer {}
