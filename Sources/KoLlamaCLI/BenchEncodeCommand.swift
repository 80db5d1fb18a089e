import ArgumentParser
import Corpus
import Foundation
import Tokenization

/// `ko-llama bench encode`: ko-llama's encoder (one and two threads) against sentencepiece
/// (Python, one thread) and Hugging Face tokenizers (`encode_batch`) on the same lines, with
/// an identical-output check on a sample.
struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encoding throughput: ko-llama vs sentencepiece vs HF tokenizers on the same lines."
    )

    @Option(help: "A SentencePiece BPE .model file (or a directory holding tokenizer.model).")
    var model: String

    @Option(help: "Input text, one text per line (plain or gzip).")
    var input: String

    @Option(help: "Lines compared id by id against the peers.")
    var sampleLines = 2000

    @Option(help: "Timed repetitions of each ko-llama run (the best is reported).")
    var repeats = 3

    func run() throws {
        let processor = try SentencePieceProcessor(path: model)
        let modelFile = FileSystem.isDirectory(model) ? model + "/tokenizer.model" : model
        let reader = try ByteReader(path: input)
        var lines: [[UInt8]] = []
        while let l = try reader.readLine() { lines.append(Array(l)) }
        let bytes = lines.reduce(0) { $0 + $1.count }
        let megabytes = Double(bytes) / 1_000_000

        func best(_ threads: Int) throws -> (Double, [[Int32]]) {
            var seconds = Double.infinity
            var ids: [[Int32]] = []
            for _ in 0..<max(1, repeats) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                ids = try processor.encode(lines: lines, threads: threads)
                seconds = min(seconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            return (seconds, ids)
        }
        let (one, ours) = try best(1)
        let (two, _) = try best(2)
        let tokens = ours.reduce(0) { $0 + $1.count }

        // Peers: the text goes to a temporary file of exactly these lines, the sample ids come back.
        let work = NSTemporaryDirectory() + "ko-llama-bench-\(UUID().uuidString)"
        try FileSystem.createDirectory(work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var text: [UInt8] = []
        for l in lines { text += l; text.append(0x0A) }
        try AtomicFileWriter.write(text, to: work + "/input.txt")
        try HuggingFaceTokenizerExport.write(model: processor.model, to: work + "/hf", path: modelFile)
        let sample = min(sampleLines, lines.count)
        let peerOutput = try PythonPeerScript.run(BenchEncode.peerScript, [modelFile, work + "/input.txt", work + "/hf/tokenizer.json", String(sample), work], bench: "encode")
        var seconds: [String: Double] = [:]
        for row in peerOutput.split(separator: "\n") {
            let f = row.split(separator: " ")
            if f.count == 2, let s = Double(f[1]) { seconds[String(f[0])] = s }
        }
        func sampleIds(_ name: String) throws -> [[Int32]] {
            let content = try String(contentsOfFile: work + "/" + name, encoding: .utf8)
            return content.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: " ").compactMap { Int32($0) } }
        }
        let spmSame = try sampleIds("spm.ids") == Array(ours.prefix(sample))
        let hfSame = try sampleIds("hf.ids") == Array(ours.prefix(sample))

        print(String(format: "input: %@, %d lines, %.2f MB, %d tokens (ko-llama), model %@ (%d pieces)",
                     input, lines.count, megabytes, tokens, modelFile, processor.vocabularySize))
        print("| encoder | threads | seconds | MB/s | vs sentencepiece | identical ids (first \(sample) lines) |")
        print("|---|---|---|---|---|---|")
        let spm = seconds["sentencepiece"] ?? .nan
        func row(_ name: String, _ threads: String, _ s: Double, _ same: String) {
            print(String(format: "| %@ | %@ | %.3f | %.2f | %.2fx | %@ |", name, threads, s, megabytes / s, spm / s, same))
        }
        row("ko-llama", "1", one, "reference")
        row("ko-llama", "2", two, "yes (same run)")
        row("sentencepiece (Python encode)", "1", spm, spmSame ? "yes" : "NO")
        row("HF tokenizers (encode_batch)", "2", seconds["tokenizers"] ?? .nan, hfSame ? "yes" : "NO")
        if !spmSame || !hfSame { throw CommandFailure(description: "bench encode: peer ids differ from ko-llama on the sample") }
    }

    private static let peerScript = """
    import sys, time
    import sentencepiece as spm
    from tokenizers import Tokenizer
    model, path, tj, sample, work = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with open(path, encoding='utf-8', newline='\\n') as f:
        lines = f.read().split('\\n')[:-1]
    sp = spm.SentencePieceProcessor(model_file=model, num_threads=1)
    t0 = time.perf_counter()
    ids = [sp.encode(l) for l in lines]
    print('sentencepiece', time.perf_counter() - t0)
    tok = Tokenizer.from_file(tj)
    t0 = time.perf_counter()
    hf = [e.ids for e in tok.encode_batch(lines, add_special_tokens=False)]
    print('tokenizers', time.perf_counter() - t0)
    for name, rows in (('spm.ids', ids), ('hf.ids', hf)):
        with open(work + '/' + name, 'w') as out:
            for r in rows[:sample]:
                out.write(' '.join(map(str, r)) + '\\n')
    """
}
