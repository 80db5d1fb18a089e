/// The Stanford Alpaca prompt format (github.com/tatsu-lab/stanford_alpaca, `PROMPT_DICT`): a
/// header sentence, the instruction, the input when there is one, then the response section the
/// model completes. `koreanAlpaca` is the Korean translation ko-llama trains and evaluates with
/// (docs/SFT.md); `stanfordAlpaca` is the English original, byte for byte.
public struct PromptTemplate: Sendable, Hashable, Codable {
    /// The opening paragraph for examples without an input.
    public var header: String
    /// The opening paragraph for examples with an input.
    public var headerWithInput: String
    public var instructionHeading: String
    public var inputHeading: String
    public var responseHeading: String

    public init(header: String, headerWithInput: String, instructionHeading: String, inputHeading: String, responseHeading: String) {
        self.header = header
        self.headerWithInput = headerWithInput
        self.instructionHeading = instructionHeading
        self.inputHeading = inputHeading
        self.responseHeading = responseHeading
    }

    public static let koreanAlpaca = PromptTemplate(
        header: "아래는 작업을 설명하는 지시문입니다. 요청을 적절히 완료하는 응답을 작성하세요.",
        headerWithInput: "아래는 작업을 설명하는 지시문과 추가 맥락을 제공하는 입력이 함께 있습니다. 요청을 적절히 완료하는 응답을 작성하세요.",
        instructionHeading: "### 지시문:", inputHeading: "### 입력:", responseHeading: "### 응답:")

    public static let stanfordAlpaca = PromptTemplate(
        header: "Below is an instruction that describes a task. Write a response that appropriately completes the request.",
        headerWithInput: "Below is an instruction that describes a task, paired with an input that provides further context. "
            + "Write a response that appropriately completes the request.",
        instructionHeading: "### Instruction:", inputHeading: "### Input:", responseHeading: "### Response:")

    /// The prompt up to and including the response heading and its newline; the response follows
    /// directly. An empty `input` selects the form without an input section. The texts are
    /// inserted verbatim (braces or headings inside them are not interpreted).
    public func prompt(instruction: String, input: String = "") -> String {
        var s = (input.isEmpty ? header : headerWithInput) + "\n\n" + instructionHeading + "\n" + instruction + "\n\n"
        if !input.isEmpty { s += inputHeading + "\n" + input + "\n\n" }
        return s + responseHeading + "\n"
    }

    /// The example's prompt and the response the model is trained to produce (its `output`; the
    /// trainer appends EOS and masks the prompt from the loss).
    public func render(_ example: AlpacaExample) -> (prompt: String, response: String) {
        (prompt(instruction: example.instruction, input: example.input), example.output)
    }
}
