import Foundation
import TestSupport
import XCTest

/// The committed tokenizer fixtures (Tests/Fixtures/tokenizer) and Python-peer helpers that the
/// tokenizer tests share: sentencepiece is the oracle for every id they compare.
enum TokenizerFixtures {
    static let directory = repositoryRoot + "/Tests/Fixtures/tokenizer"
    static let files = ["kowiki-heldout.txt", "english.txt", "chinese-mixed.txt", "hostile.txt"].map { directory + "/" + $0 }

    /// Every line of `files`, as bytes.
    static func lines(_ files: [String] = files) throws -> [[UInt8]] {
        try files.flatMap { path in
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast().map { Array($0.utf8) }
        }
    }

    /// The Mistral v1 model shipped inside the `mistral_common` wheel (Apache-2.0).
    static func mistralModel() throws -> String {
        try PythonPeer.require("sentencepiece", "mistral_common")
        return try PythonPeer.run("import mistral_common, os; print(os.path.join(os.path.dirname(mistral_common.__file__), 'data', 'tokenizer.model.v1'))")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Trains a small Korean BPE model with python sentencepiece on the committed kowiki lines.
    static func trainKoreanModel(in dir: TemporaryDirectory, name: String, options: String) throws -> String {
        try PythonPeer.require("sentencepiece")
        let prefix = dir.file(name)
        try PythonPeer.run("""
        import sys, sentencepiece as spm
        spm.SentencePieceTrainer.train(input=sys.argv[1], model_prefix=sys.argv[2], model_type='bpe', minloglevel=2, \(options))
        """, [directory + "/kowiki-train.txt", prefix])
        return prefix + ".model"
    }

    /// sentencepiece's ids for each line of `files`.
    static func sentencepieceIds(model: String, files: [String] = files) throws -> [[Int32]] {
        let out = try PythonPeer.run("""
        import sys, sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
        for path in sys.argv[2:]:
            with open(path, encoding='utf-8', newline='\\n') as f:
                for line in f.read().split('\\n')[:-1]:
                    print(' '.join(map(str, sp.encode(line))))
        """, [model] + files)
        return parseIdLines(out)
    }

    /// sentencepiece's decoding of each id line.
    static func sentencepieceDecode(model: String, ids: [[Int32]]) throws -> [String] {
        let out = try PythonPeer.run("""
        import sys, json, sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
        for line in sys.stdin.read().split('\\n')[:-1]:
            print(json.dumps(sp.decode([int(x) for x in line.split()])))
        """, [model], stdin: ids.map { $0.map(String.init).joined(separator: " ") + "\n" }.joined())
        return try out.split(separator: "\n").map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
    }

    static func parseIdLines(_ text: String) -> [[Int32]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: " ").map { Int32($0)! } }
    }
}
