import Corpus
import Foundation

/// Writes the output folder of `ko-llama tokenizer merge`: `tokenizer.model`,
/// `new_token_init.jsonl` (one line per appended piece: id, piece, base_ids), the Hugging Face
/// tokenizer files, and `merge-report.json`.
///
/// All or nothing: every file is rendered in memory first (so a model the Hugging Face export
/// cannot express fails before anything is written), then written into a temporary sibling
/// directory. A new output directory appears whole by one rename; in an existing one each file
/// is replaced by its own atomic rename and other files are left alone (so a failure between two
/// of those renames, which needs the file system to fail, would leave old and new files side by
/// side). A failure before the moves removes the temporary directory and leaves any earlier
/// output as it was.
public enum MergedTokenizerWriter {
    public static func write(result: VocabularyMerger.Result, report: MergeReport, to directory: String) throws {
        var lines = ""
        for a in result.added {
            lines += "{\"id\": \(a.id), \"piece\": \(JSONText.quote(a.piece)), \"base_ids\": [\(a.baseIds.map(String.init).joined(separator: ", "))]}\n"
        }
        // The merged model inherits the base's normalizer, which decides whether HF can express it.
        let huggingFace = try HuggingFaceTokenizerExport.files(model: result.model, path: result.basePath)
        var files: [(name: String, bytes: [UInt8])] = [("tokenizer.model", try result.model.proto.serializedBytes())]
        files.append(("new_token_init.jsonl", Array(lines.utf8)))
        files += huggingFace.map { ($0.name, Array($0.contents.utf8)) }
        files.append(("merge-report.json", Array(report.json().utf8)))
        try writeStaged(files, into: directory)
    }

    private static func writeStaged(_ files: [(name: String, bytes: [UInt8])], into path: String) throws {
        var directory = path
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        if FileSystem.exists(directory) && !FileSystem.isDirectory(directory) {
            throw CorpusError.io(path: directory, operation: "mkdir", errno: ENOTDIR)
        }
        let parent = FileSystem.directoryName(of: directory)
        let name = directory.split(separator: "/").last.map(String.init) ?? directory
        let staging = parent + "/." + name + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        for file in files {
            try AtomicFileWriter.write(file.bytes, to: staging + "/" + file.name)
        }
        if !FileSystem.exists(directory) {
            if rename(staging, directory) != 0 { throw CorpusError.io(path: directory, operation: "rename", errno: errno) }
        } else {
            for file in files where rename(staging + "/" + file.name, directory + "/" + file.name) != 0 {
                throw CorpusError.io(path: directory + "/" + file.name, operation: "rename", errno: errno)
            }
        }
        FileSystem.syncDirectory(parent)
    }
}
