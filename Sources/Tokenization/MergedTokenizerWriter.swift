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
///
/// A byte-level merge writes `tokenizer.json`, `new_token_init.jsonl` (same format; `piece` is
/// spelled in byte-level characters, as in tokenizer.json), `tokenizer_config.json` and
/// `special_tokens_map.json` (the base folder's, copied, else made from its special tokens;
/// `chat_template.jinja` is copied too when the base has one) and `merge-report.json`.
public enum MergedTokenizerWriter {
    public static func write(result: VocabularyMerger.Result, report: MergeReport, to directory: String) throws {
        // The merged model inherits the base's normalizer, which decides whether HF can express it.
        let huggingFace = try HuggingFaceTokenizerExport.files(model: result.model, path: result.basePath, addBos: true, addEos: false)
        var files: [(name: String, bytes: [UInt8])] = [("tokenizer.model", try result.model.proto.serializedBytes())]
        files.append(("new_token_init.jsonl", newTokenInit(result.added)))
        files += huggingFace.map { ($0.name, Array($0.contents.utf8)) }
        files.append(("merge-report.json", Array(report.json().utf8)))
        try writeStaged(files, into: directory)
    }

    /// Writes a byte-level merge; the Hugging Face side files come from beside `result.basePath`
    /// when it is a file named tokenizer.json that has them.
    public static func write(byteLevel result: ByteLevelVocabularyMerger.Result, report: MergeReport, to directory: String) throws {
        var files: [(name: String, bytes: [UInt8])] = [("tokenizer.json", Array(result.file.json().utf8))]
        files.append(("new_token_init.jsonl", newTokenInit(result.added)))
        let folder = FileSystem.directoryName(of: result.basePath)
        let beside = result.basePath.hasSuffix("tokenizer.json") ? (folder.isEmpty ? "." : folder) : nil
        let specials = try beside.map { try ByteLevelBPETokenizer.specialTokens(folder: $0) } ?? ByteLevelBPETokenizer.SpecialTokens()
        var fields: [String] = []
        for (key, value) in [("bos_token", specials.bos), ("eos_token", specials.eos), ("pad_token", specials.pad)] {
            if let value { fields.append("\(JSONString.literal(key)): \(JSONString.literal(value))") }
        }
        let generated = [
            "tokenizer_config.json": "{\n  " + (["\"tokenizer_class\": \"PreTrainedTokenizerFast\"", "\"clean_up_tokenization_spaces\": false"] + fields).joined(separator: ",\n  ") + "\n}\n",
            "special_tokens_map.json": "{" + (fields.isEmpty ? "" : "\n  " + fields.joined(separator: ",\n  ") + "\n") + "}\n",
        ]
        for name in ["tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"] {
            if let beside, FileSystem.exists(beside + "/" + name) {
                files.append((name, try FileSystem.readAll(beside + "/" + name)))
            } else if let text = generated[name] {
                files.append((name, Array(text.utf8)))
            }
        }
        files.append(("merge-report.json", Array(report.json().utf8)))
        try writeStaged(files, into: directory)
    }

    /// `new_token_init.jsonl`: one line per new token, `{"id": N, "piece": "...", "base_ids": [...]}`.
    static func newTokenInit(_ added: [AddedPiece]) -> [UInt8] {
        var lines = ""
        for a in added {
            lines += "{\"id\": \(a.id), \"piece\": \(JSONString.literal(a.piece)), \"base_ids\": [\(a.baseIds.map(String.init).joined(separator: ", "))]}\n"
        }
        return Array(lines.utf8)
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
