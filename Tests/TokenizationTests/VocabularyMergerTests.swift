import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Tokenization

/// Merging a Korean model into Mistral v1 (structurally LLaMA): the merged `.model` loads in
/// sentencepiece and encodes like it, non-Korean text is untouched, and the HF folder matches.
final class VocabularyMergerTests: XCTestCase {
    private func merged(policy: MergeScorePolicy, in dir: TemporaryDirectory, addOptions: String = "")
        throws -> (base: String, out: String, result: VocabularyMerger.Result, report: MergeReport) {
        let base = try TokenizerFixtures.mistralModel()
        let korean = try TokenizerFixtures.trainKoreanModel(in: dir, name: "ko", options:
            "vocab_size=1500, character_coverage=0.999, byte_fallback=True" + addOptions)
        let baseModel = try SentencePieceModel.load(path: base)
        let addModel = try SentencePieceModel.load(path: korean)
        let result = try VocabularyMerger.merge(base: baseModel, basePath: base, add: addModel, addPath: korean, policy: policy)
        let others = try ["english.txt", "chinese-mixed.txt", "hostile.txt"].map { ($0, try TokenizerFixtures.lines([TokenizerFixtures.directory + "/" + $0])) }
        let report = try MergeReport.measure(base: baseModel, addedModel: addModel, result: result, policy: policy,
                                             korean: try TokenizerFixtures.lines([TokenizerFixtures.files[0]]), others: others)
        let out = dir.file("merged")
        try MergedTokenizerWriter.write(result: result, report: report, to: out)
        return (base, out, result, report)
    }

    func testDefaultPolicyKeepsBaseAndNonHangulTextAndHelpsKorean() throws {
        let dir = try TemporaryDirectory()
        let (base, out, result, report) = try merged(policy: .belowBase, in: dir)
        let baseModel = try SentencePieceModel.load(path: base)
        let mergedModel = try SentencePieceModel.load(path: out + "/tokenizer.model")
        // Base pieces, ids, scores and normalizer untouched; new pieces appended after them.
        XCTAssertEqual(Array(mergedModel.pieces.prefix(baseModel.pieces.count)), baseModel.pieces)
        XCTAssertEqual(mergedModel.proto.normalizerSpec, baseModel.proto.normalizerSpec)
        XCTAssertEqual(Int(mergedModel.proto.trainerSpec.vocabSize), mergedModel.pieces.count)
        XCTAssertGreaterThan(result.added.count, 300)
        XCTAssertTrue(result.added.allSatisfy { VocabularyMerger.containsHangul($0.piece) })
        let baseMin = baseModel.pieces.map(\.score).min()!
        XCTAssertTrue(mergedModel.pieces.dropFirst(baseModel.pieces.count).allSatisfy { $0.score < baseMin })
        // Every non-Hangul line tokenizes exactly as with the base; Korean gets fewer tokens.
        for entry in report.identical {
            XCTAssertEqual(entry.identicalWithoutHangul, entry.linesWithoutHangul, entry.name)
        }
        XCTAssertEqual(report.reachableAddedPieces, result.added.count)
        let korean = try XCTUnwrap(report.korean)
        XCTAssertLessThan(korean.merged.tokens, korean.base.tokens * 9 / 10)
        XCTAssertLessThan(korean.merged.byteFallbackShare, korean.base.byteFallbackShare)
        XCTAssertGreaterThan(report.hangulSyllablesInMerged, report.hangulSyllablesInBase)
        // The merged model encodes like sentencepiece, and its HF folder like both.
        let processor = try SentencePieceProcessor(path: out)
        let ids = try processor.encode(lines: TokenizerFixtures.lines())
        XCTAssertEqual(ids, try TokenizerFixtures.sentencepieceIds(model: out + "/tokenizer.model"))
        XCTAssertEqual(try huggingFaceIds(folder: out), ids)
        // Embedding initialization data: one line per new piece with its base split.
        let initLines = try String(contentsOfFile: out + "/new_token_init.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(initLines.count, result.added.count)
        let first = try JSONSerialization.jsonObject(with: Data(initLines[0].utf8)) as! [String: Any]
        let baseProcessor = try SentencePieceProcessor(path: base)
        let piece = first["piece"] as! String
        XCTAssertEqual(first["id"] as? Int, baseModel.pieces.count)
        XCTAssertEqual(try baseProcessor.decode((first["base_ids"] as! [Int]).map(Int32.init)),
                       String(piece.replacingOccurrences(of: "▁", with: " ").drop { $0 == " " }))
        let reportJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/merge-report.json"))) as! [String: Any]
        XCTAssertEqual(reportJSON["pieces_added"] as? Int, result.added.count)
    }

    /// transformers' ids for each line of `files` with the exported folder.
    private func huggingFaceIds(folder: String, files: [String] = TokenizerFixtures.files) throws -> [[Int32]] {
        try PythonPeer.require("transformers")
        return TokenizerFixtures.parseIdLines(try PythonPeer.run("""
        import sys
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(sys.argv[1])
        assert tok.bos_token == '<s>' and tok.eos_token == '</s>' and tok.unk_token == '<unk>', tok
        assert tok.encode('안녕')[0] == 1, 'add_bos_token'
        for path in sys.argv[2:]:
            with open(path, encoding='utf-8', newline='\\n') as f:
                for line in f.read().split('\\n')[:-1]:
                    print(' '.join(map(str, tok.encode(line, add_special_tokens=False, split_special_tokens=True))))
        """, [folder] + files))
    }

    /// A hand-built model of `type` with a few pieces, saved as `name` in `dir`.
    private func tinyModel(_ type: Sentencepiece_TrainerSpec.ModelType, named name: String, in dir: TemporaryDirectory) throws -> String {
        var proto = Sentencepiece_ModelProto()
        for (piece, pieceType) in [("<unk>", Sentencepiece_ModelProto.SentencePiece.TypeEnum.unknown), ("<s>", .control), ("</s>", .control), ("▁한국", .normal)] {
            var p = Sentencepiece_ModelProto.SentencePiece()
            p.piece = piece
            p.type = pieceType
            proto.pieces.append(p)
        }
        proto.trainerSpec.modelType = type
        try SentencePieceModel(proto: proto).save(path: dir.file(name))
        return dir.file(name)
    }

    /// User-defined pieces of the added model stay USER_DEFINED: sentencepiece, this encoder and
    /// the Hugging Face folder all emit them whole, as the added model does.
    func testUserDefinedPiecesKeepTheirType() throws {
        let dir = try TemporaryDirectory()
        let (base, out, result, report) = try merged(policy: .belowBase, in: dir, addOptions: ", user_defined_symbols=['대한민국', '<mask>', '(주)']")
        let mergedModel = try SentencePieceModel.load(path: out + "/tokenizer.model")
        let userDefined = mergedModel.pieces.filter { $0.type == .userDefined }.map(\.piece)
        XCTAssertEqual(userDefined, ["대한민국", "(주)"], "<mask> has no Hangul, so below-base leaves it out")
        XCTAssertGreaterThanOrEqual(report.skippedByPolicy, 1)
        XCTAssertTrue(result.added.contains { $0.piece == "대한민국" })
        let text = dir.file("user.txt")
        try AtomicFileWriter.write("대한민국의 수도\n대한민국대한민국 만세\n(주)한국 (주) 대한민국(주)\n  대한민국  \n오늘 대한민국은 맑음\n", to: text)
        let files = TokenizerFixtures.files + [text]
        let processor = try SentencePieceProcessor(path: out)
        let ids = try processor.encode(lines: TokenizerFixtures.lines(files))
        XCTAssertEqual(ids, try TokenizerFixtures.sentencepieceIds(model: out + "/tokenizer.model", files: files))
        XCTAssertTrue(ids[ids.count - 4].contains(processor.id(of: "대한민국")!))
        XCTAssertEqual(try huggingFaceIds(folder: out, files: files), ids)
        // Lines without Hangul still tokenize exactly as with the base.
        for entry in report.identical {
            XCTAssertEqual(entry.identicalWithoutHangul, entry.linesWithoutHangul, entry.name)
        }
        XCTAssertEqual(try SentencePieceModel.load(path: base).pieces.filter { $0.type == .userDefined }.count, 0)
    }

    /// Only a BPE model's pieces can be appended; errors name the offending file.
    func testNonBPEModelsAreRejectedNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        let bpe = try tinyModel(.bpe, named: "bpe.model", in: dir)
        let unigram = try tinyModel(.unigram, named: "unigram.model", in: dir)
        let load = SentencePieceModel.load
        XCTAssertThrowsError(try VocabularyMerger.merge(base: load(bpe), basePath: bpe, add: load(unigram), addPath: unigram, policy: .belowBase)) { error in
            XCTAssertTrue("\(error)".hasPrefix(unigram + ": unsupported model: model_type UNIGRAM"), "\(error)")
        }
        XCTAssertThrowsError(try VocabularyMerger.merge(base: load(unigram), basePath: unigram, add: load(bpe), addPath: bpe, policy: .belowBase)) { error in
            XCTAssertTrue("\(error)".hasPrefix(unigram + ": unsupported model"), "\(error)")
        }
        let merged = try VocabularyMerger.merge(base: load(bpe), basePath: bpe, add: load(bpe), addPath: bpe, policy: .chineseLLaMA)
        XCTAssertEqual(merged.overlap, 1)
    }

    /// A merge whose Hugging Face export fails (a base with a precompiled charsmap and
    /// remove_extra_whitespaces) writes nothing: no partial new folder, an old one untouched.
    func testFailedMergeLeavesNoPartialOutput() throws {
        let dir = try TemporaryDirectory()
        let base = try TokenizerFixtures.trainKoreanModel(in: dir, name: "nfkc-base", options: "vocab_size=1200, character_coverage=0.999")
        let add = try TokenizerFixtures.trainKoreanModel(in: dir, name: "add", options: "vocab_size=1500, character_coverage=0.999")
        let baseModel = try SentencePieceModel.load(path: base), addModel = try SentencePieceModel.load(path: add)
        let result = try VocabularyMerger.merge(base: baseModel, basePath: base, add: addModel, addPath: add, policy: .chineseLLaMA)
        let report = try MergeReport.measure(base: baseModel, addedModel: addModel, result: result, policy: .chineseLLaMA, korean: nil, others: [])
        let parent = dir.file("out")
        try FileSystem.createDirectory(parent)
        XCTAssertThrowsError(try MergedTokenizerWriter.write(result: result, report: report, to: parent + "/merged")) { error in
            XCTAssertTrue("\(error)".hasPrefix(base + ": unsupported model: Hugging Face export"), "\(error)")
        }
        XCTAssertEqual(try FileSystem.listDirectory(parent), [], "no output folder and no temporary folder left")

        // An existing output folder keeps its files, byte for byte.
        let existing = dir.file("existing")
        try AtomicFileWriter.write("old model", to: existing + "/tokenizer.model")
        try AtomicFileWriter.write("keep me", to: existing + "/notes.txt")
        XCTAssertThrowsError(try MergedTokenizerWriter.write(result: result, report: report, to: existing))
        XCTAssertEqual(try FileSystem.listDirectory(existing), ["notes.txt", "tokenizer.model"])
        XCTAssertEqual(try String(contentsOfFile: existing + "/tokenizer.model", encoding: .utf8), "old model")
        XCTAssertEqual(try FileSystem.listDirectory(dir.path).filter { $0.hasPrefix(".") }, [])
    }

    /// A successful merge into an existing folder replaces its files and leaves others alone.
    func testMergeIntoAnExistingFolderReplacesOnlyItsFiles() throws {
        let dir = try TemporaryDirectory()
        let out = dir.file("merged")
        try AtomicFileWriter.write("old model", to: out + "/tokenizer.model")
        try AtomicFileWriter.write("keep me", to: out + "/notes.txt")
        let (_, written, result, _) = try merged(policy: .belowBase, in: dir)
        XCTAssertEqual(written, out)
        XCTAssertEqual(try FileSystem.listDirectory(out), ["merge-report.json", "new_token_init.jsonl", "notes.txt", "special_tokens_map.json",
                                                          "tokenizer.json", "tokenizer.model", "tokenizer_config.json"])
        XCTAssertEqual(try SentencePieceModel.load(path: out + "/tokenizer.model").pieces.count, result.model.pieces.count)
        XCTAssertEqual(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8), "keep me")
    }

    func testChineseLLaMAPolicyAppendsEveryNewPieceWithScoreZero() throws {
        let dir = try TemporaryDirectory()
        let (base, out, result, report) = try merged(policy: .chineseLLaMA, in: dir)
        let baseCount = try SentencePieceModel.load(path: base).pieces.count
        let mergedModel = try SentencePieceModel.load(path: out + "/tokenizer.model")
        XCTAssertEqual(mergedModel.pieces.count, baseCount + result.added.count)
        XCTAssertTrue(mergedModel.pieces.dropFirst(baseCount).allSatisfy { $0.score == 0 })
        XCTAssertEqual(report.skippedByPolicy, 0)
        XCTAssertTrue(result.added.contains { !VocabularyMerger.containsHangul($0.piece) })
        XCTAssertEqual(try SentencePieceProcessor(path: out).encode(lines: TokenizerFixtures.lines()),
                       try TokenizerFixtures.sentencepieceIds(model: out + "/tokenizer.model"))
    }
}
