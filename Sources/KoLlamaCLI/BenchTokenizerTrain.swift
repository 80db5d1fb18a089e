import ArgumentParser
import Foundation
import Glibc
import Tokenization

/// `ko-llama bench tokenizer-train`: one corpus trained by ko-llama (in process), spm_train
/// (pip sentencepiece, child process) and Hugging Face `tokenizers`' BpeTrainer (child
/// process), printed as a table of wall time and peak RSS, plus ko-llama's phase split and
/// the piece overlap and token counts of ko-llama's model against spm's. With `--type byte-bpe
/// --base tokenizer.json`: ko-llama's byte-level trainer against BpeTrainer under the same
/// pipeline (`train_from_iterator` over the lines), and the overlap of the two vocabularies.
struct BenchTokenizerTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer-train",
        abstract: "Time BPE tokenizer training against spm_train and HF tokenizers."
    )

    @Option(help: "Training text (one sentence per line).")
    var input: String

    @Option(help: "Vocabulary size.")
    var vocabSize = 20_000

    @Option(help: "Threads for every trainer.")
    var threads = 2

    @Option(help: "Character coverage.")
    var characterCoverage = 0.9995

    @Option(help: "Directory for the models (default: a temporary directory).")
    var workDir: String?

    @Option(help: "sentencepiece, or byte-bpe (needs --base).")
    var type: TokenizerTrainCommand.Kind = .sentencepiece

    @Option(help: "byte-bpe: the tokenizer.json whose pipeline both trainers use.")
    var base: String?

    /// BpeTrainer in a child process under the base's pipeline; prints `wall_s peak_rss_kb`.
    static let byteLevelPeerScript = """
    import resource, subprocess, sys, time
    base, inp, out, vocab, threads = sys.argv[1:6]
    code = ("from tokenizers import Tokenizer, models, trainers, pre_tokenizers\\n"
            "b = Tokenizer.from_file(%r); t = Tokenizer(models.BPE())\\n"
            "t.normalizer, t.pre_tokenizer, t.decoder = b.normalizer, b.pre_tokenizer, b.decoder\\n"
            "specials = [a.content for _, a in sorted(b.get_added_tokens_decoder().items())]\\n"
            "lines = [l for l in open(%r, encoding='utf-8').read().split('\\\\n') if l]\\n"
            "t.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=%s, special_tokens=specials, "
            "initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))\\n"
            "t.save(%r)" % (base, inp, vocab, out))
    start = time.time()
    subprocess.run([sys.executable, '-c', code], check=True, env=dict(__import__('os').environ, RAYON_NUM_THREADS=threads))
    print(time.time() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """

    static let byteLevelCompareScript = """
    import json, sys
    a = json.load(open(sys.argv[1]))['model']; b = json.load(open(sys.argv[2]))['model']
    ma = [tuple(m) for m in a['merges']]; mb = [tuple(m) if isinstance(m, list) else tuple(m.split(' ')) for m in b['merges']]
    same = sum(1 for k, v in a['vocab'].items() if b['vocab'].get(k) == v)
    print(len(set(a['vocab']) & set(b['vocab'])) / len(b['vocab']), same / len(b['vocab']), int(ma == mb))
    """

    private func runByteLevel(dir: String) throws {
        guard let base else { throw ValidationError("--type byte-bpe needs --base <tokenizer.json>") }
        var options = BPETrainerOptions(inputs: [input], vocabSize: vocabSize)
        options.threads = threads
        options.maxSentenceLength = 1 << 30
        let baseFile = try TokenizerLoader.file(for: base)
        let start = Date()
        let result = try ByteLevelBPETrainer(base: try HuggingFaceTokenizerFile.load(path: baseFile), options: options).train(writingTo: dir + "/ko.json")
        let koWall = Date().timeIntervalSince(start)
        let koRSS = ProcessStats.peakRSSMegabytes()
        let out = try PythonPeerScript.run(Self.byteLevelPeerScript, [baseFile, input, dir + "/hf.json", "\(vocabSize)", "\(threads)"], bench: "tokenizer-train")
        let f = out.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
        let cmp = try PythonPeerScript.run(Self.byteLevelCompareScript, [dir + "/ko.json", dir + "/hf.json"], bench: "tokenizer-train")
            .split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
        print("tokenizer-train (byte-level BPE): \(input), base \(baseFile), vocab \(vocabSize), \(threads) threads")
        print("| trainer | wall s | peak RSS MB | wall vs tokenizers | RSS vs tokenizers |")
        print("|---|---:|---:|---:|---:|")
        for (name, wall, rss) in [("ko-llama (native, tokenizers tie-break)", koWall, koRSS), ("HF tokenizers BpeTrainer", f[0], f[1] / 1024)] {
            print(String(format: "| %@ | %.2f | %.0f | %.2fx | %.2fx |", name, wall, rss, wall / f[0], rss / (f[1] / 1024)))
        }
        let t = result.timings
        print(String(format: "ko-llama phases: read+count %.2f s, alphabet %.2f s, pair stats %.2f s, merges %.2f s, save %.2f s; %d distinct words",
                     t.readAndCount, t.alphabet, t.pairStatistics, t.merges, t.save, result.distinctWords))
        print(String(format: "vocabulary shared with BpeTrainer's: %.4f%%; same token at the same id: %.4f%%; merge lists identical: %@",
                     cmp[0] * 100, cmp[1] * 100, cmp[2] == 1 ? "yes" : "no"))
    }

    /// Trains in a child Python process; prints `wall_s peak_rss_kb` for that child.
    static let peerScript = """
    import resource, subprocess, sys, time
    kind, inp, prefix, vocab, threads, cov = sys.argv[1:7]
    if kind == 'spm':
        code = ("import sentencepiece as spm; spm.SentencePieceTrainer.train(input=%r, model_prefix=%r, vocab_size=%s, "
                "model_type='bpe', normalization_rule_name='identity', character_coverage=%s, num_threads=%s, minloglevel=2)"
                % (inp, prefix, vocab, cov, threads))
    else:
        code = ("import os; os.environ['RAYON_NUM_THREADS']=%r\\n"
                "from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders\\n"
                "t = Tokenizer(models.BPE(unk_token='<unk>'))\\n"
                "t.pre_tokenizer = pre_tokenizers.Metaspace()\\n"
                "tr = trainers.BpeTrainer(vocab_size=%s, special_tokens=['<unk>','<s>','</s>'], show_progress=False)\\n"
                "t.train([%r], tr)\\nt.save(%r)" % (threads, vocab, inp, prefix + '.json'))
    start = time.time()
    subprocess.run([sys.executable, '-c', code], check=True, env=dict(__import__('os').environ, RAYON_NUM_THREADS=threads))
    print(time.time() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """

    static let compareScript = """
    import sys, sentencepiece as spm
    a = spm.SentencePieceProcessor(model_file=sys.argv[1]); b = spm.SentencePieceProcessor(model_file=sys.argv[2])
    pa = {a.id_to_piece(i) for i in range(a.get_piece_size())}; pb = {b.id_to_piece(i) for i in range(b.get_piece_size())}
    lines = []
    with open(sys.argv[3], encoding='utf-8', errors='replace') as f:
        for i, line in enumerate(f):
            if i >= 20000: break
            lines.append(line.rstrip('\\n'))
    ta = sum(map(len, a.encode(lines))); tb = sum(map(len, b.encode(lines))); chars = sum(map(len, lines))
    print(len(pa & pb) / len(pb), ta, tb, chars)
    """

    func run() throws {
        let dir = workDir ?? NSTemporaryDirectory() + "ko-llama-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if type == .byteBPE { return try runByteLevel(dir: dir) }

        var options = BPETrainerOptions(inputs: [input], vocabSize: vocabSize)
        options.threads = threads
        options.characterCoverage = characterCoverage
        let start = Date()
        let result = try BPETrainer(options: options).train(writingTo: dir + "/ko.model", quiet: true)
        let koWall = Date().timeIntervalSince(start)
        let koRSS = ProcessStats.peakRSSMegabytes()

        func peer(_ kind: String) throws -> (wall: Double, rss: Double) {
            let out = try PythonPeerScript.run(Self.peerScript, [kind, input, dir + "/" + kind, "\(vocabSize)", "\(threads)", "\(characterCoverage)"], bench: "tokenizer-train")
            let f = out.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
            return (f[0], f[1] / 1024)
        }
        let spm = try peer("spm")
        let hf = try peer("hf")
        let cmp = try PythonPeerScript.run(Self.compareScript, [dir + "/ko.model", dir + "/spm.model", input], bench: "tokenizer-train")
            .split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }

        print("tokenizer-train: \(input), vocab \(vocabSize), coverage \(characterCoverage), \(threads) threads")
        print("| trainer | wall s | peak RSS MB | wall vs spm | RSS vs spm |")
        print("|---|---:|---:|---:|---:|")
        for (name, wall, rss) in [("ko-llama (native)", koWall, koRSS), ("spm_train (sentencepiece)", spm.wall, spm.rss), ("HF tokenizers BpeTrainer", hf.wall, hf.rss)] {
            print(String(format: "| %@ | %.2f | %.0f | %.2fx | %.2fx |", name, wall, rss, wall / spm.wall, rss / spm.rss))
        }
        let t = result.timings
        print(String(format: "ko-llama phases: read+count %.2f s, alphabet %.2f s, pair stats %.2f s, merges %.2f s, save %.2f s; %d distinct words",
                     t.readAndCount, t.alphabet, t.pairStatistics, t.merges, t.save, result.distinctWords))
        print(String(format: "piece overlap with spm: %.4f%%; tokens on the first 20,000 lines: ko-llama %.0f, spm %.0f (%.3f%% difference, %.0f characters)",
                     cmp[0] * 100, cmp[1], cmp[2], (cmp[1] / cmp[2] - 1) * 100, cmp[3]))
    }
}
