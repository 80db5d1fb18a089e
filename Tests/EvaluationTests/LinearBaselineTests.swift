import Corpus
import Evaluation
import Foundation
import TestSupport
import Training
import XCTest

final class LinearBaselineTests: XCTestCase {
    private let sample = repositoryRoot + "/Tests/Fixtures/ynat/ynat_sample.jsonl"

    func testNGramsOfNFCTextWithSpaceMarkers() throws {
        let f = CharNGramFeaturizer(bucketBits: 20, maxN: 3)
        let v = try f.features("가 나")
        // ▁가▁나▁: 5 unigrams (▁ three times), 4 bigrams, 3 trigrams -> 10 distinct, counts 3,1,1,1...
        XCTAssertEqual(v.indices.count, 10)
        XCTAssertEqual(v.indices, v.indices.sorted())
        XCTAssertEqual(v.values.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-6)
        XCTAssertEqual(v.values.max()!, 3 / Float(3 * 3 + 9).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(try f.features("가 나".decomposedStringWithCanonicalMapping), v)
        XCTAssertEqual(try f.features(" 가 \t  나\n"), v)
        XCTAssertNotEqual(try f.features("가나"), v)
        XCTAssertTrue(try f.features("가 나 다 라 마").indices.allSatisfy { (0..<Int32(f.bucketCount)).contains($0) })
    }

    func testBeatsChanceByAWideMarginAndIsDeterministic() throws {
        let examples = try YNATExample.load(sample).examples
        let splits = try SplitPlan(testFraction: 0.2, seed: 1).apply(to: examples)
        func train() throws -> LinearBaseline {
            try LinearBaseline(texts: splits.train.map(\.title), labels: splits.train.map(\.label), classCount: 7,
                               options: LinearBaseline.Options(seed: 1))
        }
        let a = try train(), b = try train()
        let pa = try splits.test.map { try a.probabilities($0.title) }
        XCTAssertEqual(pa, try splits.test.map { try b.probabilities($0.title) })
        let m = try ClassificationMetrics(gold: splits.test.map(\.label), predicted: pa.map(LinearBaseline.argmax), labels: YNAT.topics)
        // Chance is 1/7 (0.14); 259 training headlines already give about 0.5.
        XCTAssertGreaterThan(m.accuracy, 0.4)
        XCTAssertGreaterThan(m.f1, 0.4)
        // It fits its own training data.
        let trainPredictions = try splits.train.map { try a.predict($0.title) }
        XCTAssertGreaterThan(zip(trainPredictions, splits.train).filter { $0 == $1.label }.count, splits.train.count * 9 / 10)
    }

    func testBaselineCommandWritesPredictionsAndMetrics() throws {
        let out = try TemporaryDirectory()
        let (status, stderr) = try KoLlamaExecutable.run(["baseline", "ynat", "--train", sample, "--out", out.path, "--test-fraction", "0.2",
                                                          "--seed", "1", "--quiet"])
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stderr.contains("trained on 259 (21 held out for validation), tested on 70"), stderr)
        let metrics = try JSONDecoder().decode(ClassificationMetrics.self, from: Data(contentsOf: URL(fileURLWithPath: out.file("metrics.json"))))
        XCTAssertEqual(metrics.count, 70)
        XCTAssertEqual(metrics.labels, YNAT.topics)
        let lines = try String(contentsOfFile: out.file("predictions.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 70)
        let first = try JSONDecoder().decode(PredictionRecord.self, from: Data(lines[0].utf8))
        XCTAssertTrue(YNAT.topics.contains(first.gold) && YNAT.topics.contains(first.predicted ?? ""))
        XCTAssertEqual(first.scores?.count, 7)
        // Same seed, same bytes.
        let again = try TemporaryDirectory()
        XCTAssertEqual(try KoLlamaExecutable.run(["baseline", "ynat", "--train", sample, "--out", again.path, "--test-fraction", "0.2",
                                                  "--seed", "1", "--quiet"]).status, 0)
        for name in ["metrics.json", "predictions.jsonl"] {
            XCTAssertEqual(FileManager.default.contents(atPath: out.file(name)), FileManager.default.contents(atPath: again.file(name)), name)
        }
    }

    func testBaselineCommandFailsOnMalformedDataUnlessSkipping() throws {
        let dir = try TemporaryDirectory()
        var text = try String(contentsOfFile: sample, encoding: .utf8)
        text += "{\"guid\": \"bad\", \"title\": \"제목\", \"label\": 12}\n"
        let path = dir.file("bad.jsonl")
        try AtomicFileWriter.write(text, to: path)
        let failed = try KoLlamaExecutable.run(["baseline", "ynat", "--train", path, "--out", dir.file("out"), "--quiet"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("\(path):351: label 12 is outside 0..<7"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("out/metrics.json")))
        let skipped = try KoLlamaExecutable.run(["baseline", "ynat", "--train", path, "--out", dir.file("out"), "--quiet", "--skip-invalid"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("\(path): 1 skipped (label_out_of_range 1)"), skipped.stderr)
    }
}
