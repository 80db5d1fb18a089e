import Training

extension LinearBaseline {
    /// `baseline ynat`'s recipe: trains on the `train` headlines (seeded with `seed`) and
    /// predicts `test`, each prediction with the probability of every topic (rounded to 1e-6).
    public static func evaluateYNAT(train: [YNATExample], test: [YNATExample], epochs: Int, seed: UInt64) throws
        -> (predictions: [PredictionRecord], metrics: ClassificationMetrics) {
        let model = try LinearBaseline(texts: train.map(\.title), labels: train.map(\.label), classCount: YNAT.topics.count,
                                       options: Options(epochs: epochs, seed: seed))
        var predictions: [PredictionRecord] = []
        var predicted: [Int?] = []
        for e in test {
            let p = try model.probabilities(e.title)
            let k = argmax(p)
            predicted.append(k)
            predictions.append(PredictionRecord(
                guid: e.guid, gold: e.labelName, predicted: YNAT.topics[k],
                scores: Dictionary(uniqueKeysWithValues: zip(YNAT.topics, p.map { (Double($0) * 1e6).rounded() / 1e6 }))))
        }
        return (predictions, try ClassificationMetrics(gold: test.map(\.label), predicted: predicted, labels: YNAT.topics))
    }
}
