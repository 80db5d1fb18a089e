import Corpus
import Foundation
import TestSupport

/// What the packing tests share: a real tokenizer, Korean text, and an independent reader of
/// the Megatron format.
enum PackingFixtures {
    /// Trains a small BPE model with the `sentencepiece` package on the committed Korean fixture
    /// (identity normalization and kept whitespace, so decode(encode(text)) == text); returns its path.
    static func trainTokenizer(in dir: TemporaryDirectory) throws -> String {
        try PythonPeer.require("sentencepiece")
        try PythonPeer.run("""
            import sys, sentencepiece as spm
            spm.SentencePieceTrainer.train(input=sys.argv[1], model_prefix=sys.argv[2], vocab_size=2000, model_type='bpe',
                normalization_rule_name='identity', byte_fallback=True, remove_extra_whitespaces=False, minloglevel=2)
            """, [repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-train.txt", dir.file("ko")])
        return dir.file("ko.model")
    }

    /// A cleaned corpus as `ko-llama clean` leaves it (train and valid shards of Korean documents
    /// with metadata, `clean/manifest.json`) and the tokenizer, in a temporary directory.
    struct CleanCorpus {
        let dir: TemporaryDirectory
        let model: String
        let documents: [String: [Document]]
        var path: String { dir.file("corpus") }
    }

    static func cleanCorpus() throws -> CleanCorpus {
        let dir = try TemporaryDirectory()
        let model = try trainTokenizer(in: dir)
        let lines = try heldoutLines()
        var documents: [String: [Document]] = ["train": [], "valid": []]
        for (i, chunk) in stride(from: 0, to: min(lines.count, 120), by: 3).enumerated() {
            let text = lines[chunk..<min(chunk + 3, lines.count)].joined(separator: "\n\n")
            documents[i % 5 == 0 ? "valid" : "train"]!.append(
                Document(id: "d\(i)", text: text, source: "test", added: "2026-11-25", metadata: ["title": .string("문서 \(i)")]))
        }
        for (split, docs) in documents {
            let w = try DocumentShardWriter(path: dir.file("corpus/clean/\(split)/run-0001-00000.jsonl.gz"))
            for d in docs { try w.write(d) }
            try w.finish()
        }
        try AtomicFileWriter.write("""
            {"format": 1, "indexedDocuments": \(documents.values.map(\.count).reduce(0, +)), "splits": {"train": {"documents": \(documents["train"]!.count)}, "valid": {"documents": \(documents["valid"]!.count)}}}

            """, to: dir.file("corpus/clean/manifest.json"))
        return CleanCorpus(dir: dir, model: model, documents: documents)
    }

    /// Non-empty lines of held-out Korean Wikipedia text.
    static func heldoutLines() throws -> [String] {
        String(decoding: try FileSystem.readAll(repositoryRoot + "/Tests/Fixtures/tokenizer/kowiki-heldout.txt"), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// The ids the `sentencepiece` package gives each text (no BOS/EOS).
    static func referenceEncoding(model: String, _ texts: [String]) throws -> [[Int32]] {
        let out = try PythonPeer.run("""
            import sys, json, sentencepiece as spm
            sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
            print(json.dumps([sp.encode(t) for t in json.load(sys.stdin)]))
            """, [model], stdin: String(decoding: try JSONEncoder().encode(texts), as: UTF8.self))
        return try JSONDecoder().decode([[Int32]].self, from: Data(out.utf8))
    }

    /// What an independent numpy reader of the published layout (Megatron-LM's `_IndexReader`)
    /// finds in `PREFIX.idx` / `PREFIX.bin`.
    struct NumpyView: Decodable, Equatable {
        var dtype: String
        var sequences: [[Int32]]
        var documentIndex: [Int]
    }

    static func readWithNumpy(prefix: String) throws -> NumpyView {
        try PythonPeer.require("numpy")
        let out = try PythonPeer.run("""
            import sys, json, struct, numpy as np
            p = sys.argv[1]
            with open(p + '.idx', 'rb') as f:
                assert f.read(9) == b'MMIDIDX\\x00\\x00'
                version, = struct.unpack('<Q', f.read(8)); assert version == 1
                code, = struct.unpack('<B', f.read(1))
                n, = struct.unpack('<Q', f.read(8)); ndoc, = struct.unpack('<Q', f.read(8))
                off = f.tell()
            dtype = {4: np.int32, 8: np.uint16}[code]
            buf = np.memmap(p + '.idx', mode='r', order='C')
            sizes = np.frombuffer(buf, dtype=np.int32, count=n, offset=off)
            ptrs = np.frombuffer(buf, dtype=np.int64, count=n, offset=off + sizes.nbytes)
            docidx = np.frombuffer(buf, dtype=np.int64, count=ndoc, offset=off + sizes.nbytes + ptrs.nbytes)
            data = np.memmap(p + '.bin', mode='r', dtype=dtype) if n and sizes.sum() else np.zeros(0, dtype=dtype)
            isz = np.dtype(dtype).itemsize
            seqs = [data[ptrs[i] // isz: ptrs[i] // isz + sizes[i]].tolist() for i in range(n)]
            print(json.dumps({'dtype': np.dtype(dtype).name, 'sequences': seqs, 'documentIndex': docidx.tolist()}))
            """, [prefix])
        return try JSONDecoder().decode(NumpyView.self, from: Data(out.utf8))
    }

    /// SHA-256 of a file, computed by Python's hashlib.
    static func sha256(_ path: String) throws -> String {
        try PythonPeer.run("import sys, hashlib; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())", [path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
