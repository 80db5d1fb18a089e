import Glibc

/// Crash-safe file output: bytes go to a temporary file beside the target, which is fsynced and
/// renamed over the target only on `commit()`; the directory is fsynced so the rename survives a
/// crash. A writer dropped without `commit()` removes its temporary file and leaves the target as
/// it was.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private var fd: Int32
    private var committed = false
    public private(set) var bytesWritten: Int = 0

    public init(path: String) throws {
        self.path = path
        self.temporaryPath = path + ".tmp-\(getpid())"
        try FileSystem.createDirectory(FileSystem.directoryName(of: path))
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw CorpusError.io(path: temporaryPath, operation: "open", errno: errno) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw CorpusError.io(path: temporaryPath, operation: "write", errno: errno)
            }
            done += n
        }
        bytesWritten += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ string: String) throws {
        var s = string
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Flushes to disk and renames the temporary file over `path`.
    public func commit() throws {
        precondition(!committed, "AtomicFileWriter.commit called twice")
        if fsync(fd) != 0 { throw CorpusError.io(path: temporaryPath, operation: "fsync", errno: errno) }
        close(fd)
        fd = -1
        if rename(temporaryPath, path) != 0 { throw CorpusError.io(path: path, operation: "rename", errno: errno) }
        committed = true
        FileSystem.syncDirectory(FileSystem.directoryName(of: path))
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write(bytes)
        try w.commit()
    }

    public static func write(_ string: String, to path: String) throws {
        try write(Array(string.utf8), to: path)
    }
}

/// Small POSIX file helpers shared by every stage.
public enum FileSystem {
    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) throws -> Int {
        var st = stat()
        if stat(path, &st) != 0 { throw CorpusError.io(path: path, operation: "stat", errno: errno) }
        return Int(st.st_size)
    }

    /// `mkdir -p`.
    public static func createDirectory(_ path: String) throws {
        if path.isEmpty || isDirectory(path) { return }
        try createDirectory(directoryName(of: path))
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw CorpusError.io(path: path, operation: "mkdir", errno: errno)
        }
    }

    /// Names in a directory, sorted bytewise so iteration order never depends on the file system.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw CorpusError.io(path: path, operation: "opendir", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Files under `path` whose names end with one of `suffixes`, recursively, sorted by path.
    public static func files(under path: String, suffixes: [String]) throws -> [String] {
        var out: [String] = []
        for name in try listDirectory(path) {
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            if isDirectory(full) {
                out += try files(under: full, suffixes: suffixes)
            } else if suffixes.contains(where: { name.hasSuffix($0) }) {
                out.append(full)
            }
        }
        return out
    }

    public static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CorpusError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// fsyncs a directory so renames inside it survive a crash.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
