/// Classification figures over K classes from gold and predicted labels, as the Ko-LLaMA paper
/// reports YNAT and as KLUE does: accuracy; macro precision and macro recall (per-class figures
/// averaged over all K classes); the paper's F1, the harmonic mean of macro P and macro R (its
/// eq. 7); KLUE's macro-F1, the mean of per-class F1; per-class figures and the confusion matrix.
///
/// Mirrors sklearn's `precision_recall_fscore_support(labels=range(K), zero_division=0)`: a class
/// never predicted has precision 0, a class absent from gold has recall 0, and such classes stay in
/// the macro averages. A prediction of nil (a generated answer that maps to no class) is wrong:
/// it counts against accuracy and its gold class's recall, and is counted in `unmapped`.
public struct ClassificationMetrics: Sendable, Equatable, Codable {
    /// One class's figures.
    public struct ClassFigures: Sendable, Equatable, Codable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Gold examples of the class.
        public var support: Int
        /// Examples predicted as the class.
        public var predicted: Int
    }

    public var labels: [String]
    public var count: Int
    public var accuracy: Double
    /// Macro precision (mean of per-class precision).
    public var precision: Double
    /// Macro recall (mean of per-class recall).
    public var recall: Double
    /// The paper's F1: 2PR / (P + R) of the macro figures above (0 when both are 0).
    public var f1: Double
    /// KLUE's macro-F1: the mean of per-class F1.
    public var macroF1: Double
    public var perClass: [ClassFigures]
    /// `confusion[gold][predicted]`; unmapped predictions appear in no column.
    public var confusion: [[Int]]
    /// Predictions that named no class.
    public var unmapped: Int

    enum CodingKeys: String, CodingKey {
        case labels, count, accuracy, precision, recall, f1, unmapped, confusion
        case macroF1 = "macro_f1", perClass = "per_class"
    }

    public init(gold: [Int], predicted: [Int?], labels: [String]) throws(MetricsError) {
        let k = labels.count
        guard k > 0 else { throw .noClasses }
        guard gold.count == predicted.count else { throw .lengthMismatch(gold: gold.count, predicted: predicted.count) }
        guard !gold.isEmpty else { throw .empty }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var unmappedByClass = [Int](repeating: 0, count: k)
        for (i, (g, p)) in zip(gold, predicted).enumerated() {
            guard (0..<k).contains(g) else { throw .labelOutOfRange(index: i, label: g, classCount: k) }
            if let p {
                guard (0..<k).contains(p) else { throw .labelOutOfRange(index: i, label: p, classCount: k) }
                confusion[g][p] += 1
            } else {
                unmappedByClass[g] += 1
            }
        }
        var perClass: [ClassFigures] = []
        var correct = 0
        for c in 0..<k {
            let tp = confusion[c][c]
            correct += tp
            let predictedAs = (0..<k).reduce(0) { $0 + confusion[$1][c] }
            let support = confusion[c].reduce(unmappedByClass[c], +)
            let p = Self.ratio(tp, predictedAs)
            let r = Self.ratio(tp, support)
            perClass.append(ClassFigures(label: labels[c], precision: p, recall: r, f1: Self.harmonicMean(p, r),
                                         support: support, predicted: predictedAs))
        }
        let kd = Double(k)
        self.labels = labels
        self.count = gold.count
        self.accuracy = Double(correct) / Double(gold.count)
        self.precision = perClass.reduce(0) { $0 + $1.precision } / kd
        self.recall = perClass.reduce(0) { $0 + $1.recall } / kd
        self.f1 = Self.harmonicMean(precision, recall)
        self.macroF1 = perClass.reduce(0) { $0 + $1.f1 } / kd
        self.perClass = perClass
        self.confusion = confusion
        self.unmapped = unmappedByClass.reduce(0, +)
    }

    private static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    private static func harmonicMean(_ p: Double, _ r: Double) -> Double { p + r == 0 ? 0 : 2 * p * r / (p + r) }
}

public enum MetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    case noClasses
    case empty
    case lengthMismatch(gold: Int, predicted: Int)
    case labelOutOfRange(index: Int, label: Int, classCount: Int)

    public var description: String {
        switch self {
        case .noClasses: return "metrics need at least one class"
        case .empty: return "metrics need at least one example"
        case let .lengthMismatch(gold, predicted): return "\(gold) gold labels but \(predicted) predictions"
        case let .labelOutOfRange(index, label, classCount): return "example \(index): label \(label) is outside 0..<\(classCount)"
        }
    }
}
