import Corpus
import Foundation
import Glibc

/// Writes a model or adapter folder all or nothing: every file goes into `DIR.tmp-PID` (each
/// fsynced), and only when all are there does the folder take the place of `DIR`. An existing
/// `DIR` is moved aside to `DIR.old-PID` first and removed after the new one is in place, so a
/// crash between the two renames leaves the old folder under that name, never a half-written
/// one under `DIR`. An existing folder is replaced only when it is empty or holds `marker`
/// (config.json, adapter_config.json): `--out .` never wipes an unrelated directory.
enum StagedFolder {
    static func write(to path: String, marker: String, _ fill: (_ staging: String) throws -> Void) throws {
        var directory = path
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        let exists = FileSystem.exists(directory)
        if exists {
            guard FileSystem.isDirectory(directory) else {
                throw ModelingError.invalidFolder(path: directory, detail: "exists and is not a directory")
            }
            let names = try FileSystem.listDirectory(directory)
            guard names.isEmpty || names.contains(marker) else {
                throw ModelingError.invalidFolder(path: directory, detail: "exists, is not empty and has no \(marker); not replacing it")
            }
        }
        let staging = directory + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try FileSystem.createDirectory(staging)
        try fill(staging)
        FileSystem.syncDirectory(staging)
        if exists {
            let old = directory + ".old-\(getpid())"
            try? FileManager.default.removeItem(atPath: old)
            if rename(directory, old) != 0 { throw CorpusError.io(path: directory, operation: "rename", errno: errno) }
            if rename(staging, directory) != 0 {
                let saved = errno
                _ = rename(old, directory)
                throw CorpusError.io(path: directory, operation: "rename", errno: saved)
            }
            try? FileManager.default.removeItem(atPath: old)
        } else if rename(staging, directory) != 0 {
            throw CorpusError.io(path: directory, operation: "rename", errno: errno)
        }
        FileSystem.syncDirectory(FileSystem.directoryName(of: directory))
    }
}
