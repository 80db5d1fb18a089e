import ArgumentParser
import Corpus
import Tokenization

/// `ko-llama tokenizer encode`: one text per input line → one line of ids (or pieces).
struct TokenizerEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode one text per line into space-separated token ids or pieces (identical to sentencepiece or tokenizers)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case ids, pieces }

    @Option(help: "A SentencePiece .model, a byte-level BPE tokenizer.json, or a folder holding either (tokenizer.model first).")
    var model: String

    @Option(help: "Input text file (plain or gzip), one text per line; standard input when omitted.")
    var input: String?

    @Option(help: "Output ids or pieces.")
    var format: Format = .ids

    @Option(help: "Encoding threads.")
    var threads = 2

    func run() throws {
        let processor = try TokenizerLoader.load(path: model)
        let reader = try LineIO.reader(input)
        let format = self.format
        var lineBase = 0
        while true {
            let lines = try LineIO.readBatch(reader, count: 8192)
            if lines.isEmpty { break }
            let encoded: [[Int32]]
            do {
                encoded = try processor.encode(lines: lines, threads: threads)
            } catch let TokenizationError.invalidUTF8(line, offset) {
                throw CommandFailure(description: "\(input ?? "<stdin>"):\(lineBase + (line ?? 0)): invalid UTF-8 at byte \(offset) of the line")
            }
            var out: [UInt8] = []
            for ids in encoded {
                for (k, id) in ids.enumerated() {
                    if k > 0 { out.append(0x20) }
                    switch format {
                    case .ids: LineIO.appendDecimal(id, to: &out)
                    case .pieces: out.append(contentsOf: processor.piece(Int(id)).utf8)
                    }
                }
                out.append(0x0A)
            }
            LineIO.writeStdout(out)
            lineBase += lines.count
        }
    }
}
