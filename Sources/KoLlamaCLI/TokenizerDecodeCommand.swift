import ArgumentParser
import Corpus
import Tokenization

/// `ko-llama tokenizer decode`: one line of space-separated ids → one line of text.
struct TokenizerDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode lines of space-separated token ids back into text (identical to sentencepiece or tokenizers)."
    )

    @Option(help: "A SentencePiece .model, a byte-level BPE tokenizer.json, or a folder holding either (tokenizer.model first).")
    var model: String

    @Option(help: "Input file of id lines; standard input when omitted.")
    var input: String?

    func run() throws {
        let processor = try TokenizerLoader.load(path: model)
        let reader = try LineIO.reader(input)
        var out: [UInt8] = []
        while let line = try reader.readLine() {
            var ids: [Int32] = []
            for field in line.split(separator: 0x20) {
                guard let id = Int32(String(decoding: field, as: UTF8.self)) else {
                    throw CommandFailure(description: "\(input ?? "<stdin>"):\(reader.lineNumber): \"\(String(decoding: field, as: UTF8.self))\" is not a token id")
                }
                ids.append(id)
            }
            do {
                out.append(contentsOf: try processor.decode(ids).utf8)
            } catch let error as TokenizationError {
                throw CommandFailure(description: "\(input ?? "<stdin>"):\(reader.lineNumber): \(error)")
            }
            out.append(0x0A)
            if out.count > 1 << 16 {
                LineIO.writeStdout(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        LineIO.writeStdout(out)
    }
}
