import Corpus
import Evaluation
import Foundation
import TestSupport
import XCTest

final class ClassificationMetricsTests: XCTestCase {
    /// Gold 4 A, 2 B, 2 C; C is never predicted. Confusion (rows gold, columns predicted):
    /// A [3 1 0], B [1 1 0], C [1 1 0]. By hand: P = (3/5, 1/3, 0), R = (3/4, 1/2, 0),
    /// F1 = (2/3, 2/5, 0); macro P = 14/45, macro R = 5/12; the paper's F1 = 2PR/(P+R) = 140/393;
    /// KLUE's macro-F1 = (2/3 + 2/5 + 0)/3 = 16/45.
    func testHandComputedConfusionWithANeverPredictedClass() throws {
        let m = try ClassificationMetrics(gold: [0, 0, 0, 0, 1, 1, 2, 2], predicted: [0, 0, 0, 1, 1, 0, 0, 1], labels: ["A", "B", "C"])
        XCTAssertEqual(m.confusion, [[3, 1, 0], [1, 1, 0], [1, 1, 0]])
        XCTAssertEqual(m.accuracy, 0.5)
        XCTAssertEqual(m.perClass.map(\.precision), [3.0 / 5, 1.0 / 3, 0], accuracy: 1e-15)
        XCTAssertEqual(m.perClass.map(\.recall), [3.0 / 4, 1.0 / 2, 0], accuracy: 1e-15)
        XCTAssertEqual(m.perClass.map(\.f1), [2.0 / 3, 2.0 / 5, 0], accuracy: 1e-15)
        XCTAssertEqual(m.perClass.map(\.support), [4, 2, 2])
        XCTAssertEqual(m.perClass.map(\.predicted), [5, 3, 0])
        XCTAssertEqual(m.precision, 14.0 / 45, accuracy: 1e-15)
        XCTAssertEqual(m.recall, 5.0 / 12, accuracy: 1e-15)
        XCTAssertEqual(m.f1, 140.0 / 393, accuracy: 1e-15)
        XCTAssertEqual(m.macroF1, 16.0 / 45, accuracy: 1e-15)
        XCTAssertEqual(m.unmapped, 0)
    }

    /// An unmapped answer is wrong and lowers its gold class's recall, but adds no false positive;
    /// a class absent from gold and never predicted scores 0 and stays in the averages.
    func testUnmappedPredictionsAndAbsentClasses() throws {
        let m = try ClassificationMetrics(gold: [0, 0, 1, 1], predicted: [0, nil, 1, 1], labels: ["A", "B", "C"])
        XCTAssertEqual(m.confusion, [[1, 0, 0], [0, 2, 0], [0, 0, 0]])
        XCTAssertEqual(m.unmapped, 1)
        XCTAssertEqual(m.accuracy, 0.75)
        XCTAssertEqual(m.perClass.map(\.precision), [1, 1, 0])
        XCTAssertEqual(m.perClass.map(\.recall), [0.5, 1, 0])
        XCTAssertEqual(m.precision, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(m.recall, 0.5, accuracy: 1e-15)
        XCTAssertEqual(m.f1, 4.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(m.macroF1, (2.0 / 3 + 1) / 3, accuracy: 1e-15)
    }

    func testInvalidInputsAreErrors() {
        XCTAssertThrowsError(try ClassificationMetrics(gold: [0], predicted: [0, 1], labels: ["A", "B"])) {
            XCTAssertEqual($0 as? MetricsError, .lengthMismatch(gold: 1, predicted: 2))
        }
        XCTAssertThrowsError(try ClassificationMetrics(gold: [0, 2], predicted: [0, 1], labels: ["A", "B"])) {
            XCTAssertEqual($0 as? MetricsError, .labelOutOfRange(index: 1, label: 2, classCount: 2))
        }
        XCTAssertThrowsError(try ClassificationMetrics(gold: [0], predicted: [-1], labels: ["A", "B"])) {
            XCTAssertEqual($0 as? MetricsError, .labelOutOfRange(index: 0, label: -1, classCount: 2))
        }
        XCTAssertThrowsError(try ClassificationMetrics(gold: [], predicted: [], labels: ["A"])) { XCTAssertEqual($0 as? MetricsError, .empty) }
    }

    func testMetricsJSONKeys() throws {
        let m = try ClassificationMetrics(gold: [0, 1], predicted: [0, 0], labels: ["IT과학", "경제"])
        let object = try JSONSerialization.jsonObject(with: JSONLines.makeEncoder().encode(m)) as! [String: Any]
        XCTAssertEqual(Set(object.keys), ["accuracy", "precision", "recall", "f1", "macro_f1", "per_class", "confusion", "labels", "count", "unmapped"])
        XCTAssertEqual(object["labels"] as? [String], ["IT과학", "경제"])
        XCTAssertEqual(object["confusion"] as? [[Int]], [[1, 0], [1, 0]])
        let perClass = object["per_class"] as! [[String: Any]]
        XCTAssertEqual(Set(perClass[0].keys), ["label", "precision", "recall", "f1", "support", "predicted"])
        XCTAssertEqual(try JSONDecoder().decode(ClassificationMetrics.self, from: JSONLines.makeEncoder().encode(m)), m)
    }

    /// Same figures as sklearn's precision_recall_fscore_support(labels=range(K), zero_division=0),
    /// on 600 random predictions over 7 classes of which one is never predicted.
    func testParityWithScikitLearn() throws {
        try PythonPeer.require("sklearn", "numpy")
        var rng = SplitMix64(seed: 5)
        let gold = (0..<600).map { _ in Int(rng.next() % 7) }
        let predicted: [Int] = gold.map { g in rng.next() % 3 == 0 ? Int(rng.next() % 6) : min(g, 5) }
        let m = try ClassificationMetrics(gold: gold, predicted: predicted, labels: (0..<7).map { "c\($0)" })
        let script = """
            import json, sys
            from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
            d = json.load(sys.stdin); g, p, L = d["gold"], d["predicted"], list(range(7))
            P, R, F, S = precision_recall_fscore_support(g, p, labels=L, zero_division=0)
            mp, mr, mf, _ = precision_recall_fscore_support(g, p, labels=L, zero_division=0, average="macro")
            print(json.dumps({"accuracy": accuracy_score(g, p), "P": P.tolist(), "R": R.tolist(), "F": F.tolist(),
                              "S": S.tolist(), "macro_p": mp, "macro_r": mr, "macro_f1": mf,
                              "confusion": confusion_matrix(g, p, labels=L).tolist()}))
            """
        let input = String(decoding: try JSONEncoder().encode(["gold": gold, "predicted": predicted]), as: UTF8.self)
        let out = try JSONSerialization.jsonObject(with: Data(try PythonPeer.run(script, stdin: input).utf8)) as! [String: Any]
        XCTAssertEqual(m.perClass[6].predicted, 0)
        XCTAssertEqual(m.accuracy, out["accuracy"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(m.perClass.map(\.precision), out["P"] as! [Double], accuracy: 1e-12)
        XCTAssertEqual(m.perClass.map(\.recall), out["R"] as! [Double], accuracy: 1e-12)
        XCTAssertEqual(m.perClass.map(\.f1), out["F"] as! [Double], accuracy: 1e-12)
        XCTAssertEqual(m.perClass.map(\.support), out["S"] as! [Int])
        XCTAssertEqual(m.precision, out["macro_p"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(m.recall, out["macro_r"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(m.macroF1, out["macro_f1"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(m.confusion, out["confusion"] as! [[Int]])
        let (p, r) = (out["macro_p"] as! Double, out["macro_r"] as! Double)
        XCTAssertEqual(m.f1, 2 * p * r / (p + r), accuracy: 1e-12)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
