import CZlib
import Glibc

/// Streaming gzip compressor. Each `finishMember()` closes one gzip member; concatenated members
/// form a valid gzip file (WARC stores one record per member so readers can seek to a record).
public final class GzipCompressor {
    private var stream = z_stream()
    private var open = false
    private let level: Int32

    public init(level: Int32 = 6) {
        self.level = level
    }

    /// Compresses `input` into the current member, appending compressed bytes to `output`.
    public func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        startIfNeeded()
        run(input, flush: Z_NO_FLUSH, into: &output)
    }

    /// Ends the current member (writes the gzip trailer). The next `compress` starts a new one.
    public func finishMember(into output: inout [UInt8]) {
        startIfNeeded()
        run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: &output)
        deflateEnd(&stream)
        open = false
    }

    /// Compresses `bytes` as one complete gzip member.
    public static func member(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        let c = GzipCompressor(level: level)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 3 + 64)
        bytes.withUnsafeBytes { c.compress($0, into: &out) }
        c.finishMember(into: &out)
        return out
    }

    private func startIfNeeded() {
        guard !open else { return }
        stream = z_stream()
        let rc = kl_deflate_init_gzip(&stream, level)
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
        open = true
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32, into output: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        repeat {
            let produced: Int = chunk.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let rc = deflate(&stream, flush)
                precondition(rc != Z_STREAM_ERROR, "deflate stream error")
                return buf.count - Int(stream.avail_out)
            }
            output.append(contentsOf: chunk[0..<produced])
        } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
    }

    deinit {
        if open { deflateEnd(&stream) }
    }
}

/// Buffered sequential reader over a file that may be gzip-compressed (detected by its magic
/// bytes; multi-member streams are read through). Errors name the file and the compressed
/// byte offset. Lines are returned without their terminator (`\n` or `\r\n`).
public final class ByteReader {
    public let path: String
    /// True when the file is gzip-compressed.
    public let isGzip: Bool
    /// The name ends in `.gz`: then the data must be gzip (an empty file is a truncated stream).
    private let namedGzip: Bool
    private let fd: Int32
    private var raw = [UInt8](repeating: 0, count: 1 << 16)
    private var rawStart = 0
    private var rawEnd = 0
    private var rawEOF = false
    /// Bytes of the file consumed so far (compressed offset for gzip files).
    public private(set) var fileOffset = 0
    private var stream = z_stream()
    private var inflating = false
    private var memberEnded = true

    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Line number of the last line returned by `readLine` (1-based).
    public private(set) var lineNumber = 0
    /// Decompressed bytes handed out so far.
    public private(set) var position = 0
    /// Compressed offset where the current gzip member began.
    public private(set) var memberStartOffset = 0

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
        var magic = [UInt8](repeating: 0, count: 2)
        let n = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) }
        self.fd = fd
        isGzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        namedGzip = path.hasSuffix(".gz")
    }

    deinit {
        if inflating { inflateEnd(&stream) }
        close(fd)
    }

    private func position(line: Int? = nil) -> InputPosition {
        InputPosition(path: path, line: line, offset: fileOffset)
    }

    private func fillRaw() throws {
        if rawStart > 0 {
            let remaining = rawEnd - rawStart
            if remaining > 0 { raw.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + rawStart, byteCount: remaining) } }
            rawStart = 0
            rawEnd = remaining
        }
        while rawEnd < raw.count && !rawEOF {
            let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + rawEnd, $0.count - rawEnd) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CorpusError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { rawEOF = true } else { rawEnd += n }
            break
        }
    }

    /// Appends more decompressed bytes to `buffer`. Returns false at end of input.
    private func fill() throws -> Bool {
        if bufferStart > 0 && bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        } else if bufferStart > (1 << 20) {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        if rawStart == rawEnd { try fillRaw() }
        if namedGzip && !isGzip && fileOffset == 0 {
            if rawStart == rawEnd { throw CorpusError.truncatedGzip(position()) }
            throw CorpusError.corruptGzip(position(), detail: "not gzip data (a .gz name without the 1f 8b header)")
        }
        if rawStart == rawEnd {
            if isGzip && !memberEnded { throw CorpusError.truncatedGzip(position()) }
            return false
        }
        if !isGzip {
            buffer.append(contentsOf: raw[rawStart..<rawEnd])
            fileOffset += rawEnd - rawStart
            rawStart = rawEnd
            return true
        }
        if memberEnded {
            if inflating { inflateEnd(&stream) }
            stream = z_stream()
            guard kl_inflate_init_gzip(&stream) == Z_OK else {
                throw CorpusError.corruptGzip(position(), detail: "inflateInit failed")
            }
            inflating = true
            memberEnded = false
            memberStartOffset = fileOffset
        }
        let oldCount = buffer.count
        let want = 1 << 17
        buffer.reserveCapacity(oldCount + want)
        var produced = 0
        var consumed = 0
        var rc: Int32 = Z_OK
        var out = [UInt8](repeating: 0, count: want)
        raw.withUnsafeMutableBytes { rawBuf in
            out.withUnsafeMutableBytes { outBuf in
                stream.next_in = rawBuf.baseAddress!.assumingMemoryBound(to: Bytef.self) + rawStart
                stream.avail_in = uInt(rawEnd - rawStart)
                stream.next_out = outBuf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(want)
                rc = inflate(&stream, Z_NO_FLUSH)
                consumed = (rawEnd - rawStart) - Int(stream.avail_in)
                produced = want - Int(stream.avail_out)
            }
        }
        rawStart += consumed
        fileOffset += consumed
        buffer.append(contentsOf: out[0..<produced])
        switch rc {
        case Z_OK:
            break
        case Z_STREAM_END:
            memberEnded = true
        case Z_BUF_ERROR:
            if rawEOF && rawStart == rawEnd { throw CorpusError.truncatedGzip(position()) }
        default:
            let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            throw CorpusError.corruptGzip(position(), detail: msg)
        }
        if produced == 0 && consumed == 0 && rc != Z_STREAM_END {
            if rawEOF { throw CorpusError.truncatedGzip(position()) }
        }
        return true
    }

    /// The next line without its terminator, or nil at end of input. Lines longer than
    /// `maxLength` bytes raise `CorpusError.lineTooLong` rather than exhausting memory.
    public func readLine(maxLength: Int = 1 << 28) throws -> ArraySlice<UInt8>? {
        var scanFrom = bufferStart
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: 0x0A) {
                var end = nl
                if end > bufferStart && buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[bufferStart..<end]
                position += nl + 1 - bufferStart
                bufferStart = nl + 1
                lineNumber += 1
                return line
            }
            if buffer.count - bufferStart > maxLength {
                throw CorpusError.lineTooLong(InputPosition(path: path, line: lineNumber + 1, offset: fileOffset), limit: maxLength)
            }
            let scanned = buffer.count - bufferStart
            if try !fill() {
                if bufferStart == buffer.count { return nil }
                let line = buffer[bufferStart...]
                position += buffer.count - bufferStart
                bufferStart = buffer.count
                lineNumber += 1
                return line
            }
            // `fill` may compact the buffer, so the scan resumes relative to `bufferStart`.
            scanFrom = bufferStart + scanned
        }
    }

    /// Exactly `count` bytes, or fewer only at end of input.
    public func read(count: Int) throws -> [UInt8] {
        while buffer.count - bufferStart < count {
            if try !fill() { break }
        }
        let end = min(buffer.count, bufferStart + count)
        let out = Array(buffer[bufferStart..<end])
        position += end - bufferStart
        bufferStart = end
        return out
    }

    /// True when no more bytes can be read.
    public func atEnd() throws -> Bool {
        while bufferStart == buffer.count {
            if try !fill() { return true }
        }
        return false
    }
}
