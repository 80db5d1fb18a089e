/// One instruction-following example in the Stanford Alpaca schema (`instruction`, optional
/// `input`, `output`), the form `alpaca_data.json` and its Korean translations (KoAlpaca) ship in.
public struct AlpacaExample: Sendable, Hashable, Codable {
    public var instruction: String
    /// Extra context for the instruction; empty when the example has none.
    public var input: String
    public var output: String

    public init(instruction: String, input: String = "", output: String) {
        self.instruction = instruction
        self.input = input
        self.output = output
    }

    /// Reads a JSON array (as `alpaca_data.json`) or JSON Lines of Alpaca records; gzip is read
    /// through, other fields are ignored. `input` may be absent, null or empty. Per-record
    /// problems (not a JSON object, `instruction` or `output` missing, empty or not a string,
    /// `input` not a string) throw `InstructionDataError` naming the file and line, or with
    /// `skipInvalid` are counted and left out; a broken file always throws (see `YNATExample.load`).
    public static func load(_ path: String, skipInvalid: Bool = false) throws -> LoadedExamples<AlpacaExample> {
        try InstructionData.load(path, skipInvalid: skipInvalid) { record in
            AlpacaExample(instruction: try record.text("instruction"), input: try record.optionalString("input") ?? "",
                          output: try record.text("output"))
        }
    }
}
