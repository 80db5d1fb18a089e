import Corpus

/// Why training failed. Input problems name the file (and line where there is one).
public enum BPETrainerError: Error, Sendable, CustomStringConvertible {
    case invalidOption(String)
    case unreadableInput(path: String, detail: String)
    case invalidUTF8(InputPosition)
    case emptyCorpus(inputs: [String])
    case vocabularyTooSmall(vocabSize: Int, requiredCharacters: Int, metaPieces: Int)
    case vocabularyTooLarge(vocabSize: Int, reachable: Int)

    public var description: String {
        switch self {
        case let .invalidOption(detail):
            return "invalid option: \(detail)"
        case let .unreadableInput(path, detail):
            return "\(path): cannot read input: \(detail)"
        case let .invalidUTF8(position):
            return "\(position): invalid UTF-8 (without --strict such lines are skipped and counted)"
        case let .emptyCorpus(inputs):
            return "no training text in \(inputs.joined(separator: ", ")): every line was empty, skipped or too long"
        case let .vocabularyTooSmall(vocabSize, required, meta):
            return "vocabulary size \(vocabSize) is smaller than the \(required) required characters + \(meta) meta pieces = \(required + meta); increase --vocab-size or decrease --character-coverage"
        case let .vocabularyTooLarge(vocabSize, reachable):
            return "vocabulary size \(vocabSize) is too high for this corpus: no more valid merges after \(reachable) pieces; set --vocab-size <= \(reachable)"
        }
    }
}
