import Corpus

/// Streams training sentences from `--input` paths: plain text files (`.txt`, `.txt.gz`; one
/// sentence per line, read with `ByteReader`) and corpus directories (their `clean/train`
/// shards, or the `.jsonl(.gz)` shards directly inside, via `DocumentShardReader`; every line
/// of a document's text is one sentence). Files are visited in the given order, directories in
/// sorted order, so the sentence sequence is deterministic.
final class TrainingSentenceSource {
    private enum Input {
        case text(String)
        case documents(String)
    }

    private var pending: [Input]
    private var textReader: ByteReader?
    private var shardReader: DocumentShardReader?
    private var documentLines: [ArraySlice<UInt8>] = []
    private var documentLineIndex = 0
    private var documentBytes: [UInt8] = []
    /// The file and line of the sentence last returned.
    private(set) var path = ""
    private(set) var lineNumber = 0
    /// Documents skipped because their JSON line was malformed.
    private(set) var skippedDocuments = 0

    init(inputs: [String]) throws {
        var expanded: [Input] = []
        for input in inputs {
            guard FileSystem.exists(input) else {
                throw BPETrainerError.unreadableInput(path: input, detail: "no such file or directory")
            }
            if FileSystem.isDirectory(input) {
                let train = input + "/clean/train"
                let root = FileSystem.isDirectory(train) ? train : input
                let shards = try FileSystem.files(under: root, suffixes: [".jsonl.gz", ".jsonl"]).sorted()
                if shards.isEmpty {
                    throw BPETrainerError.unreadableInput(path: input, detail: "directory has no .jsonl(.gz) document shards")
                }
                expanded += shards.map { .documents($0) }
            } else {
                expanded.append(.text(input))
            }
        }
        pending = expanded.reversed()
    }

    /// The next raw sentence, or nil when every input is exhausted.
    func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let reader = textReader {
                if let line = try reader.readLine() {
                    lineNumber = reader.lineNumber
                    return line
                }
                textReader = nil
            }
            if let shard = shardReader {
                if documentLineIndex < documentLines.count {
                    documentLineIndex += 1
                    return documentLines[documentLineIndex - 1]
                }
                if let document = try shard.next(skippingInvalid: true) {
                    lineNumber = shard.lineNumber
                    documentBytes = Array(document.text.utf8)
                    documentLines = documentBytes.split(separator: 0x0A, omittingEmptySubsequences: true)
                    documentLineIndex = 0
                    continue
                }
                skippedDocuments += shard.skippedLines.count
                shardReader = nil
            }
            guard let input = pending.popLast() else { return nil }
            do {
                switch input {
                case let .text(file):
                    path = file
                    textReader = try ByteReader(path: file)
                case let .documents(file):
                    path = file
                    shardReader = try DocumentShardReader(path: file)
                }
            } catch {
                throw BPETrainerError.unreadableInput(path: path, detail: "\(error)")
            }
            lineNumber = 0
        }
    }
}
