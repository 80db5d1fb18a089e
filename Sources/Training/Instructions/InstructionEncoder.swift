import Tokenization

/// One instruction example as token ids: `[BOS] prompt response EOS`. Positions
/// `promptLength - 1 ..< tokens.count - 1` predict the next token (the response and EOS); the
/// prompt before them is context only.
public struct InstructionSequence: Sendable, Equatable {
    /// How the example was made to fit the length limit.
    public enum Truncation: String, Sendable, Codable {
        case none
        /// Characters were cut from the end of the input (the headline) until it fit.
        case input
        /// Even with the input cut to one character it did not fit: the sequence was cut at the
        /// limit from its end (Chinese-LLaMA-Alpaca's `(s + t)[:max_seq_length]`), losing EOS.
        case clipped
    }

    public var tokens: [Int32]
    /// BOS (when used) plus the prompt's tokens.
    public var promptLength: Int
    public var truncation: Truncation

    public init(tokens: [Int32], promptLength: Int, truncation: Truncation = .none) {
        precondition(promptLength >= 1 && promptLength < tokens.count, "a sequence needs a prompt token and a response token")
        self.tokens = tokens
        self.promptLength = promptLength
        self.truncation = truncation
    }
}

public enum InstructionEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case noEOS
    case invalidMaxLength(Int)

    public var description: String {
        switch self {
        case .noEOS:
            return "the tokenizer has no EOS token, which instruction tuning appends to every response "
                + "(a tokenizer.json reads it from the tokenizer_config.json beside it)"
        case let .invalidMaxLength(n): return "a maximum length of \(n) tokens leaves no room for a prompt and a response"
        }
    }
}

/// Turns Alpaca examples into the token sequences `sft` trains on and `eval` scores, as
/// Chinese-LLaMA-Alpaca's `build_instruction_dataset` does: the prompt (the template filled in)
/// and the response are encoded separately, so the response's first token never merges with the
/// prompt's last, and concatenated with EOS after the response. BOS comes first when the tokenizer
/// adds one by convention (`conventionallyAddsBOS`). A sequence over `maxLength` has characters cut
/// from the end of its input (the instruction, template and response stay whole) until it fits.
public struct InstructionEncoder: Sendable {
    public let tokenizer: any TextTokenizer
    public let template: PromptTemplate
    public let maxLength: Int
    public let bosId: Int32?
    public let eosId: Int32

    /// `addsBOS` nil follows the tokenizer's convention.
    public init(tokenizer: any TextTokenizer, template: PromptTemplate = .koreanAlpaca, maxLength: Int,
                addsBOS: Bool? = nil) throws(InstructionEncodingError) {
        guard let eos = tokenizer.eosId else { throw .noEOS }
        guard maxLength >= 3 else { throw .invalidMaxLength(maxLength) }
        self.tokenizer = tokenizer
        self.template = template
        self.maxLength = maxLength
        self.eosId = eos
        bosId = (addsBOS ?? Self.conventionallyAddsBOS(tokenizer)) ? tokenizer.bosId : nil
    }

    /// SentencePiece tokenizers with a BOS piece add it (LLaMA's `LlamaTokenizer`,
    /// `add_bos_token=True`); byte-level BPE tokenizers do not (GPT-2 has no BOS, SmolLM2 sets
    /// `add_bos_token=false`; LLaMA-3's `<|begin_of_text|>` comes from a post-processor that
    /// ko-llama does not read, so pass `addsBOS: true` for it).
    public static func conventionallyAddsBOS(_ tokenizer: any TextTokenizer) -> Bool {
        tokenizer is SentencePieceProcessor && tokenizer.bosId != nil
    }

    public var addsBOS: Bool { bosId != nil }

    /// The response's ids followed by EOS.
    public func responseTokens(_ response: String) -> [Int32] {
        tokenizer.encode(response) + [eosId]
    }

    /// BOS (when used) and the prompt's ids, with the input shortened (whole characters cut from
    /// its end, at least one kept) until `reserve` more tokens fit in `maxLength`; `shortened`
    /// says whether it was. When even one input character is too many, the shortest prompt is
    /// returned and the caller decides (training clips the sequence, scoring goes over the limit).
    public func promptTokens(instruction: String, input: String, reserve: Int) -> (tokens: [Int32], shortened: Bool) {
        let budget = maxLength - reserve
        let full = encodePrompt(instruction: instruction, input: input)
        guard full.count > budget, input.count > 1 else { return (full, false) }
        // Fewer input characters never give more tokens here except by tokenizer quirks, so a
        // binary search for the longest prefix that fits is exact enough and costs log2(n) encodes.
        let characters = Array(input)
        var fits = 1, tooLong = characters.count
        var best = encodePrompt(instruction: instruction, input: String(characters[0..<1]))
        while tooLong - fits > 1 {
            let mid = (fits + tooLong) / 2
            let candidate = encodePrompt(instruction: instruction, input: String(characters[0..<mid]))
            if candidate.count <= budget {
                fits = mid
                best = candidate
            } else {
                tooLong = mid
            }
        }
        return (best, true)
    }

    /// The training sequence of `example`, or nil when not even the prompt fits in `maxLength`
    /// (no response token would be left to learn).
    public func encode(_ example: AlpacaExample) -> InstructionSequence? {
        let response = responseTokens(example.output)
        let prompt = promptTokens(instruction: example.instruction, input: example.input, reserve: response.count)
        guard prompt.tokens.count < maxLength else { return nil }
        var tokens = prompt.tokens + response
        var truncation: InstructionSequence.Truncation = prompt.shortened ? .input : .none
        if tokens.count > maxLength {
            tokens.removeLast(tokens.count - maxLength)
            truncation = .clipped
        }
        return InstructionSequence(tokens: tokens, promptLength: prompt.tokens.count, truncation: truncation)
    }

    private func encodePrompt(instruction: String, input: String) -> [Int32] {
        (bosId.map { [$0] } ?? []) + tokenizer.encode(template.prompt(instruction: instruction, input: input))
    }
}
