import Corpus
import Foundation

/// Why `model resize` refused: a vocabulary that would shrink, or a `new_token_init.jsonl` that
/// is missing or does not fit the rows being added. Each names the file (and line).
public enum ModelResizeError: Error, Sendable, Equatable, CustomStringConvertible {
    case vocabularyShrinks(tokenizer: String, tokenizerSize: Int, model: String, modelSize: Int)
    /// `line` is 1-based, nil for the whole file.
    case newTokenInit(path: String, line: Int?, detail: String)

    public var description: String {
        switch self {
        case let .vocabularyShrinks(tokenizer, tokenizerSize, model, modelSize):
            return "\(tokenizer): the tokenizer has \(tokenizerSize) tokens, fewer than the \(modelSize) rows of \(model); resize only adds rows"
        case let .newTokenInit(path, line, detail):
            return line.map { "\(path): line \($0): \(detail)" } ?? "\(path): \(detail)"
        }
    }
}

/// Grows `embed_tokens` and `lm_head` of a LLaMA model to a larger vocabulary, as
/// transformers' `resize_token_embeddings` does: the old rows are kept bit for bit, the new rows
/// appended at the end; a tied model has one matrix to grow. How new rows start:
/// - `subwordMean`: row i is the mean of the base rows its piece used to split into (the
///   `base_ids` of `new_token_init.jsonl`, duplicates counted), per matrix — the Chinese-LLaMA /
///   Ko-LLaMA practice; the head gets the mean of the same ids' head rows.
/// - `mean`: every new row is the mean of all old rows of its matrix. transformers 5
///   (`_init_added_embeddings_weights_with_mean`) samples from N(mean, 1e-9 * covariance) when
///   that covariance is positive definite and takes the mean itself otherwise; the mean alone is
///   used here, deterministic, and within about 3e-5 standard deviations of transformers' draw.
/// - `random`: normal(0, initializer_range), transformers' `_init_weights` for fresh rows, from
///   the seeded stream `ModelInitializer` uses (embedding rows first, then head rows).
public enum EmbeddingResizer {
    public enum Initialization: Sendable, Equatable {
        /// For each new row (id base, base+1, ...), the base ids of its piece.
        case subwordMean([[Int32]])
        case mean
        case random(seed: UInt64)

        public var name: String {
            switch self {
            case .subwordMean: return "subword-mean"
            case .mean: return "mean"
            case .random: return "random"
            }
        }
    }

    /// `tensors` (the config's weights) with the embedding and head grown to `vocabularySize`
    /// rows, and the config saying so. `subwordMean` must list one entry per new row.
    public static func resize(config: LlamaConfig, tensors: [NamedTensor], vocabularySize: Int,
                              initialization: Initialization) -> (config: LlamaConfig, tensors: [NamedTensor]) {
        let old = config.vocabSize, h = config.hiddenSize, added = vocabularySize - old
        precondition(added >= 0, "resize only adds rows")
        var normal = NormalSampler(seed: { if case let .random(seed) = initialization { return seed } else { return 0 } }())
        var resized = config
        resized.vocabSize = vocabularySize
        let out = tensors.map { t -> NamedTensor in
            guard t.name == "model.embed_tokens.weight" || t.name == "lm_head.weight" else { return t }
            var values = t.values
            values.reserveCapacity(vocabularySize * h)
            switch initialization {
            case let .subwordMean(pieces):
                precondition(pieces.count == added, "one piece list per new row")
                for ids in pieces { values += mean(of: ids.lazy.map(Int.init), in: t.values, width: h) }
            case .mean:
                let row = mean(of: 0..<old, in: t.values, width: h)
                for _ in 0..<added { values += row }
            case .random:
                let std = Double(config.initializerRange)
                for _ in 0..<(added * h) { values.append(Float(std * normal.next())) }
            }
            return NamedTensor(name: t.name, shape: [vocabularySize, h], values: values)
        }
        return (resized, out)
    }

    /// The mean of `rows` of a row-major matrix `width` wide, accumulated in Double.
    static func mean(of rows: some Collection<Int>, in matrix: [Float], width: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: width)
        for r in rows {
            for j in 0..<width { sum[j] += Double(matrix[r * width + j]) }
        }
        return sum.map { Float($0 / Double(rows.count)) }
    }
}

/// `new_token_init.jsonl` as `tokenizer merge` writes it beside the merged tokenizer
/// (`MergedTokenizerWriter`): one line per appended piece, `{"id": N, "piece": "...",
/// "base_ids": [...]}`, where `base_ids` is how the base tokenizer splits the piece.
public enum NewTokenInitFile {
    public static let fileName = "new_token_init.jsonl"
    /// A bound on the file: a 20,000-piece merge writes about 2 MB.
    static let maximumBytes = 256 << 20

    private struct Line: Decodable {
        let id: Int
        let baseIds: [Int]
        enum CodingKeys: String, CodingKey { case id, baseIds = "base_ids" }
    }

    /// The base ids of every new row `baseVocabularySize..<vocabularySize`, in id order. Every
    /// row must be listed once, each base id must be an old row, none may be empty.
    public static func read(path: String, baseVocabularySize: Int, vocabularySize: Int) throws -> [[Int32]] {
        func fail(_ line: Int?, _ detail: String) -> ModelResizeError { .newTokenInit(path: path, line: line, detail: detail) }
        guard FileSystem.exists(path) else {
            throw fail(nil, "missing: --init subword-mean needs the file `tokenizer merge` writes beside the merged tokenizer (or use --init mean|random)")
        }
        let size = try FileSystem.fileSize(path)
        guard size <= maximumBytes else { throw fail(nil, "\(size) bytes, more than the \(maximumBytes) allowed") }
        let bytes = try FileSystem.readAll(path)
        let rows = baseVocabularySize..<vocabularySize
        var pieces = [[Int32]?](repeating: nil, count: rows.count)
        let decoder = JSONDecoder()
        for (index, text) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !text.isEmpty {
            let number = index + 1
            guard let line = try? decoder.decode(Line.self, from: Data(text)) else {
                throw fail(number, "not a JSON object with an integer \"id\" and a list of integer \"base_ids\"")
            }
            guard rows.contains(line.id) else {
                throw fail(number, "id \(line.id) is not one of the new rows \(rows.lowerBound)..<\(rows.upperBound) (model vocabulary \(baseVocabularySize), tokenizer \(vocabularySize))")
            }
            guard pieces[line.id - rows.lowerBound] == nil else { throw fail(number, "id \(line.id) is listed twice") }
            guard !line.baseIds.isEmpty else { throw fail(number, "id \(line.id) has no base_ids") }
            if let bad = line.baseIds.first(where: { !(0..<baseVocabularySize).contains($0) }) {
                throw fail(number, "base id \(bad) of id \(line.id) is outside the model's vocabulary 0..<\(baseVocabularySize)")
            }
            pieces[line.id - rows.lowerBound] = line.baseIds.map { Int32($0) }
        }
        if let missing = pieces.firstIndex(where: { $0 == nil }) {
            throw fail(nil, "lists \(pieces.compactMap { $0 }.count) of the \(rows.count) new rows; id \(rows.lowerBound + missing) is missing")
        }
        return pieces.map { $0! }
    }
}

/// `resize.json`, written by `model resize` into the resized folder: where the new rows start
/// (`base_vocab_size`, what `pretrain --train-embeddings new-rows` trains from), how many there
/// are, how they started and from which tokenizer.
public struct ResizeRecord: Sendable, Equatable {
    public static let fileName = "resize.json"

    public var baseVocabSize: Int
    public var vocabSize: Int
    /// `subword-mean`, `mean` or `random`.
    public var initialization: String
    public var tokenizer: String
    /// The seed of `random`.
    public var seed: UInt64?

    public init(baseVocabSize: Int, vocabSize: Int, initialization: String, tokenizer: String, seed: UInt64? = nil) {
        self.baseVocabSize = baseVocabSize
        self.vocabSize = vocabSize
        self.initialization = initialization
        self.tokenizer = tokenizer
        self.seed = seed
    }

    public var newTokens: Int { vocabSize - baseVocabSize }

    /// The JSON (sorted keys, indent 2): base_vocab_size, init, new_tokens, seed (random only), tokenizer, vocab_size.
    public var jsonText: String {
        var pairs: [(String, JSONText)] = [("base_vocab_size", .int(baseVocabSize)), ("init", .string(initialization)),
                                           ("new_tokens", .int(newTokens)), ("tokenizer", .string(tokenizer)), ("vocab_size", .int(vocabSize))]
        // Seeds above 2^53 would lose digits in readers that parse numbers as doubles.
        if let seed { pairs.append(("seed", seed <= 1 << 53 ? .int(Int(seed)) : .string(String(seed)))) }
        return JSONText.object(pairs).pretty
    }

    /// The record of the resized model folder at `folder`, nil when it has none.
    public static func load(folder: String) throws -> ResizeRecord? {
        let path = folder + "/" + fileName
        guard FileSystem.exists(path) else { return nil }
        let json = try ConfigObject.read(path)
        let record = ResizeRecord(baseVocabSize: try json.positiveInt("base_vocab_size"), vocabSize: try json.positiveInt("vocab_size"),
                                  initialization: try json.string("init"), tokenizer: try json.string("tokenizer"),
                                  seed: try json.optionalInt("seed").flatMap { UInt64(exactly: $0) })
        guard record.vocabSize >= record.baseVocabSize else {
            throw json.error("vocab_size", "\(record.vocabSize) is below base_vocab_size \(record.baseVocabSize)")
        }
        return record
    }
}
