import Corpus
import Foundation
import Tokenization

/// What `ko-llama pack` wrote: per split, documents and tokens, plus what they were made from.
public struct PackManifest: Codable, Sendable, Equatable {
    public struct Split: Codable, Sendable, Equatable {
        public var prefix: String
        public var documents: Int
        public var tokens: Int
        public var skippedLines: Int
        public var inputShards: [String]
    }

    public var formatVersion = 1
    public var format = "megatron-mmidx-v1"
    public var dtype: TokenDType
    public var tokenizer: String
    public var tokenizerSHA256: String
    public var vocabularySize: Int
    public var bosID: Int32?
    public var eosID: Int32?
    public var addBOS: Bool
    /// Block length the training loader is to cut (`--seq-len`); the datasets keep whole documents.
    public var seqLen: Int
    public var corpusManifestSHA256: String?
    public var splits: [String: Split]

    /// One line for the log: documents, tokens and skipped lines per split.
    public var summary: String {
        let sorted = splits.sorted { $0.key < $1.key }
        let counts = sorted.map { "\($0.key) \($0.value.documents) documents / \($0.value.tokens) tokens (\($0.value.skippedLines) invalid lines skipped)" }
        return "pack: " + counts.joined(separator: ", ") + ", dtype \(dtype), seq-len \(seqLen) -> "
            + sorted.map { $0.value.prefix + ".{bin,idx}" }.joined(separator: " ")
    }
}

/// Encodes a cleaned corpus (`<corpus>/clean/{train,valid}/*.jsonl.gz`) with a tokenizer of
/// either family (`TokenizerLoader`) on both cores and writes one Megatron indexed dataset per split
/// (`PREFIX_train.bin/.idx`, `PREFIX_valid.bin/.idx`), each document followed by EOS (and
/// optionally preceded by BOS), plus `PREFIX_manifest.json`. Splits are kept apart: each
/// dataset holds only its own split's documents. The training split must exist and yield
/// documents; valid may be missing (`clean` leaves out a split no document fell into) and is
/// then written empty. A split whose shards yield no document is an error (all lines invalid,
/// e.g. documents without `metadata`), and nothing is written unless every split packs.
public struct CorpusPacker {
    public let tokenizerPath: String
    public let processor: any TextTokenizer
    public var addBOS = false
    public var threads = 2
    /// Documents encoded per batch (bounds memory: one batch of texts and ids at a time).
    public var batchSize = 256
    /// Recorded in the manifest for the training loader.
    public var seqLen = 2048

    public init(tokenizerPath: String) throws {
        self.tokenizerPath = try TokenizerLoader.file(for: tokenizerPath)
        processor = try TokenizerLoader.load(path: self.tokenizerPath)
    }

    public func pack(corpus: String, outputPrefix: String, progress: ProgressReporter? = nil) throws -> PackManifest {
        guard let eos = processor.eosId else {
            throw TokenizationError.invalidModel(path: tokenizerPath, detail: "the tokenizer has no EOS token (</s>, or eos_token in tokenizer_config.json) to end documents with")
        }
        let dtype = TokenDType.fitting(vocabularySize: processor.vocabularySize)
        var splits: [String: PackManifest.Split] = [:]
        var writers: [IndexedDatasetWriter] = []
        for name in ["train", "valid"] {
            let split = try CorpusSplit(corpus: corpus, name: name)
            let shards = name == "train" || split.exists ? try split.shards() : []
            let prefix = outputPrefix + "_" + name
            let writer = try IndexedDatasetWriter(prefix: prefix, dtype: dtype)
            var skipped = 0
            var firstSkipped: CorpusError?
            var batch: [[UInt8]] = []
            func flush() throws {
                for ids in try processor.encode(lines: batch, threads: threads) {
                    var doc: [Int32] = []
                    doc.reserveCapacity(ids.count + 2)
                    if addBOS, let bos = processor.bosId { doc.append(bos) }
                    doc += ids
                    doc.append(eos)
                    try writer.append(doc)
                }
                progress?.advance(by: batch.count)
                batch.removeAll(keepingCapacity: true)
            }
            for shard in shards {
                let reader = try DocumentShardReader(path: shard)
                while let doc = try reader.next(skippingInvalid: true) {
                    batch.append(Array(doc.text.utf8))
                    if batch.count >= batchSize { try flush() }
                }
                skipped += reader.skippedLines.count
                firstSkipped = firstSkipped ?? reader.skippedLines.first
            }
            try flush()
            guard writer.documentCount > 0 || (name != "train" && shards.isEmpty) else {
                throw CorpusSplitError.noDocuments(path: split.directory, skippedLines: skipped, firstSkipped: firstSkipped.map { "\($0)" })
            }
            writers.append(writer)
            splits[name] = .init(prefix: prefix, documents: writer.documentCount, tokens: writer.tokenCount,
                                 skippedLines: skipped, inputShards: shards)
        }
        for writer in writers { try writer.finish() }
        let corpusManifest = corpus + "/clean/manifest.json"
        let manifest = PackManifest(
            dtype: dtype, tokenizer: tokenizerPath,
            tokenizerSHA256: DigestEncoding.hex(SHA256.hash(try FileSystem.readAll(tokenizerPath))),
            vocabularySize: processor.vocabularySize, bosID: processor.bosId, eosID: eos, addBOS: addBOS, seqLen: seqLen,
            corpusManifestSHA256: FileSystem.exists(corpusManifest) ? DigestEncoding.hex(SHA256.hash(try FileSystem.readAll(corpusManifest))) : nil,
            splits: splits)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFileWriter.write([UInt8](try encoder.encode(manifest)) + [0x0A], to: outputPrefix + "_manifest.json")
        return manifest
    }
}
