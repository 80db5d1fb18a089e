import Corpus
import Foundation

/// Writes the output folder of `ko-llama tokenizer merge`: `tokenizer.model`,
/// `new_token_init.jsonl` (one line per appended piece: id, piece, base_ids), the Hugging Face
/// tokenizer files, and `merge-report.json`.
public enum MergedTokenizerWriter {
    public static func write(result: VocabularyMerger.Result, report: MergeReport, to directory: String) throws {
        try FileSystem.createDirectory(directory)
        try result.model.save(path: directory + "/tokenizer.model")
        var lines = ""
        for a in result.added {
            lines += "{\"id\": \(a.id), \"piece\": \(JSONText.quote(a.piece)), \"base_ids\": [\(a.baseIds.map(String.init).joined(separator: ", "))]}\n"
        }
        try AtomicFileWriter.write(lines, to: directory + "/new_token_init.jsonl")
        try HuggingFaceTokenizerExport.write(model: result.model, to: directory, path: directory + "/tokenizer.model")
        try AtomicFileWriter.write(report.json(), to: directory + "/merge-report.json")
    }
}
