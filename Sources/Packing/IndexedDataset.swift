import Corpus
import Foundation
import Glibc

/// Element type of a Megatron indexed dataset (`dtype` codes of Megatron-LM's `DType`).
public enum TokenDType: UInt8, Sendable, Codable {
    case int32 = 4
    case uint16 = 8

    public var byteWidth: Int { self == .uint16 ? 2 : 4 }

    /// uint16 when every id fits (Megatron's `best_fitting_dtype`), else int32.
    public static func fitting(vocabularySize: Int) -> TokenDType {
        vocabularySize <= 65536 ? .uint16 : .int32
    }
}

/// Errors reading an indexed dataset; each names the file and what is wrong where.
public enum IndexedDatasetError: Error, Sendable, CustomStringConvertible {
    case invalid(path: String, offset: Int, detail: String)
    case tokenOutOfRange(path: String, token: Int, dtype: TokenDType)

    public var description: String {
        switch self {
        case let .invalid(path, offset, detail): return "\(path) (byte \(offset)): \(detail)"
        case let .tokenOutOfRange(path, token, dtype): return "\(path): token id \(token) does not fit \(dtype)"
        }
    }
}

/// Writes a Megatron-LM indexed dataset (`MMIDIDX`, version 1): `PREFIX.bin` holds the token ids
/// of every sequence back to back (little-endian), `PREFIX.idx` the header, the length and byte
/// offset of each sequence, and the document index (sequence ranges per document). One document
/// is one sequence here, as in Megatron's `preprocess_data.py`. Both files appear atomically on
/// `finish()`; memory grows with the number of documents (12 bytes each), not with tokens.
public final class IndexedDatasetWriter {
    public static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
    public let prefix: String
    public let dtype: TokenDType
    private let bin: AtomicFileWriter
    private var sizes: [Int32] = []
    private var pending: [UInt8] = []
    public private(set) var tokenCount = 0

    public init(prefix: String, dtype: TokenDType) throws {
        self.prefix = prefix
        self.dtype = dtype
        bin = try AtomicFileWriter(path: prefix + ".bin")
    }

    public var documentCount: Int { sizes.count }

    /// Appends one document's token ids.
    public func append(_ tokens: [Int32]) throws {
        pending.reserveCapacity(pending.count + tokens.count * dtype.byteWidth)
        for t in tokens {
            switch dtype {
            case .uint16:
                guard t >= 0 && t <= 65535 else { throw IndexedDatasetError.tokenOutOfRange(path: prefix + ".bin", token: Int(t), dtype: dtype) }
                pending.append(UInt8(t & 0xFF))
                pending.append(UInt8(t >> 8))
            case .int32:
                let u = UInt32(bitPattern: t)
                pending += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)]
            }
        }
        sizes.append(Int32(tokens.count))
        tokenCount += tokens.count
        if pending.count >= 1 << 22 {
            try bin.write(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the index and moves both files into place.
    public func finish() throws {
        try bin.write(pending)
        pending = []
        var idx = IndexedDatasetWriter.magic
        idx += IndexedDatasetWriter.le64(1)
        idx.append(dtype.rawValue)
        idx += IndexedDatasetWriter.le64(UInt64(sizes.count))
        idx += IndexedDatasetWriter.le64(UInt64(sizes.count + 1))
        idx.reserveCapacity(idx.count + sizes.count * 20 + 8)
        for s in sizes {
            let u = UInt32(bitPattern: s)
            idx += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)]
        }
        var pointer: UInt64 = 0
        for s in sizes {
            idx += IndexedDatasetWriter.le64(pointer)
            pointer += UInt64(s) * UInt64(dtype.byteWidth)
        }
        for d in 0...sizes.count { idx += IndexedDatasetWriter.le64(UInt64(d)) }
        try bin.commit()
        try AtomicFileWriter.write(idx, to: prefix + ".idx")
    }

    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }
}

/// A memory-mapped Megatron indexed dataset, validated on open: magic, version, dtype, counts,
/// lengths and pointers consistent with each other and with the size of `.bin`.
public final class IndexedDataset: @unchecked Sendable {
    public let prefix: String
    public let dtype: TokenDType
    /// Tokens per sequence.
    public let sizes: [Int32]
    /// Byte offset of each sequence in `.bin`.
    public let pointers: [Int64]
    /// Sequence index where each document starts, plus a final sentinel.
    public let documentIndex: [Int64]
    private let data: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int

    public var sequenceCount: Int { sizes.count }
    public var tokenCount: Int { sizes.reduce(0) { $0 + Int($1) } }

    public init(prefix: String) throws {
        self.prefix = prefix
        let idxPath = prefix + ".idx"
        let idx = try FileSystem.readAll(idxPath)
        func fail(_ offset: Int, _ detail: String) -> IndexedDatasetError { .invalid(path: idxPath, offset: offset, detail: detail) }
        func u64(_ at: Int) throws -> UInt64 {
            guard at + 8 <= idx.count else { throw fail(at, "file ends inside the header (truncated .idx)") }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(idx[at + $1]) << (8 * UInt64($1)) }
        }
        guard idx.count >= 9, Array(idx[0..<9]) == IndexedDatasetWriter.magic else { throw fail(0, "not a Megatron MMIDIDX index (bad magic)") }
        let version = try u64(9)
        guard version == 1 else { throw fail(9, "unsupported index version \(version)") }
        guard idx.count > 17, let dtype = TokenDType(rawValue: idx[17]) else { throw fail(17, "unsupported dtype code \(idx.count > 17 ? Int(idx[17]) : -1)") }
        self.dtype = dtype
        // The counts come from the file: bound them and size the index with overflow-checked
        // arithmetic before anything is allocated (garbage counts are errors, not traps).
        let sequences = try u64(18)
        guard sequences < UInt64(Int32.max) else { throw fail(18, "sequence count \(sequences) is out of range (corrupt .idx)") }
        let documents = try u64(26)
        let (documentBytes, documentOverflow) = documents.multipliedReportingOverflow(by: 8)
        let (needed, sizeOverflow) = (34 + sequences * 12).addingReportingOverflow(documentBytes)
        guard !documentOverflow, !sizeOverflow else { throw fail(26, "document count \(documents) is out of range (corrupt .idx)") }
        guard UInt64(idx.count) >= needed else {
            throw fail(idx.count, "truncated .idx: \(sequences) sequences and \(documents) document entries need \(needed) bytes, file has \(idx.count)")
        }
        var offset = 34
        var sizes = [Int32](repeating: 0, count: Int(sequences))
        for i in 0..<sizes.count {
            sizes[i] = Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(idx[offset + $1]) << (8 * UInt32($1)) })
            offset += 4
        }
        var pointers = [Int64](repeating: 0, count: Int(sequences))
        for i in 0..<pointers.count {
            pointers[i] = Int64(bitPattern: try u64(offset))
            offset += 8
        }
        var docs = [Int64](repeating: 0, count: Int(documents))
        for i in 0..<docs.count {
            docs[i] = Int64(bitPattern: try u64(offset))
            offset += 8
        }
        let binPath = prefix + ".bin"
        let binSize = try FileSystem.fileSize(binPath)
        var expected: Int64 = 0
        for i in 0..<sizes.count {
            guard sizes[i] >= 0, pointers[i] == expected else {
                throw fail(34 + sizes.count * 4 + i * 8, "sequence \(i) has pointer \(pointers[i]) but the previous sequences end at \(expected)")
            }
            expected += Int64(sizes[i]) * Int64(dtype.byteWidth)
            // Checked per sequence, so the running sum stays bounded by the file size.
            guard expected <= Int64(binSize) else {
                throw IndexedDatasetError.invalid(path: binPath, offset: binSize, detail: "size \(binSize) bytes, but sequence \(i) ends at byte \(expected)")
            }
        }
        guard expected == Int64(binSize) else {
            throw IndexedDatasetError.invalid(path: binPath, offset: binSize, detail: "size \(binSize) bytes, but the index describes \(expected)")
        }
        guard docs.first == 0, docs.last == Int64(sizes.count), zip(docs, docs.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw fail(34 + sizes.count * 12, "document index is not an increasing range from 0 to \(sizes.count)")
        }
        self.sizes = sizes
        self.pointers = pointers
        self.documentIndex = docs
        mappedLength = binSize
        if binSize > 0 {
            let fd = open(binPath, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw CorpusError.io(path: binPath, operation: "open", errno: errno) }
            defer { close(fd) }
            guard let m = mmap(nil, binSize, PROT_READ, MAP_SHARED, fd, 0), m != MAP_FAILED else {
                throw CorpusError.io(path: binPath, operation: "mmap", errno: errno)
            }
            mapping = m
            data = UnsafeRawBufferPointer(start: m, count: binSize)
        } else {
            mapping = nil
            data = UnsafeRawBufferPointer(start: nil, count: 0)
        }
    }

    deinit {
        if let mapping { munmap(mapping, mappedLength) }
    }

    /// Appends the tokens of sequence `i` from `start` (`count` of them) to `out`.
    public func copyTokens(sequence i: Int, from start: Int = 0, count: Int? = nil, into out: inout [Int32]) {
        let n = count ?? (Int(sizes[i]) - start)
        let base = Int(pointers[i]) + start * dtype.byteWidth
        switch dtype {
        case .uint16:
            for k in 0..<n { out.append(Int32(data.loadUnaligned(fromByteOffset: base + 2 * k, as: UInt16.self).littleEndian)) }
        case .int32:
            for k in 0..<n { out.append(data.loadUnaligned(fromByteOffset: base + 4 * k, as: Int32.self).littleEndian) }
        }
    }

    public func tokens(ofSequence i: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(Int(sizes[i]))
        copyTokens(sequence: i, into: &out)
        return out
    }
}
