import Corpus
import Foundation

/// Encodes text to token ids and decodes ids to text with a SentencePiece BPE model, giving the
/// same ids as google/sentencepiece's `SentencePieceProcessor` (`sentencepiece_processor.cc`,
/// `bpe_model.cc`): normalize, split into characters (user-defined symbols whole and frozen),
/// merge the adjacent pair whose merged piece has the highest score (leftmost first on ties),
/// resegment UNUSED pieces, then map unknown pieces to `<0xXX>` byte pieces (byte fallback) or
/// to one `<unk>` per run of unknowns. Works on UTF-8 bytes and integer ids throughout.
public final class SentencePieceProcessor: Sendable {
    public let model: SentencePieceModel
    let table: PieceTable
    private let types: [Sentencepiece_ModelProto.SentencePiece.TypeEnum]
    private let scores: [Float]
    /// Pieces BPE may form by merging: NORMAL, USER_DEFINED and UNUSED (sentencepiece's `pieces_`).
    private let mergeable: [Bool]
    private let pairs: PairMergeTable
    /// Piece id of each single character U+0000...U+FFFF, or -1/-2 (see `init`).
    private let basicPlaneIds: [Int32]
    private let userSymbols: UserDefinedSymbolMatcher?
    let normalizer: SentencePieceNormalizer
    public let unknownId: Int32
    private let byteFallback: Bool
    /// The id of `<0xXX>` for each byte (byte fallback models).
    private let byteIds: [Int32]
    /// The byte a `<0xXX>` piece stands for, or -1.
    private let byteValues: [Int16]
    private let hasUnused: Bool
    private let unknownSurface: [UInt8]
    /// True when each `▁`-run-delimited segment can be encoded alone and its result cached (see
    /// `SegmentCache`): whitespace is escaped as a `▁` prefix, no piece BPE can form or user
    /// symbol spans a point where a `▁` run starts, and no UNUSED pieces (whose resegmentation
    /// sentencepiece keys by piece over the whole line).
    private let segmentsAreIndependent: Bool

    /// Loads `path`: a `.model` file, or a directory holding `tokenizer.model`.
    public convenience init(path: String) throws {
        let file = FileSystem.isDirectory(path) ? path + "/tokenizer.model" : path
        try self.init(model: SentencePieceModel.load(path: file), path: file)
    }

    /// - Parameter path: names the model in errors.
    public init(model: SentencePieceModel, path: String = "<model>") throws {
        let proto = model.proto
        switch proto.trainerSpec.modelType {
        case .bpe: break
        case .unigram:
            throw TokenizationError.unsupportedModel(path: path, detail: "model_type UNIGRAM (only BPE models are implemented)")
        case .word, .char:
            throw TokenizationError.unsupportedModel(path: path, detail: "model_type \(proto.trainerSpec.modelType) (only BPE models are implemented)")
        }
        self.model = model
        let pieces = proto.pieces
        table = PieceTable(pieces: pieces.map(\.piece))
        types = pieces.map(\.type)
        scores = pieces.map(\.score)
        mergeable = pieces.map { $0.type == .normal || $0.type == .userDefined || $0.type == .unused }
        hasUnused = pieces.contains { $0.type == .unused }
        pairs = PairMergeTable(table: table, pieceCount: pieces.count, mergeable: mergeable)
        // -1: not a piece and inside no mergeable piece, so BPE can never merge it (the common
        // case for Hangul under LLaMA); -2: not a piece but inside some piece (look pairs up by bytes).
        var basicPlaneIds = [Int32](repeating: -1, count: 0x10000)
        for (id, p) in pieces.enumerated() where mergeable[id] {
            for u in p.piece.unicodeScalars where u.value < 0x10000 { basicPlaneIds[Int(u.value)] = -2 }
        }
        let table = self.table
        for scalar in 0..<0x10000 {
            guard let u = Unicode.Scalar(UInt32(scalar)) else { continue }
            let bytes = Array(String(Character(u)).utf8)
            let id = bytes.withUnsafeBufferPointer { table.id($0.baseAddress!, $0.count) }
            if id >= 0 { basicPlaneIds[scalar] = id }
        }
        self.basicPlaneIds = basicPlaneIds
        let userDefined = pieces.filter { $0.type == .userDefined }.map(\.piece)
        userSymbols = UserDefinedSymbolMatcher(symbols: userDefined)
        normalizer = try SentencePieceNormalizer(
            spec: proto.normalizerSpec, treatWhitespaceAsSuffix: proto.trainerSpec.treatWhitespaceAsSuffix,
            userSymbols: userSymbols, path: path)
        guard let unk = pieces.firstIndex(where: { $0.type == .unknown }) else {
            throw TokenizationError.invalidModel(path: path, detail: "no <unk> piece")
        }
        unknownId = Int32(unk)
        byteFallback = proto.trainerSpec.byteFallback
        var byteIds = [Int32](repeating: -1, count: 256)
        var byteValues = [Int16](repeating: -1, count: pieces.count)
        for (id, p) in pieces.enumerated() where p.type == .byte {
            let utf8 = Array(p.piece.utf8)
            guard utf8.count == 6, utf8.starts(with: Array("<0x".utf8)), utf8[5] == UInt8(ascii: ">"),
                  let value = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) else {
                throw TokenizationError.invalidModel(path: path, detail: "BYTE piece \(id) \"\(p.piece)\" is not of the form <0xXX>")
            }
            byteIds[Int(value)] = Int32(id)
            byteValues[id] = Int16(value)
        }
        if byteFallback, let missing = byteIds.firstIndex(of: -1) {
            throw TokenizationError.invalidModel(path: path, detail: String(format: "byte_fallback is set but <0x%02X> is missing", missing))
        }
        self.byteIds = byteIds
        self.byteValues = byteValues
        unknownSurface = Array((proto.trainerSpec.hasUnkSurface ? proto.trainerSpec.unkSurface : " \u{2047} ").utf8)
        let spansSegmentStart = pieces.contains { p in
            guard p.type == .normal || p.type == .userDefined else { return false }
            let scalars = Array(p.piece.unicodeScalars)
            return scalars.indices.dropFirst().contains { scalars[$0] == "\u{2581}" && scalars[$0 - 1] != "\u{2581}" }
        }
        segmentsAreIndependent = proto.normalizerSpec.escapeWhitespaces && !proto.trainerSpec.treatWhitespaceAsSuffix
            && !hasUnused && !spansSegmentStart
    }

    public var vocabularySize: Int { types.count }

    public func piece(_ id: Int) -> String { String(decoding: table.bytes(of: id), as: UTF8.self) }

    /// The id of `piece`, or nil when it is not in the vocabulary.
    public func id(of piece: String) -> Int32? {
        let id = table.id(piece.utf8)
        return id >= 0 ? id : nil
    }

    public var bosId: Int32? { controlId(model.proto.trainerSpec.bosPiece) }
    public var eosId: Int32? { controlId(model.proto.trainerSpec.eosPiece) }
    public var padId: Int32? { controlId(model.proto.trainerSpec.padPiece) }

    private func controlId(_ piece: String) -> Int32? {
        guard let id = id(of: piece), types[Int(id)] == .control else { return nil }
        return id
    }

    // MARK: Encoding

    /// Reusable buffers for one encoding thread, so the hot loop allocates nothing per line.
    struct Scratch {
        var normalized: [UInt8] = []
        var start: [Int32] = []
        var length: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var frozen: [Bool] = []
        /// The piece id of each symbol; negative for a character outside the vocabulary (-1 when
        /// no mergeable piece contains it either).
        var symbolId: [Int32] = []
        var agenda = MergeAgenda()
        /// The final segmentation: byte ranges of the normalized text.
        var pieceStart: [Int32] = []
        var pieceLength: [Int32] = []
        var pieceId: [Int32] = []
        /// For UNUSED pieces formed during this line: the pair that formed them (models with UNUSED pieces only).
        var reverseMerges: [Int32: Split] = [:]
        var cache = SegmentCache()
    }

    /// The two halves a merged piece was formed from, as byte ranges of the normalized text.
    struct Split {
        var leftStart: Int32
        var leftLength: Int32
        var rightStart: Int32
        var rightLength: Int32
    }

    /// Ids for `text` (Swift strings are always valid UTF-8).
    public func encode(_ text: String) -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        var copy = text
        copy.withUTF8 { encodeValidated($0, scratch: &scratch, into: &out) }
        return out
    }

    /// Ids for UTF-8 `bytes`; invalid UTF-8 throws `TokenizationError.invalidUTF8`.
    public func encode(bytes: some Collection<UInt8>) throws -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        try encode(bytes: bytes, line: nil, scratch: &scratch, into: &out)
        return out
    }

    func encode(bytes: some Collection<UInt8>, line: Int?, scratch: inout Scratch, into out: inout [Int32]) throws {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try encodeChecked($0, line: line, scratch: &scratch, into: &out) }
        if done == nil {
            try Array(bytes).withUnsafeBufferPointer { try encodeChecked($0, line: line, scratch: &scratch, into: &out) }
        }
    }

    private func encodeChecked(_ input: UnsafeBufferPointer<UInt8>, line: Int?, scratch: inout Scratch, into out: inout [Int32]) throws {
        if let bad = UTF8Scanner.firstInvalidOffset(input) { throw TokenizationError.invalidUTF8(line: line, byteOffset: bad) }
        encodeValidated(input, scratch: &scratch, into: &out)
    }

    /// Encodes many lines on `threads` threads; results keep the input order. An invalid line
    /// throws the error of the first such line (1-based line numbers).
    public func encode(lines: [[UInt8]], threads: Int = 2) throws -> [[Int32]] {
        try ParallelLineEncoder.encode(lines: lines, threads: threads, makeScratch: { Scratch() }) { line, number, scratch, out in
            try encode(bytes: line, line: number, scratch: &scratch, into: &out)
        }
    }

    /// Normalizes and BPE-encodes valid UTF-8, appending ids to `out`.
    func encodeValidated(_ input: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into out: inout [Int32]) {
        scratch.normalized.removeAll(keepingCapacity: true)
        normalizer.normalize(input, into: &scratch.normalized)
        let normalized = scratch.normalized
        normalized.withUnsafeBufferPointer { appendIds(normalized: $0, scratch: &scratch, into: &out) }
    }

    /// BPE on already-normalized bytes (for example a piece's own spelling), without the
    /// normalizer: how this vocabulary splits a string of `▁`-escaped text.
    func encodeNormalized(_ bytes: [UInt8]) -> [Int32] {
        var scratch = Scratch()
        var out: [Int32] = []
        bytes.withUnsafeBufferPointer { appendIds(normalized: $0, scratch: &scratch, into: &out) }
        return out
    }

    private func appendIds(normalized buffer: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into out: inout [Int32]) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        var previousUnknown = false
        func emit(_ p: UnsafePointer<UInt8>, _ length: Int32, _ id: Int32) {
            let unknown = id < 0 || id == unknownId
            if unknown && byteFallback {
                for k in 0..<Int(length) { out.append(byteIds[Int(p[k])]) }
            } else if unknown {
                // sentencepiece merges a run of unknown pieces into one <unk>.
                if !previousUnknown { out.append(unknownId) }
            } else {
                out.append(id)
            }
            previousUnknown = unknown
        }
        /// BPE over the `length` bytes at `s`, emitting its pieces (left in `scratch`).
        func segmentAndEmit(_ s: UnsafePointer<UInt8>, _ length: Int) {
            segment(s, length, scratch: &scratch)
            for k in 0..<scratch.pieceStart.count { emit(s + Int(scratch.pieceStart[k]), scratch.pieceLength[k], scratch.pieceId[k]) }
        }
        guard segmentsAreIndependent else {
            segmentAndEmit(base, buffer.count)
            return
        }
        // Segments start where a run of `▁` starts; BPE never merges across that point here.
        let count = buffer.count
        var segmentStart = 0
        var i = 1
        while segmentStart < count {
            while i < count && !(isSpace(base, count, at: i) && !(i >= 3 && isSpace(base, count, at: i - 3))) { i += 1 }
            let s = base + segmentStart, length = i - segmentStart
            if length > SegmentCache.maxSegmentBytes {
                segmentAndEmit(s, length)
            } else {
                let hash = SegmentCache.hash(s, length)
                if let cached = scratch.cache.lookup(s, length, hash: hash) {
                    for k in cached {
                        let piece = scratch.cache.pieces[k]
                        emit(s + Int(piece.start), piece.length, piece.id)
                    }
                } else {
                    segmentAndEmit(s, length)
                    scratch.cache.insert(s, length, hash: hash, starts: scratch.pieceStart, lengths: scratch.pieceLength, ids: scratch.pieceId)
                }
            }
            segmentStart = i
            i += 1
        }
    }

    /// True when the bytes at `i` are `▁` (U+2581).
    @inline(__always)
    private func isSpace(_ base: UnsafePointer<UInt8>, _ count: Int, at i: Int) -> Bool {
        i + 2 < count && base[i] == 0xE2 && base[i + 1] == 0x96 && base[i + 2] == 0x81
    }

    /// True when `id` is a `<0xXX>` byte piece.
    public func isByte(_ id: Int32) -> Bool { byteValues[Int(id)] >= 0 }

    /// The piece id of the one character of `len` bytes at `p` (negative when not a piece, see
    /// `basicPlaneIds`): a direct
    /// table for the Basic Multilingual Plane, the hash lookup beyond it.
    @inline(__always)
    private func characterId(_ p: UnsafePointer<UInt8>, _ len: Int) -> Int32 {
        let scalar: Int
        switch len {
        case 1: scalar = Int(p[0])
        case 2: scalar = Int(p[0] & 0x1F) << 6 | Int(p[1] & 0x3F)
        case 3: scalar = Int(p[0] & 0x0F) << 12 | Int(p[1] & 0x3F) << 6 | Int(p[2] & 0x3F)
        default:
            let id = table.id(p, len)
            return id >= 0 ? id : -2
        }
        return basicPlaneIds[scalar]
    }

    /// BPE over `count` normalized bytes at `base`: fills `scratch.pieceStart`/`pieceLength` with the final
    /// segmentation as byte ranges (sentencepiece's `bpe::Model::Encode`).
    func segment(_ base: UnsafePointer<UInt8>, _ count: Int, scratch: inout Scratch) {
        scratch.pieceStart.removeAll(keepingCapacity: true)
        scratch.pieceLength.removeAll(keepingCapacity: true)
        scratch.pieceId.removeAll(keepingCapacity: true)
        if hasUnused { scratch.reverseMerges.removeAll(keepingCapacity: true) }
        // At most one symbol per byte: size the buffers once, then write through pointers.
        if scratch.start.count < count {
            for k in [\Scratch.start, \Scratch.length, \Scratch.previous, \Scratch.next, \Scratch.symbolId] {
                scratch[keyPath: k] = [Int32](repeating: 0, count: count)
            }
            scratch.frozen = [Bool](repeating: false, count: count)
        }
        var n = 0
        scratch.start.withUnsafeMutableBufferPointer { start in
        scratch.length.withUnsafeMutableBufferPointer { length in
        scratch.frozen.withUnsafeMutableBufferPointer { frozen in
        scratch.symbolId.withUnsafeMutableBufferPointer { symbolId in
            var i = 0
            while i < count {
                var len = 0
                var isFrozen = false
                if let userSymbols {
                    len = userSymbols.match(base + i, count - i)
                    isFrozen = len > 0
                }
                if len == 0 { len = min(count - i, max(1, UTF8Scanner.characterLength(base + i, count - i))) }
                start[n] = Int32(i)
                length[n] = Int32(len)
                frozen[n] = isFrozen
                symbolId[n] = isFrozen ? table.id(base + i, len) : characterId(base + i, len)
                n += 1
                i += len
            }
        }
        }
        }
        }
        scratch.previous.withUnsafeMutableBufferPointer { previous in
        scratch.next.withUnsafeMutableBufferPointer { next in
            for k in 0..<n {
                previous[k] = Int32(k - 1)
                next[k] = k + 1 < n ? Int32(k + 1) : -1
            }
        }
        }
        scratch.agenda.removeAll()

        scratch.start.withUnsafeMutableBufferPointer { start in
        scratch.length.withUnsafeMutableBufferPointer { length in
        scratch.previous.withUnsafeMutableBufferPointer { previous in
        scratch.next.withUnsafeMutableBufferPointer { next in
        scratch.frozen.withUnsafeBufferPointer { frozen in
        scratch.symbolId.withUnsafeMutableBufferPointer { symbolId in
            func consider(_ left: Int32, _ right: Int32) {
                if left < 0 || right < 0 || frozen[Int(left)] || frozen[Int(right)] { return }
                let size = length[Int(left)] + length[Int(right)]
                let a = symbolId[Int(left)], b = symbolId[Int(right)]
                if a == -1 || b == -1 { return }
                var id: Int32 = -2
                if a >= 0 && b >= 0 {
                    id = pairs.merged(a, b)  // holds mergeable pieces only
                    if id == -1 { return }
                }
                if id == -2 {
                    id = table.id(base + Int(start[Int(left)]), Int(size))
                    if id < 0 || !mergeable[Int(id)] { return }
                }
                let candidate = MergeAgenda.Candidate(score: scores[Int(id)], left: left, right: right, size: size, id: id)
                if initial { scratch.agenda.appendUnordered(candidate) } else { scratch.agenda.push(candidate) }
                if hasUnused && types[Int(id)] == .unused {
                    scratch.reverseMerges[id] = Split(leftStart: start[Int(left)], leftLength: length[Int(left)],
                                                      rightStart: start[Int(right)], rightLength: length[Int(right)])
                }
            }
            // All first bigrams go in unordered and are heapified once (O(n)); which of two
            // equal-ranked candidates pops first never matters, as at most one is still valid.
            var initial = true
            for k in 1..<max(n, 1) { consider(Int32(k - 1), Int32(k)) }
            initial = false
            scratch.agenda.heapify()
            while let top = scratch.agenda.pop() {
                guard MergeAgenda.apply(top, length: length, symbolId: symbolId, previous: previous, next: next) else { continue }
                consider(previous[Int(top.left)], top.left)
                consider(top.left, next[Int(top.left)])
            }
            var k: Int32 = n > 0 ? 0 : -1
            while k >= 0 {
                resegment(start[Int(k)], length[Int(k)], symbolId[Int(k)])
                k = next[Int(k)]
            }
        }
        }
        }
        }
        }
        }

        func resegment(_ s: Int32, _ len: Int32, _ id: Int32) {
            if hasUnused && id >= 0 && types[Int(id)] == .unused, let split = scratch.reverseMerges[id] {
                resegment(split.leftStart, split.leftLength, table.id(base + Int(split.leftStart), Int(split.leftLength)))
                resegment(split.rightStart, split.rightLength, table.id(base + Int(split.rightStart), Int(split.rightLength)))
                return
            }
            scratch.pieceStart.append(s)
            scratch.pieceLength.append(len)
            scratch.pieceId.append(id)
        }
    }

    // MARK: Decoding

    /// Text for `ids`, as sentencepiece's `DecodeIds`: byte pieces reassembled into UTF-8
    /// (U+FFFD for each byte that does not form a character), `▁` → space, the leading dummy
    /// prefix removed, control pieces dropped, `<unk>` shown as the model's unknown surface.
    public func decode(_ ids: [Int32]) throws -> String {
        let spec = model.proto.normalizerSpec
        let stripLeading = spec.addDummyPrefix || spec.removeExtraWhitespaces
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        var expectLeadingSpace = true
        var leadingSpaceSeen = false
        func flushBytes() {
            pendingBytes.withUnsafeBufferPointer { b in
                var o = 0
                while o < b.count {
                    let len = UTF8Scanner.characterLength(b.baseAddress! + o, b.count - o)
                    if len == 0 {
                        text.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        o += 1
                    } else {
                        text.append(contentsOf: b[o..<(o + len)])
                        o += len
                    }
                }
            }
            pendingBytes.removeAll(keepingCapacity: true)
        }
        for id32 in ids {
            let id = Int(id32)
            guard id >= 0 && id < types.count else { throw TokenizationError.idOutOfRange(id: id, vocabularySize: types.count) }
            if byteValues[id] >= 0 {
                pendingBytes.append(UInt8(byteValues[id]))
                continue
            }
            flushBytes()
            if leadingSpaceSeen || !text.isEmpty { expectLeadingSpace = false }
            leadingSpaceSeen = false
            switch types[id] {
            case .control:
                continue
            case .unknown:
                text.append(contentsOf: unknownSurface)
                continue
            default:
                break
            }
            var piece = table.bytes(of: id)
            if expectLeadingSpace && stripLeading && piece.starts(with: [0xE2, 0x96, 0x81]) {
                piece = piece.dropFirst(3)
                leadingSpaceSeen = !spec.removeExtraWhitespaces
            }
            var k = piece.startIndex
            while k < piece.endIndex {
                if piece[k] == 0xE2 && k + 2 < piece.endIndex && piece[k + 1] == 0x96 && piece[k + 2] == 0x81 {
                    text.append(0x20)
                    k += 3
                } else {
                    text.append(piece[k])
                    k += 1
                }
            }
        }
        flushBytes()
        return String(decoding: text, as: UTF8.self)
    }
}

/// sentencepiece's BPE agenda: a max-heap of candidate merges ordered by the merged piece's
/// score, ties broken by the leftmost position (`SymbolPairComparator`).
struct MergeAgenda {
    struct Candidate {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32
        /// The merged piece.
        var id: Int32

        @inline(__always)
        func outranks(_ other: Candidate) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    private var heap: [Candidate] = []

    /// Merges `top` into the linked list of symbols (the right symbol joins the left one, which
    /// becomes piece `top.id`) unless it is stale: a side already merged away or grown since the
    /// pair was pushed. True when it merged; the caller then offers the two new neighbour pairs.
    static func apply(_ top: Candidate, length: UnsafeMutableBufferPointer<Int32>, symbolId: UnsafeMutableBufferPointer<Int32>,
                      previous: UnsafeMutableBufferPointer<Int32>, next: UnsafeMutableBufferPointer<Int32>) -> Bool {
        let l = Int(top.left), r = Int(top.right)
        if length[l] == 0 || length[r] == 0 || length[l] + length[r] != top.size { return false }
        length[l] += length[r]
        symbolId[l] = top.id
        next[l] = next[r]
        if next[r] >= 0 { previous[Int(next[r])] = top.left }
        length[r] = 0
        return true
    }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func push(_ c: Candidate) {
        heap.append(c)
        heap.withUnsafeMutableBufferPointer { h in
            // Sift the new element up through a hole instead of swapping.
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if !c.outranks(h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = c
        }
    }

    /// Adds without ordering; call `heapify` before the next `push` or `pop`.
    mutating func appendUnordered(_ c: Candidate) { heap.append(c) }

    mutating func heapify() {
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var start = n / 2 - 1
            while start >= 0 {
                let item = h[start]
                var i = start
                while true {
                    let l = 2 * i + 1
                    if l >= n { break }
                    var child = l
                    if l + 1 < n && h[l + 1].outranks(h[l]) { child = l + 1 }
                    if !h[child].outranks(item) { break }
                    h[i] = h[child]
                    i = child
                }
                h[i] = item
                start -= 1
            }
        }
    }

    mutating func pop() -> Candidate? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var child = l
                if l + 1 < n && h[l + 1].outranks(h[l]) { child = l + 1 }
                if !h[child].outranks(last) { break }
                h[i] = h[child]
                i = child
            }
            h[i] = last
        }
        return top
    }
}
