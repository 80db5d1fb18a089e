import Corpus
import Glibc

/// `<corpus>/crawl.lock` held with `flock(LOCK_EX | LOCK_NB)` for a run's lifetime: a second
/// run on the same corpus is refused instead of waiting; the kernel drops the lock when the
/// process dies, so a killed run never leaves a stale lock.
public final class CrawlLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock, or returns nil when another run holds it.
    public init?(path: String) throws {
        self.path = path
        try FileSystem.createDirectory(FileSystem.directoryName(of: path))
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw CorpusError.io(path: path, operation: "open", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { return nil }
            throw CorpusError.io(path: path, operation: "flock", errno: e)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
