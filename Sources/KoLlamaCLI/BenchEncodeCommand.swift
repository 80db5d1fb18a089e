import ArgumentParser
import Corpus
import Foundation
import Tokenization

/// `ko-llama bench encode`: ko-llama's encoder (one and two threads) against sentencepiece
/// (Python, one thread) and Hugging Face tokenizers (`encode_batch`) on the same lines, with
/// an identical-output check on a sample. For a byte-level tokenizer.json the peer is
/// tokenizers alone, single-threaded (`TOKENIZERS_PARALLELISM=false`) and on two threads.
struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encoding throughput: ko-llama vs sentencepiece vs HF tokenizers on the same lines."
    )

    @Option(help: "A SentencePiece BPE .model file, a byte-level BPE tokenizer.json, or a folder holding either.")
    var model: String

    @Option(help: "Input text, one text per line (plain or gzip).")
    var input: String

    @Option(help: "Lines compared id by id against the peers.")
    var sampleLines = 2000

    @Option(help: "Timed repetitions of each ko-llama run (the best is reported).")
    var repeats = 3

    func run() throws {
        let modelFile = try TokenizerLoader.file(for: model)
        let tokenizer = try TokenizerLoader.load(path: modelFile)
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
                ids = try tokenizer.encode(lines: lines, threads: threads)
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
        let sample = min(sampleLines, lines.count)
        func peer(_ script: String, _ arguments: [String]) throws -> [String: Double] {
            var seconds: [String: Double] = [:]
            for row in try PythonPeerScript.run(script, arguments, bench: "encode").split(separator: "\n") {
                let f = row.split(separator: " ")
                if f.count == 2, let s = Double(f[1]) { seconds[String(f[0])] = s }
            }
            return seconds
        }
        func sampleIds(_ name: String) throws -> [[Int32]] {
            let content = try String(contentsOfFile: work + "/" + name, encoding: .utf8)
            return content.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: " ").compactMap { Int32($0) } }
        }
        print(String(format: "input: %@, %d lines, %.2f MB, %d tokens (ko-llama), model %@ (%d pieces)",
                     input, lines.count, megabytes, tokens, modelFile, tokenizer.vocabularySize))

        guard let processor = tokenizer as? SentencePieceProcessor else {
            let seconds = try peer(BenchEncode.byteLevelPeerScript, [modelFile, work + "/input.txt", String(sample), work])
            let same = try sampleIds("hf1.ids") == Array(ours.prefix(sample)) && sampleIds("hf2.ids") == Array(ours.prefix(sample))
            print("| encoder | threads | seconds | MB/s | vs tokenizers 1 thread | identical ids (first \(sample) lines) |")
            print("|---|---|---|---|---|---|")
            let reference = seconds["tokenizers1"] ?? .nan
            func row(_ name: String, _ threads: String, _ s: Double, _ note: String) {
                print(String(format: "| %@ | %@ | %.3f | %.2f | %.2fx | %@ |", name, threads, s, megabytes / s, reference / s, note))
            }
            row("ko-llama", "1", one, "reference")
            row("ko-llama", "2", two, "yes (same run)")
            row("HF tokenizers (encode_batch, TOKENIZERS_PARALLELISM=false)", "1", reference, same ? "yes" : "NO")
            row("HF tokenizers (encode_batch, RAYON_NUM_THREADS=2)", "2", seconds["tokenizers2"] ?? .nan, same ? "yes" : "NO")
            if !same { throw CommandFailure(description: "bench encode: tokenizers' ids differ from ko-llama on the sample") }
            return
        }
        try HuggingFaceTokenizerExport.write(model: processor.model, to: work + "/hf", path: modelFile)
        let seconds = try peer(BenchEncode.peerScript, [modelFile, work + "/input.txt", work + "/hf/tokenizer.json", String(sample), work])
        let spmSame = try sampleIds("spm.ids") == Array(ours.prefix(sample))
        let hfSame = try sampleIds("hf.ids") == Array(ours.prefix(sample))
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

    /// tokenizers on one thread, then on two (the rayon pool starts at its first parallel use).
    private static let byteLevelPeerScript = """
    import os, sys, time
    os.environ['TOKENIZERS_PARALLELISM'] = 'false'
    from tokenizers import Tokenizer
    tj, path, sample, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with open(path, encoding='utf-8', newline='\\n') as f:
        lines = f.read().split('\\n')[:-1]
    tok = Tokenizer.from_file(tj)
    rows = {}
    for threads in (1, 2):
        if threads == 2:
            os.environ['TOKENIZERS_PARALLELISM'] = 'true'; os.environ['RAYON_NUM_THREADS'] = '2'
        best = float('inf')
        for _ in range(2):
            t0 = time.perf_counter()
            ids = [e.ids for e in tok.encode_batch(lines, add_special_tokens=False)]
            best = min(best, time.perf_counter() - t0)
        print('tokenizers%d' % threads, best)
        with open(work + '/hf%d.ids' % threads, 'w') as out:
            for r in ids[:sample]:
                out.write(' '.join(map(str, r)) + '\\n')
    """

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
