import ArgumentParser
import Corpus
import Foundation
import Packing
import Tokenization

/// `ko-llama bench pack`: tokens/s for packing, for streaming packed shards and for streaming
/// JSONL with on-the-fly encoding, with peak RSS, beside the Python peer (sentencepiece +
/// numpy, what Megatron's preprocess_data.py does) on the same documents.
struct BenchPack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Benchmark pack and the streaming loader on a text file (paragraphs, blank line between documents)."
    )

    @Option(help: "Tokenizer .model (or directory with tokenizer.model).")
    var tokenizer: String

    @Option(help: "Plain text: one paragraph per line, a blank line between documents (e.g. kowiki_dev_100MB.txt).")
    var input: String

    @Option(help: "Use at most this many MB of the input.")
    var megabytes = 100

    @Option(help: "Block length for the streams.")
    var seqLen = 2048

    @Option(help: "Working directory (a temporary one by default).")
    var workdir: String?

    @Flag(help: "Skip the Python peer.")
    var noPeer = false

    func run() throws {
        let work = workdir ?? NSTemporaryDirectory() + "ko-llama-bench-pack-\(getpid())"
        try FileSystem.createDirectory(work + "/corpus/clean/train")
        try FileSystem.createDirectory(work + "/corpus/clean/valid")
        // Documents from the text file, 9:1 train/valid by document number.
        let reader = try ByteReader(path: input)
        let train = try DocumentShardWriter(path: work + "/corpus/clean/train/bench-0.jsonl.gz")
        let valid = try DocumentShardWriter(path: work + "/corpus/clean/valid/bench-0.jsonl.gz")
        var paragraphs: [String] = []
        var bytes = 0, documents = 0
        func emit() throws {
            guard !paragraphs.isEmpty else { return }
            let doc = Document(id: "d\(documents)", text: paragraphs.joined(separator: "\n\n"), source: "bench", added: "bench")
            try (documents % 10 == 9 ? valid : train).write(doc)
            documents += 1
            paragraphs.removeAll()
        }
        while bytes < megabytes * 1_000_000, let line = try reader.readLine() {
            bytes += line.count + 1
            if line.isEmpty { try emit() } else { paragraphs.append(String(decoding: line, as: UTF8.self)) }
        }
        try emit()
        try train.finish()
        try valid.finish()

        var rows: [(String, Double, Int, String)] = []
        let packer = try CorpusPacker(tokenizerPath: tokenizer)
        var start = Date()
        let manifest = try packer.pack(corpus: work + "/corpus", outputPrefix: work + "/tokens")
        let packSeconds = Date().timeIntervalSince(start)
        let tokens = (manifest.splits["train"]?.tokens ?? 0) + (manifest.splits["valid"]?.tokens ?? 0)
        rows.append(("ko-llama pack (2 threads)", packSeconds, tokens, String(format: "%.2f MB/s", Double(bytes) / 1e6 / packSeconds)))

        let dataset = try IndexedDataset(prefix: work + "/tokens_train")
        let shardStream = try BlockStream(dataset: dataset, options: StreamOptions(seqLen: seqLen, batchSize: 8, seed: 1))
        let shardBatches = max(1, shardStream.blocksPerEpoch / 8)
        start = Date()
        var checksum: Int64 = 0
        for _ in 0..<shardBatches { checksum &+= Int64(shardStream.nextBatch().tokens[0]) }
        let shardSeconds = Date().timeIntervalSince(start)
        rows.append(("stream packed shards (mmap, shuffled)", shardSeconds, shardBatches * 8 * seqLen, "1 epoch"))

        let jsonStream = try DocumentStream(corpus: work + "/corpus", split: "train", processor: packer.processor,
                                            options: DocumentStreamOptions(seqLen: seqLen, batchSize: 8, seed: 1))
        let jsonBatches = max(1, min(shardBatches, 2000))
        start = Date()
        for _ in 0..<jsonBatches { checksum &+= Int64(try jsonStream.nextBatch().tokens[0]) }
        let jsonSeconds = Date().timeIntervalSince(start)
        rows.append(("stream JSONL, encoding on the fly", jsonSeconds, jsonBatches * 8 * seqLen, "background thread"))

        if !noPeer {
            let script = """
                import sys, gzip, json, time, numpy as np, sentencepiece as spm
                sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
                t = time.time(); n = 0
                with gzip.open(sys.argv[2], 'rt') as f, open(sys.argv[3], 'wb') as out:
                    for line in f:
                        ids = sp.encode(json.loads(line)['text']); ids.append(sp.eos_id())
                        np.asarray(ids, dtype=np.uint16).tofile(out); n += len(ids)
                print(time.time() - t, n)
                """
            let model = FileSystem.isDirectory(tokenizer) ? tokenizer + "/tokenizer.model" : tokenizer
            let out = (try? PythonPeerScript.run(script, [model, work + "/corpus/clean/train/bench-0.jsonl.gz", work + "/peer.bin"], bench: "pack")) ?? ""
            let parts = out.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            if parts.count == 2, let s = Double(parts[0]), let n = Int(parts[1]) {
                rows.append(("peer: sentencepiece + numpy, train split (1 thread)", s, n, "preprocess_data equivalent"))
            } else {
                rows.append(("peer: python sentencepiece not available", 0, 0, ""))
            }
        }

        print("input: \(input), \(bytes / 1_000_000) MB, \(documents) documents; tokenizer \(tokenizer); seq-len \(seqLen)")
        print("| what | seconds | tokens | tokens/s | note |")
        print("|---|---:|---:|---:|---|")
        for (name, seconds, n, note) in rows {
            let rate = seconds > 0 ? String(format: "%.2fM", Double(n) / seconds / 1e6) : "-"
            print("| \(name) | \(String(format: "%.2f", seconds)) | \(n) | \(rate) | \(note) |")
        }
        print("peak RSS of ko-llama: \(Int(ProcessStats.peakRSSMegabytes())) MB (checksum \(checksum))")
        if workdir == nil { try? FileManager.default.removeItem(atPath: work) }
    }
}
