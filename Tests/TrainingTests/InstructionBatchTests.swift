import Corpus
import Packing
import Tokenization
import Training
import XCTest

/// One token per Unicode scalar (id = 3 + scalar value mod 997): sequence lengths the tests can
/// count by hand. BOS 1, EOS 2, no pad.
private struct ScalarTokenizer: TextTokenizer {
    var vocabularySize: Int { 1000 }
    var bosId: Int32? { 1 }
    var eosId: Int32? { 2 }
    var padId: Int32? { nil }
    func encode(_ text: String) -> [Int32] { text.unicodeScalars.map { 3 + Int32($0.value % 997) } }
    func encode(lines: [[UInt8]], threads: Int) throws -> [[Int32]] { lines.map { encode(String(decoding: $0, as: UTF8.self)) } }
    func decode(_ ids: [Int32]) throws -> String { String(ids.count) }
    func piece(_ id: Int) -> String { String(id) }
}

final class InstructionBatchTests: XCTestCase {
    private let template = PromptTemplate.koreanAlpaca
    private let example = AlpacaExample(instruction: "분류하세요", input: "유튜브 공간 운영", output: "생활문화")

    private func promptCount(_ input: String) -> Int {
        template.prompt(instruction: example.instruction, input: input).unicodeScalars.count
    }

    func testSequenceIsBOSPromptResponseEOSAndOnlyResponseAndEOSArePredicted() throws {
        let encoder = try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: 512, addsBOS: true)
        let s = try XCTUnwrap(encoder.encode(example))
        let tok = ScalarTokenizer()
        let prompt = tok.encode(template.prompt(instruction: example.instruction, input: example.input))
        XCTAssertEqual(s.tokens, [1] + prompt + tok.encode("생활문화") + [2])
        XCTAssertEqual(s.promptLength, 1 + prompt.count)
        XCTAssertEqual(s.truncation, .none)

        // Two rows of different lengths in one batch: right padding, targets only where the next
        // token is a response token or EOS.
        let short = try XCTUnwrap(encoder.encode(AlpacaExample(instruction: "짧게", output: "네")))
        let batch = TrainingBatch(instructions: [s, short], padId: 0)
        XCTAssertEqual(batch.seqLen, s.tokens.count)
        XCTAssertEqual(batch.batchSize, 2)
        let targets = batch.nextTokenTargets
        for (row, seq) in [s, short].enumerated() {
            let base = row * batch.seqLen
            for t in 0..<batch.seqLen {
                let expected: Int32 = (seq.promptLength - 1..<seq.tokens.count - 1).contains(t) ? seq.tokens[t + 1] : -1
                XCTAssertEqual(targets[base + t], expected, "row \(row) position \(t)")
            }
            XCTAssertEqual(Array(batch.tokens[base + seq.tokens.count..<base + batch.seqLen]),
                           [Int32](repeating: 0, count: batch.seqLen - seq.tokens.count), "right padding")
        }
        // 4 response scalars + EOS and 1 + EOS are predicted, nothing else.
        XCTAssertEqual(targets.filter { $0 >= 0 }.count, 5 + 2)
    }

    func testBOSFollowsTheTokenizersConvention() throws {
        // Not SentencePiece: no BOS unless asked.
        let encoder = try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: 512)
        XCTAssertFalse(encoder.addsBOS)
        let s = try XCTUnwrap(encoder.encode(example))
        XCTAssertEqual(s.promptLength, promptCount(example.input))
        XCTAssertNotEqual(s.tokens.first, 1)
    }

    func testLongInputsAreShortenedFromTheirEndThenClippedThenDropped() throws {
        let full = promptCount(example.input) + 4 + 1   // prompt, 4 response scalars, EOS (no BOS)
        // Three input characters too many: the input loses exactly three from its end, the rest stays whole.
        let e1 = try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: full - 3)
        let s1 = try XCTUnwrap(e1.encode(example))
        XCTAssertEqual(s1.truncation, .input)
        XCTAssertEqual(s1.tokens.count, full - 3)
        let shortened = String(example.input.dropLast(3))
        XCTAssertEqual(Array(s1.tokens[..<s1.promptLength]),
                       ScalarTokenizer().encode(template.prompt(instruction: example.instruction, input: shortened)))
        XCTAssertEqual(Array(s1.tokens[s1.promptLength...]), ScalarTokenizer().encode("생활문화") + [2])

        // Too short for even one input character and the whole response: cut at the limit from the end.
        let oneChar = promptCount("유")
        let e2 = try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: oneChar + 2)
        let s2 = try XCTUnwrap(e2.encode(example))
        XCTAssertEqual(s2.truncation, .clipped)
        XCTAssertEqual(s2.tokens.count, oneChar + 2)
        XCTAssertEqual(s2.promptLength, oneChar)
        XCTAssertNotEqual(s2.tokens.last, 2, "clipping loses EOS")
        let b = TrainingBatch(instructions: [s2], padId: 0)
        XCTAssertEqual(b.nextTokenTargets.filter { $0 >= 0 }.count, 2)

        // The prompt alone does not fit: nothing to learn, dropped.
        XCTAssertNil(try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: oneChar).encode(example))
        XCTAssertThrowsError(try InstructionEncoder(tokenizer: ScalarTokenizer(), maxLength: 2))
    }

    private func sequences(_ count: Int, seed: UInt64) -> [InstructionSequence] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let length = 3 + Int(rng.next() % 60)
            return InstructionSequence(tokens: (0..<length).map { Int32(($0 + i) % 50) }, promptLength: 2)
        }
    }

    func testLengthGroupingIsSeededCoversEachEpochAndSortsWithinMegaBatches() throws {
        let data = sequences(103, seed: 7)
        let a = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 5, seed: 1, padId: 0)
        let b = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 5, seed: 1, padId: 0)
        let other = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 5, seed: 2, padId: 0)
        XCTAssertEqual(a.batchesPerEpoch, 26)
        for epoch in 0..<3 {
            let batches = a.batches(epoch: epoch)
            XCTAssertEqual(batches, b.batches(epoch: epoch))
            XCTAssertNotEqual(batches, other.batches(epoch: epoch))
            XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<103), "each example once per epoch")
            XCTAssertEqual(batches.count, 26)
            // Within each mega-batch (5 batches), rows run longest first.
            for m in stride(from: 0, to: batches.count, by: 5) {
                let lengths = batches[m..<min(m + 5, batches.count)].flatMap { $0 }.map { data[$0].tokens.count }
                XCTAssertEqual(lengths, lengths.sorted(by: >))
            }
        }
        XCTAssertNotEqual(a.batches(epoch: 0), a.batches(epoch: 1), "a new order every epoch")

        // Grouping pads far less than the shuffled order would.
        func padding(_ batches: [[Int]]) -> Int {
            batches.reduce(0) { sum, rows in
                let longest = rows.map { data[$0].tokens.count }.max()!
                return sum + rows.reduce(0) { $0 + longest - data[$1].tokens.count }
            }
        }
        let shuffledOnly = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 1, seed: 1, padId: 0)
        XCTAssertLessThan(padding(a.batches(epoch: 0)) * 2, padding(shuffledOnly.batches(epoch: 0)))
    }

    func testLengthGroupedStateResumesExactlyAndRejectsOtherData() throws {
        let data = sequences(30, seed: 3)
        let a = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 2, seed: 9, padId: 0)
        for _ in 0..<11 { _ = try a.nextBatch() }   // into the second epoch (8 batches each)
        let state = try a.savedState()
        let expected = try (0..<9).map { _ in try a.nextBatch() }
        let b = LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 2, seed: 9, padId: 0)
        try b.restore(savedState: state)
        XCTAssertEqual(try (0..<9).map { _ in try b.nextBatch() }, expected)

        for other in [LengthGroupedBatches(Array(data.dropLast()), batchSize: 4, megaBatchFactor: 2, seed: 9, padId: 0),
                      LengthGroupedBatches(data, batchSize: 5, megaBatchFactor: 2, seed: 9, padId: 0),
                      LengthGroupedBatches(data, batchSize: 4, megaBatchFactor: 2, seed: 8, padId: 0)] {
            XCTAssertThrowsError(try other.restore(savedState: state))
        }
    }

    func testValidationBatchesAreFixedShortestFirst() {
        let data = sequences(10, seed: 5)
        let batches = LengthGroupedBatches.fixedBatches(data, batchSize: 4, padId: 0)
        XCTAssertEqual(batches.map(\.batchSize), [4, 4, 2])
        XCTAssertEqual(batches.map(\.seqLen), batches.map(\.seqLen).sorted())
        XCTAssertEqual(batches.reduce(0) { $0 + $1.nextTokenTargets.filter { $0 >= 0 }.count },
                       data.reduce(0) { $0 + $1.tokens.count - $1.promptLength })
    }
}
