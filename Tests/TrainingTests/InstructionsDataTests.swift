import Corpus
import TestSupport
import Training
import XCTest

final class InstructionsDataTests: XCTestCase {
    private let fixtures = repositoryRoot + "/Tests/Fixtures/ynat"

    private func write(_ text: String, _ name: String = "data.jsonl", in dir: TemporaryDirectory) throws -> String {
        let path = dir.file(name)
        try AtomicFileWriter.write(text, to: path)
        return path
    }

    private func record(_ guid: String, _ title: String = "제목", label: String = "0", extra: String = "") -> String {
        "{\"guid\": \"\(guid)\", \"title\": \"\(title)\", \"label\": \(label)\(extra)}"
    }

    // MARK: YNAT, the published forms

    func testReadsTheOfficialJSONArrayWithTopicNames() throws {
        let loaded = try YNATExample.load(fixtures + "/ynat_sample.json")
        XCTAssertEqual(loaded.examples.count, 14)
        XCTAssertEqual(loaded.skipped.total, 0)
        XCTAssertEqual(loaded.examples[0], YNATExample(guid: "ynat-v1_train_00000", title: "유튜브 내달 2일까지 크리에이터 지원 공간 운영", label: 3))
        XCTAssertEqual(Dictionary(grouping: loaded.examples, by: \.label).mapValues(\.count), Dictionary(uniqueKeysWithValues: (0..<7).map { ($0, 2) }))
    }

    func testReadsJSONLinesWithIntegerLabelsAndLabelNames() throws {
        let loaded = try YNATExample.load(fixtures + "/ynat_sample.jsonl")
        XCTAssertEqual(loaded.examples.count, 350)
        XCTAssertEqual(Dictionary(grouping: loaded.examples, by: \.label).mapValues(\.count), Dictionary(uniqueKeysWithValues: (0..<7).map { ($0, 50) }))
        // Both files come from the same source: the official form's records agree with the JSONL's.
        let byGUID = Dictionary(uniqueKeysWithValues: loaded.examples.map { ($0.guid, $0) })
        for e in try YNATExample.load(fixtures + "/ynat_sample.json").examples { XCTAssertEqual(byGUID[e.guid], e) }
    }

    func testTopicsAreInKLUEOrder() {
        XCTAssertEqual(YNAT.topics, ["IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치"])
        XCTAssertEqual(YNAT.label(ofTopic: "스포츠"), 5)
        XCTAssertEqual(YNAT.label(ofTopic: "정치".decomposedStringWithCanonicalMapping), 6)
        XCTAssertNil(YNAT.label(ofTopic: "연예"))
    }

    func testLabelFormsGzipAndByteOrderMark() throws {
        let dir = try TemporaryDirectory()
        let text = "\u{FEFF}" + [
            record("a", label: "\"경제\""),
            record("b", label: "2"),
            record("c", label: "3", extra: ", \"label_name\": \"생활문화\""),
            record("d", label: "\"세계\"", extra: ", \"label_name\": \"세계\", \"date\": \"2016.06.30. 오전 10:36\""),
            "",
            record("e", label: "\"\("스포츠".decomposedStringWithCanonicalMapping)\""),
        ].joined(separator: "\n") + "\n"
        let plain = try write(text, in: dir)
        let gz = dir.file("data.jsonl.gz")
        try AtomicFileWriter.write(GzipCompressor.member(Array(text.utf8)), to: gz)
        for path in [plain, gz] {
            let loaded = try YNATExample.load(path)
            XCTAssertEqual(loaded.examples.map(\.label), [1, 2, 3, 4, 5], path)
            XCTAssertEqual(loaded.examples.map(\.guid), ["a", "b", "c", "d", "e"], path)
        }
    }

    func testArrayScannerRespectsStringsAndReportsElementLines() throws {
        let dir = try TemporaryDirectory()
        let path = try write("""
            [
              {"guid": "a", "title": "괄호 ] 와 { 그리고 \\"따옴표\\" ,", "label": "IT과학"},
              {"guid": "b",
               "title": "둘째",
               "label": 7}
            ]
            """, "data.json", in: dir)
        XCTAssertThrowsError(try YNATExample.load(path)) {
            XCTAssertEqual($0 as? InstructionDataError, .labelOutOfRange(InputPosition(path: path, line: 3), label: 7, classCount: 7))
        }
        let loaded = try YNATExample.load(path, skipInvalid: true)
        XCTAssertEqual(loaded.examples.map(\.title), ["괄호 ] 와 { 그리고 \"따옴표\" ,"])
        XCTAssertEqual(loaded.skipped.counts, [.labelOutOfRange: 1])
    }

    // MARK: YNAT, malformed records

    func testEachBadRecordNamesFileLineAndReason() throws {
        let cases: [(String, (InputPosition) -> InstructionDataError)] = [
            (record("x", label: "9"), { .labelOutOfRange($0, label: 9, classCount: 7) }),
            (record("x", label: "-1"), { .labelOutOfRange($0, label: -1, classCount: 7) }),
            (record("x", label: "\"연예\""), { .unknownLabel($0, label: "연예") }),
            (record("x", label: "1", extra: ", \"label_name\": \"사회\""), { .labelMismatch($0, label: "1", labelName: "사회") }),
            (record("x", label: "\"경제\"", extra: ", \"label_name\": \"정치\""), { .labelMismatch($0, label: "경제", labelName: "정치") }),
            (record("x", label: "1.5"), { .wrongType($0, field: "label", expected: "an integer or a topic name") }),
            (record("x", label: "true"), { .wrongType($0, field: "label", expected: "an integer or a topic name") }),
            (record("x", label: "null"), { .missingField($0, field: "label") }),
            (record("x", " \\t "), { .emptyField($0, field: "title") }),
            ("{\"guid\": \"x\", \"label\": 0}", { .missingField($0, field: "title") }),
            ("{\"guid\": \"x\", \"title\": 5, \"label\": 0}", { .wrongType($0, field: "title", expected: "a string") }),
            (record("x", label: "0", extra: ", \"label_name\": 0"), { .wrongType($0, field: "label_name", expected: "a string") }),
            (record("a"), { .duplicateGUID($0, guid: "a", firstLine: 1) }),
            ("{\"guid\": \"x\", \"title\": ", { .invalidRecord($0, detail: "not valid JSON") }),
            ("[\"x\"]", { .invalidRecord($0, detail: "not a JSON object") }),
        ]
        let dir = try TemporaryDirectory()
        for (bad, expected) in cases {
            let path = try write(record("a") + "\n" + bad + "\n" + record("b") + "\n", in: dir)
            XCTAssertThrowsError(try YNATExample.load(path), bad) {
                XCTAssertEqual($0 as? InstructionDataError, expected(InputPosition(path: path, line: 2)), bad)
            }
            let loaded = try YNATExample.load(path, skipInvalid: true)
            XCTAssertEqual(loaded.examples.map(\.guid), ["a", "b"], bad)
            XCTAssertEqual(loaded.skipped.total, 1, bad)
            XCTAssertEqual(loaded.skipped.firstErrors, [expected(InputPosition(path: path, line: 2))], bad)
        }
    }

    func testSkippedRecordsAreCountedByReason() throws {
        let dir = try TemporaryDirectory()
        let path = try write([record("a"), record("a"), record("b", label: "8"), record("c", "  "), record("a"), "oops", record("d")]
            .joined(separator: "\n"), in: dir)
        let loaded = try YNATExample.load(path, skipInvalid: true)
        XCTAssertEqual(loaded.examples.map(\.guid), ["a", "d"])
        XCTAssertEqual(loaded.skipped.counts, [.duplicateGUID: 2, .labelOutOfRange: 1, .emptyField: 1, .invalidRecord: 1])
        XCTAssertEqual(loaded.skipped.summary, "5 skipped (duplicate_guid 2, empty_field 1, invalid_record 1, label_out_of_range 1)")
    }

    func testBrokenArraysAlwaysFailWithPosition() throws {
        let good = record("a", label: "\"경제\"")
        let cases: [(String, String, Int)] = [
            ("[\n\(good)\n\(record("b"))\n]", "expected ',' or ']' between records", 3),
            ("[\n\(good),\n]", "expected a record after ','", 3),
            ("[\n\(good),,\(record("b"))]", "expected a record after ','", 2),
            ("[\n\(good)\n", "unterminated array (no closing ']')", 2),
            ("[\n{\"guid\": \"a\", \"title\": \"열린 문자열\n", "unterminated string in the record starting here", 2),
            ("[\n{\"guid\": \"a\", \"meta\": {\"x\": [1, 2]}\n", "the record starting here is not closed", 2),
            ("[\n\(good)\n]\n{}", "data after the closing ']'", 4),
        ]
        let dir = try TemporaryDirectory()
        for (text, detail, line) in cases {
            let path = try write(text, "data.json", in: dir)
            for skip in [false, true] {
                XCTAssertThrowsError(try YNATExample.load(path, skipInvalid: skip), text) {
                    guard case let .malformedFile(pos, d)? = $0 as? InstructionDataError else { return XCTFail("\($0)") }
                    XCTAssertEqual(d, detail, text)
                    XCTAssertEqual(pos.path, path)
                    XCTAssertEqual(pos.line, line, text)
                }
            }
        }
    }

    func testEmptyInputsAndOversizedRecords() throws {
        let dir = try TemporaryDirectory()
        for text in ["", "\n  \n", "[]", "[\n]\n"] {
            let path = try write(text, in: dir)
            XCTAssertThrowsError(try YNATExample.load(path)) { XCTAssertEqual($0 as? InstructionDataError, .noRecords(path: path, skipped: 0)) }
        }
        let allBad = try write(record("x", label: "9"), in: dir)
        XCTAssertThrowsError(try YNATExample.load(allBad, skipInvalid: true)) {
            XCTAssertEqual($0 as? InstructionDataError, .noRecords(path: allBad, skipped: 1))
        }
        let endless = try write("[{\"guid\": \"a\", \"title\": [" + String(repeating: "[1],\n", count: 300_000), "data.json", in: dir)
        XCTAssertThrowsError(try YNATExample.load(endless, skipInvalid: true)) {
            XCTAssertEqual($0 as? InstructionDataError, .recordTooLong(InputPosition(path: endless, line: 1), limit: 1 << 20))
        }
        XCTAssertThrowsError(try YNATExample.load(dir.file("missing.json"))) { XCTAssertTrue($0 is CorpusError) }
    }

    // MARK: Alpaca

    func testReadsAlpacaArraysAndLines() throws {
        let dir = try TemporaryDirectory()
        let array = try write("""
            [
                {"instruction": "세 가지 색을 말하세요.", "input": "", "output": "빨강, 파랑, 노랑"},
                {"instruction": "번역하세요.", "input": "Hello", "output": "안녕하세요"},
                {"instruction": "요약하세요.", "input": null, "output": "요약", "id": 3}
            ]
            """, "alpaca.json", in: dir)
        let lines = try write("""
            {"instruction": "세 가지 색을 말하세요.", "output": "빨강, 파랑, 노랑"}
            {"instruction": "번역하세요.", "input": "Hello", "output": "안녕하세요"}
            {"instruction": "요약하세요.", "output": "요약"}
            """, "alpaca.jsonl", in: dir)
        let expected = [
            AlpacaExample(instruction: "세 가지 색을 말하세요.", output: "빨강, 파랑, 노랑"),
            AlpacaExample(instruction: "번역하세요.", input: "Hello", output: "안녕하세요"),
            AlpacaExample(instruction: "요약하세요.", output: "요약"),
        ]
        XCTAssertEqual(try AlpacaExample.load(array).examples, expected)
        XCTAssertEqual(try AlpacaExample.load(lines).examples, expected)
    }

    func testBadAlpacaRecords() throws {
        let cases: [(String, (InputPosition) -> InstructionDataError)] = [
            ("{\"instruction\": \"a\"}", { .missingField($0, field: "output") }),
            ("{\"output\": \"a\"}", { .missingField($0, field: "instruction") }),
            ("{\"instruction\": \"\", \"output\": \"a\"}", { .emptyField($0, field: "instruction") }),
            ("{\"instruction\": \"a\", \"output\": \"\\n\"}", { .emptyField($0, field: "output") }),
            ("{\"instruction\": \"a\", \"input\": [1], \"output\": \"b\"}", { .wrongType($0, field: "input", expected: "a string") }),
        ]
        let dir = try TemporaryDirectory()
        for (bad, expected) in cases {
            let path = try write("[\n{\"instruction\": \"i\", \"output\": \"o\"},\n" + bad + "\n]", "alpaca.json", in: dir)
            XCTAssertThrowsError(try AlpacaExample.load(path), bad) {
                XCTAssertEqual($0 as? InstructionDataError, expected(InputPosition(path: path, line: 3)), bad)
            }
            let loaded = try AlpacaExample.load(path, skipInvalid: true)
            XCTAssertEqual(loaded.examples, [AlpacaExample(instruction: "i", output: "o")])
            XCTAssertEqual(loaded.skipped.total, 1)
        }
    }
}
