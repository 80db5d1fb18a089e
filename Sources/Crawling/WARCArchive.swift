import Corpus
import Foundation
import Glibc

/// Appends WARC 1.1 records (one gzip member each) to `<directory>/<name>.warc.gz.open`, fsyncs
/// after every append, and renames the file to `<name>.warc.gz` when it reaches `maxBytes` or the
/// run closes it, so a final name never holds a half-written file. The caller records the
/// committed length of the open file (in the crawl state, in the same transaction as the fetch),
/// and `recover` truncates an `.open` file left by a crash back to that length and finalizes it.
/// Each file starts with a `warcinfo` record naming the software and the crawl settings.
public final class WARCArchive {
    public static let openSuffix = ".warc.gz.open"
    public static let finalSuffix = ".warc.gz"

    public let directory: String
    public let maxBytes: Int
    private let warcinfo: [(name: String, value: String)]
    private var fd: Int32 = -1
    public private(set) var currentName: String?
    public private(set) var currentLength = 0

    /// - Parameter warcinfo: `key: value` fields of each file's warcinfo record.
    public init(directory: String, maxBytes: Int, warcinfo: [(name: String, value: String)]) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.warcinfo = warcinfo
        try FileSystem.createDirectory(directory)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `records` to the open file, starting a new file named `name` (without suffix) when
    /// none is open. Returns the file name and its length after the append (durable on return).
    public func append(_ records: [WARCRecord], newFileName name: @autoclosure () -> String) throws -> (file: String, length: Int) {
        var bytes: [UInt8] = []
        if currentName == nil {
            let fileName = name()
            let path = directory + "/" + fileName + WARCArchive.openSuffix
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
            currentName = fileName
            currentLength = 0
            var block: [UInt8] = []
            for (n, v) in warcinfo { block += Array("\(n): \(v)\r\n".utf8) }
            bytes += GzipCompressor.member(WARCRecord.make(type: "warcinfo", targetURI: nil, date: Date(),
                contentType: "application/warc-fields", block: block,
                extra: [("WARC-Filename", fileName + WARCArchive.finalSuffix)]).serialized())
        }
        for record in records { bytes += GzipCompressor.member(record.serialized()) }
        let path = openPath
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CorpusError.io(path: path, operation: "write", errno: errno)
                }
                done += n
            }
        }
        if fsync(fd) != 0 { throw CorpusError.io(path: path, operation: "fsync", errno: errno) }
        currentLength += bytes.count
        return (currentName!, currentLength)
    }

    /// True when the open file has reached the rotation size.
    public var shouldRotate: Bool { currentName != nil && currentLength >= maxBytes }

    /// Closes and renames the open file to its final name; returns that name (nil if none was open).
    @discardableResult
    public func finalize() throws -> String? {
        guard let name = currentName else { return nil }
        if fsync(fd) != 0 { throw CorpusError.io(path: openPath, operation: "fsync", errno: errno) }
        close(fd)
        fd = -1
        try WARCArchive.rename(directory: directory, name: name)
        currentName = nil
        currentLength = 0
        return name
    }

    private var openPath: String { directory + "/" + (currentName ?? "") + WARCArchive.openSuffix }

    /// Repairs `.open` files a crashed run left: each is truncated to its committed length (from
    /// `committedLengths`, keyed by name without suffix) and finalized; one with nothing committed
    /// is removed. Returns the names finalized.
    public static func recover(directory: String, committedLengths: [String: Int]) throws -> [String] {
        guard FileSystem.isDirectory(directory) else { return [] }
        var finalized: [String] = []
        for entry in try FileSystem.listDirectory(directory) where entry.hasSuffix(openSuffix) {
            let name = String(entry.dropLast(openSuffix.count))
            let path = directory + "/" + entry
            let committed = committedLengths[name] ?? 0
            if committed == 0 {
                FileSystem.remove(path)
                continue
            }
            if truncate(path, off_t(committed)) != 0 { throw CorpusError.io(path: path, operation: "truncate", errno: errno) }
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
            try rename(directory: directory, name: name)
            finalized.append(name)
        }
        return finalized
    }

    private static func rename(directory: String, name: String) throws {
        let from = directory + "/" + name + openSuffix
        let to = directory + "/" + name + finalSuffix
        if Glibc.rename(from, to) != 0 { throw CorpusError.io(path: to, operation: "rename", errno: errno) }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
