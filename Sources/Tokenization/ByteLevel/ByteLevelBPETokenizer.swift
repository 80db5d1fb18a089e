import Corpus
import Foundation

/// Encodes and decodes with a Hugging Face byte-level BPE `tokenizer.json` (GPT-2, SmolLM,
/// LLaMA-3, Qwen2), giving the ids of the `tokenizers` package's `Tokenizer.encode(text,
/// add_special_tokens=False)` and the text of its `decode(ids)` (special tokens skipped): added
/// tokens are cut out of the raw text first (`normalized` ones after the normalizer), the
/// pre-tokenizer splits the rest (`PreTokenizerPipeline`), and in each piece the bytes are merged
/// by rank, lowest first and leftmost on ties (`BPE::merge_word`), or the whole piece is emitted
/// when it is a token and `ignore_merges` is set. Works on raw bytes: the byte-level characters of
/// tokenizer.json are turned back into bytes once, at load.
public final class ByteLevelBPETokenizer: Sendable {
    public let file: HuggingFaceTokenizerFile
    public let path: String
    public let bosId: Int32?
    public let eosId: Int32?
    public let padId: Int32?
    /// The bytes each id decodes to (the token's own UTF-8 when it is not in byte-level characters).
    private let decodeBytes: PieceTable
    /// Model tokens spelled in byte-level characters, by their bytes (`mergeableIds` gives the id).
    private let mergeable: PieceTable
    private let mergeableIds: [Int32]
    /// The token of each byte, or -1 when the vocabulary has none.
    private let byteIds: [Int32]
    /// (left id, right id) -> merge rank; `mergeResult[rank]` is the merged token.
    private let pairs: PairMergeTable
    private let mergeResult: [Int32]
    private let special: [Bool]
    private let rawTokens: AddedTokenMatcher?
    private let normalizedTokens: AddedTokenMatcher?

    /// Special tokens named by a tokenizer_config.json or special_tokens_map.json.
    public struct SpecialTokens: Sendable, Equatable {
        public var bos: String?
        public var eos: String?
        public var pad: String?
        public init(bos: String? = nil, eos: String? = nil, pad: String? = nil) {
            self.bos = bos
            self.eos = eos
            self.pad = pad
        }
    }

    /// Loads `path`, a tokenizer.json; when it is named `tokenizer.json`, the special tokens come
    /// from `tokenizer_config.json` (or `special_tokens_map.json`) beside it.
    public convenience init(path: String) throws {
        let folder = FileSystem.directoryName(of: path)
        let specials = path.hasSuffix("/tokenizer.json") || path == "tokenizer.json"
            ? try Self.specialTokens(folder: folder.isEmpty ? "." : folder) : SpecialTokens()
        try self.init(file: HuggingFaceTokenizerFile.load(path: path), path: path, specialTokens: specials)
    }

    /// - Parameter path: names the tokenizer in errors.
    public init(file: HuggingFaceTokenizerFile, path: String = "<tokenizer.json>", specialTokens: SpecialTokens = SpecialTokens()) throws {
        self.file = file
        self.path = path
        let vocabulary = file.vocabulary
        guard vocabulary.count <= Int(PairMergeTable.maximumValue) else {
            throw TokenizationError.unsupportedModel(path: path, detail: "\(vocabulary.count) tokens (at most \(PairMergeTable.maximumValue) are implemented)")
        }
        var decode: [[UInt8]] = []
        var mergeableBytes: [[UInt8]] = []
        var mergeableIds: [Int32] = []
        var idOf: [String: Int32] = [:]
        for (id, token) in vocabulary.enumerated() {
            let bytes = ByteLevelAlphabet.bytes(of: token)
            decode.append(bytes ?? Array(token.utf8))
            if let bytes, file.inModel[id], !bytes.isEmpty {
                mergeableBytes.append(bytes)
                mergeableIds.append(Int32(id))
            }
            if file.inModel[id] && idOf[token] == nil { idOf[token] = Int32(id) }
        }
        decodeBytes = PieceTable(byteStrings: decode)
        mergeable = PieceTable(byteStrings: mergeableBytes)
        self.mergeableIds = mergeableIds
        // A byte without a token is dropped, as `tokenizers` drops a character missing from the
        // vocabulary when there is no unk token (SmolLM2 lacks 21 bytes, e.g. 0x04 and 0xF5...0xFF).
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let k = mergeable.id([UInt8(b)])
            if k >= 0 { byteIds[b] = mergeableIds[Int(k)] }
        }
        self.byteIds = byteIds
        var entries: [(left: Int32, right: Int32, value: Int32)] = []
        var result: [Int32] = []
        entries.reserveCapacity(file.merges.count)
        for (rank, m) in file.merges.enumerated() {
            guard let l = idOf[m.left], let r = idOf[m.right] else {
                throw TokenizationError.invalidModel(path: path, detail: "merge \(rank) (\(JSONString.literal(m.left)) \(JSONString.literal(m.right))) names a token that model.vocab lacks")
            }
            guard let merged = idOf[m.left + m.right] else {
                throw TokenizationError.invalidModel(path: path, detail: "merge \(rank) makes \(JSONString.literal(m.left + m.right)), which model.vocab lacks")
            }
            guard rank < Int(PairMergeTable.maximumValue) else {
                throw TokenizationError.unsupportedModel(path: path, detail: "more than \(PairMergeTable.maximumValue) merges")
            }
            entries.append((l, r, Int32(result.count)))
            result.append(merged)
        }
        pairs = PairMergeTable(entries: entries)
        mergeResult = result
        var special = [Bool](repeating: false, count: vocabulary.count)
        for t in file.addedTokens where t.special { special[Int(t.id)] = true }
        self.special = special
        rawTokens = AddedTokenMatcher(tokens: file.addedTokens.filter { !$0.normalized })
        normalizedTokens = AddedTokenMatcher(tokens: file.addedTokens.filter { $0.normalized })
        func id(_ token: String?, _ role: String) throws -> Int32? {
            guard let token else { return nil }
            if let t = file.addedTokens.first(where: { $0.content == token }) { return t.id }
            if let i = idOf[token] { return i }
            throw TokenizationError.invalidModel(path: path, detail: "the \(role) token \(JSONString.literal(token)) of the tokenizer config is not in the vocabulary")
        }
        bosId = try id(specialTokens.bos, "bos")
        eosId = try id(specialTokens.eos, "eos")
        padId = try id(specialTokens.pad, "pad")
    }

    /// The bos, eos and pad tokens of `tokenizer_config.json` (or else `special_tokens_map.json`) in `folder`.
    public static func specialTokens(folder: String) throws -> SpecialTokens {
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let file = folder + "/" + name
            guard FileSystem.exists(file) else { continue }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(try FileSystem.readAll(file))) } catch {
                throw TokenizationError.invalidModel(path: file, detail: "not JSON: \(error)")
            }
            guard let root = object as? [String: Any] else { throw TokenizationError.invalidModel(path: file, detail: "the top level is not an object") }
            func token(_ key: String) -> String? {
                if let s = root[key] as? String { return s }
                return (root[key] as? [String: Any])?["content"] as? String
            }
            return SpecialTokens(bos: token("bos_token"), eos: token("eos_token"), pad: token("pad_token"))
        }
        return SpecialTokens()
    }

    public var vocabularySize: Int { file.vocabulary.count }

    /// The token as tokenizer.json spells it (byte-level characters, e.g. `Ġthe`).
    public func piece(_ id: Int) -> String { file.vocabulary[id] }

    /// The id of `token` (spelled as in tokenizer.json), or nil.
    public func id(of token: String) -> Int32? {
        if let t = file.addedTokens.first(where: { $0.content == token }) { return t.id }
        guard let bytes = ByteLevelAlphabet.bytes(of: token) else { return nil }
        let k = mergeable.id(bytes)
        return k >= 0 ? mergeableIds[Int(k)] : nil
    }

    /// The bytes `id` stands for.
    public func bytes(of id: Int) -> ArraySlice<UInt8> { decodeBytes.bytes(of: id) }

    public func isSpecial(_ id: Int32) -> Bool { special[Int(id)] }

    // MARK: Encoding

    /// Reusable buffers for one encoding thread.
    struct Scratch {
        var segments: [(start: Int, end: Int, token: Int32)] = []
        var normalizedSegments: [(start: Int, end: Int, token: Int32)] = []
        var normalized: [UInt8] = []
        var pre = PreTokenizerPipeline.Scratch()
        var symbolId: [Int32] = []
        var length: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var agenda = MergeAgenda()
        var pieceIds: [Int32] = []
        var cache = SegmentCache()
    }

    /// Ids for `text`, without a BOS or any template.
    public func encode(_ text: String) -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        var copy = text
        copy.withUTF8 { encodeValidated($0, scratch: &scratch, into: &out) }
        return out
    }

    /// Ids for UTF-8 `bytes`; invalid UTF-8 throws `TokenizationError.invalidUTF8`.
    public func encode(bytes: [UInt8]) throws -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        try encode(bytes: bytes, line: nil, scratch: &scratch, into: &out)
        return out
    }

    private func encode(bytes: [UInt8], line: Int?, scratch: inout Scratch, into out: inout [Int32]) throws {
        try bytes.withUnsafeBufferPointer { input in
            if let bad = UTF8Scanner.firstInvalidOffset(input) { throw TokenizationError.invalidUTF8(line: line, byteOffset: bad) }
            encodeValidated(input, scratch: &scratch, into: &out)
        }
    }

    /// Encodes many lines on `threads` threads; results keep the input order.
    public func encode(lines: [[UInt8]], threads: Int = 2) throws -> [[Int32]] {
        try ParallelLineEncoder.encode(lines: lines, threads: threads, makeScratch: { Scratch() }) { line, number, scratch, out in
            try encode(bytes: line, line: number, scratch: &scratch, into: &out)
        }
    }

    private func encodeValidated(_ input: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into out: inout [Int32]) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        scratch.segments.removeAll(keepingCapacity: true)
        if let rawTokens {
            rawTokens.split(base, 0, input.count, into: &scratch.segments)
        } else {
            scratch.segments.append((0, input.count, -1))
        }
        let segments = scratch.segments
        for segment in segments {
            if segment.token >= 0 {
                out.append(segment.token)
                continue
            }
            let text = UnsafeBufferPointer(rebasing: input[segment.start..<segment.end])
            if file.normalizeNFC {
                scratch.normalized = HuggingFaceTokenizerFile.nfc(text)
                let normalized = scratch.normalized
                normalized.withUnsafeBufferPointer { encodeNormalized($0, scratch: &scratch, into: &out) }
            } else {
                encodeNormalized(text, scratch: &scratch, into: &out)
            }
        }
    }

    private func encodeNormalized(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into out: inout [Int32]) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        guard let normalizedTokens else {
            encodePieces(text, scratch: &scratch, into: &out)
            return
        }
        scratch.normalizedSegments.removeAll(keepingCapacity: true)
        normalizedTokens.split(base, 0, text.count, into: &scratch.normalizedSegments)
        let segments = scratch.normalizedSegments
        for segment in segments {
            if segment.token >= 0 { out.append(segment.token) } else {
                encodePieces(UnsafeBufferPointer(rebasing: text[segment.start..<segment.end]), scratch: &scratch, into: &out)
            }
        }
    }

    /// Pre-tokenizes `text` and appends each piece's BPE ids.
    private func encodePieces(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into out: inout [Int32]) {
        file.preTokenizer.run(text, scratch: &scratch.pre)
        let bytes = scratch.pre.bytes, bounds = scratch.pre.bounds
        bytes.withUnsafeBufferPointer { b in
            for (s, e) in bounds { encodeWord(b.baseAddress! + s, e - s, scratch: &scratch, into: &out) }
        }
    }

    /// The BPE of `bytes` as one pre-tokenized word (no added tokens, normalizer or pre-tokenizer).
    func encodeWord(bytes: [UInt8]) -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        bytes.withUnsafeBufferPointer { if let b = $0.baseAddress { encodeWord(b, $0.count, scratch: &scratch, into: &out) } }
        return out
    }

    private func encodeWord(_ w: UnsafePointer<UInt8>, _ n: Int, scratch: inout Scratch, into out: inout [Int32]) {
        if n == 1 {
            if byteIds[Int(w[0])] >= 0 { out.append(byteIds[Int(w[0])]) }
            return
        }
        if file.ignoreMerges {
            let k = mergeable.id(w, n)
            if k >= 0 {
                out.append(mergeableIds[Int(k)])
                return
            }
        }
        let cacheable = n <= SegmentCache.maxSegmentBytes
        let hash = cacheable ? SegmentCache.hash(w, n) : 0
        if cacheable, let cached = scratch.cache.lookup(w, n, hash: hash) {
            for k in cached { out.append(scratch.cache.pieces[k].id) }
            return
        }
        merge(w, n, scratch: &scratch)
        out.append(contentsOf: scratch.pieceIds)
        if cacheable {
            let zeros = [Int32](repeating: 0, count: scratch.pieceIds.count)
            scratch.cache.insert(w, n, hash: hash, starts: zeros, lengths: zeros, ids: scratch.pieceIds)
        }
    }

    /// BPE over the `n` bytes at `w`: the lowest-ranked adjacent pair merges first, the leftmost
    /// of equal ranks; leaves the final ids in `scratch.pieceIds`.
    private func merge(_ w: UnsafePointer<UInt8>, _ n: Int, scratch: inout Scratch) {
        if scratch.symbolId.count < n {
            for k in [\Scratch.symbolId, \Scratch.length, \Scratch.previous, \Scratch.next] {
                scratch[keyPath: k] = [Int32](repeating: 0, count: n)
            }
        }
        scratch.agenda.removeAll()
        scratch.pieceIds.removeAll(keepingCapacity: true)
        scratch.symbolId.withUnsafeMutableBufferPointer { symbolId in
        scratch.length.withUnsafeMutableBufferPointer { length in
        scratch.previous.withUnsafeMutableBufferPointer { previous in
        scratch.next.withUnsafeMutableBufferPointer { next in
            var count = 0
            for k in 0..<n where byteIds[Int(w[k])] >= 0 {
                symbolId[count] = byteIds[Int(w[k])]
                length[count] = 1
                previous[count] = Int32(count - 1)
                next[count] = Int32(count + 1)
                count += 1
            }
            if count == 0 { return }
            next[count - 1] = -1
            var initial = true
            func consider(_ left: Int32, _ right: Int32) {
                if left < 0 || right < 0 { return }
                let rank = pairs.merged(symbolId[Int(left)], symbolId[Int(right)])
                if rank < 0 { return }
                let candidate = MergeAgenda.Candidate(score: -Float(rank), left: left, right: right,
                                                      size: length[Int(left)] + length[Int(right)], id: mergeResult[Int(rank)])
                if initial { scratch.agenda.appendUnordered(candidate) } else { scratch.agenda.push(candidate) }
            }
            for k in 1..<count { consider(Int32(k - 1), Int32(k)) }
            initial = false
            scratch.agenda.heapify()
            while let top = scratch.agenda.pop() {
                guard MergeAgenda.apply(top, length: length, symbolId: symbolId, previous: previous, next: next) else { continue }
                consider(previous[Int(top.left)], top.left)
                consider(top.left, next[Int(top.left)])
            }
            var k: Int32 = 0
            while k >= 0 {
                scratch.pieceIds.append(symbolId[Int(k)])
                k = next[Int(k)]
            }
        }
        }
        }
        }
    }

    // MARK: Decoding

    /// Text for `ids` as `tokenizers` decodes it with `skip_special_tokens=True`: the bytes of
    /// each token back to back, invalid UTF-8 replaced by U+FFFD (Rust's `from_utf8_lossy`).
    public func decode(_ ids: [Int32]) throws -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard id >= 0 && Int(id) < vocabularySize else { throw TokenizationError.idOutOfRange(id: Int(id), vocabularySize: vocabularySize) }
            if special[Int(id)] { continue }
            bytes.append(contentsOf: decodeBytes.bytes(of: Int(id)))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
