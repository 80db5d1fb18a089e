import Corpus
import Foundation
import TestSupport
import XCTest
import Tokenization

/// Which family `TokenizerLoader` opens for a file or folder.
final class TokenizerLoaderTests: XCTestCase {
    func testFilesAndFoldersOfEitherFamily() throws {
        let dir = try TemporaryDirectory()
        let json = TokenizerFixtures.directory + "/llama3-style-tokenizer.json"
        XCTAssertTrue(try TokenizerLoader.load(path: json) is ByteLevelBPETokenizer)
        try AtomicFileWriter.write(try FileSystem.readAll(json), to: dir.file("bb/tokenizer.json"))
        XCTAssertEqual(try TokenizerLoader.file(for: dir.file("bb")), dir.file("bb/tokenizer.json"))
        XCTAssertEqual(try TokenizerLoader.load(path: dir.file("bb")).vocabularySize, 600)
        // A folder with both is a SentencePiece folder (tokenizer.json is its Hugging Face export).
        try AtomicFileWriter.write([1], to: dir.file("both/tokenizer.json"))
        try AtomicFileWriter.write([2], to: dir.file("both/tokenizer.model"))
        XCTAssertEqual(try TokenizerLoader.file(for: dir.file("both")), dir.file("both/tokenizer.model"))
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try TokenizerLoader.load(path: dir.file("empty"))) { e in
            XCTAssertEqual("\(e)", "\(dir.file("empty")): invalid model: the folder holds neither tokenizer.model nor tokenizer.json")
        }
        XCTAssertThrowsError(try TokenizerLoader.load(path: dir.file("missing.json"))) { e in XCTAssertTrue("\(e)".contains("missing.json"), "\(e)") }
    }
}
