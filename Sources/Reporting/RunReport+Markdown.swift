extension RunReport {
    /// `report.md`: the report as Markdown tables (the plots are in report.html).
    public func markdown() -> String {
        var s = "# Run report: \(name)\n\nCreated \(created). Plots: report.html; figures: report.json.\n\n"
        s += highlights.map { "- \($0)\n" }.joined()
        if let corpus {
            s += "\n## Corpus\n\n| split | documents | characters |\n|---|---:|---:|\n"
            s += corpus.splits.map { "| \($0.split) | \($0.documents) | \($0.characters) |\n" }.joined()
            let splitNames = corpus.splits.map(\.split)
            s += "\n| site | input | kept | filtered | rights excluded | " + splitNames.joined(separator: " | ") + " |\n"
            s += "|---|---:|---:|---:|---:|" + String(repeating: "---:|", count: splitNames.count) + "\n"
            for site in corpus.sites {
                let perSplit = splitNames.map { name in String(site.splits.first { $0.split == name }?.documents ?? 0) }
                s += "| \(site.site) | \(site.input) | \(site.kept) | \(site.filtered) | \(site.rightsExcluded) | " + perSplit.joined(separator: " | ") + " |\n"
            }
            s += "\n| filter reason | documents |\n|---|---:|\n"
            s += corpus.filterReasons.map { "| \($0.reason) | \($0.documents) |\n" }.joined()
            s += "\n\(corpus.runs) clean run\(corpus.runs == 1 ? "" : "s").\n"
        }
        if let t = tokenizer {
            s += "\n## Tokenizer\n\n| | base | merged |\n|---|---:|---:|\n"
            s += "| pieces | \(t.basePieces) | \(t.mergedPieces) |\n"
            s += "| tokens per Hangul syllable | \(Self.decimal(t.tokensPerHangulSyllable.before, 4)) | \(Self.decimal(t.tokensPerHangulSyllable.after, 4)) |\n"
            s += "\nFamily \(t.family); \(t.piecesAdded) pieces added"
            if let e = t.englishUnchangedPercent { s += "; English lines tokenized as by the base: \(Self.decimal(e, 2))%" }
            s += ".\n"
        }
        if !training.isEmpty {
            s += "\n## Training\n\n| run | steps | first loss | last loss | last validation loss |\n|---|---:|---:|---:|---:|\n"
            for curve in training {
                s += "| \(curve.run) | \(curve.train.last?.step ?? 0) | \(curve.train.first.map { Self.decimal($0.value, 4) } ?? "") | "
                    + "\(curve.train.last.map { Self.decimal($0.value, 4) } ?? "") | \(curve.valid.last.map { Self.decimal($0.value, 4) } ?? "") |\n"
            }
        }
        if let p = perplexity {
            s += "\n## Perplexity\n\n| split | documents | tokens | before | after | change |\n|---|---:|---:|---:|---:|---:|\n"
            s += "| \(p.split) | \(p.documents) | \(p.tokens) | \(Self.decimal(p.before)) | \(Self.decimal(p.after)) | \(Self.signedPercent(p.after / p.before - 1)) |\n"
        }
        if let y = ynat {
            let columns = [y.model] + (y.baseline.map { [$0] } ?? [])
            s += "\n## YNAT\n\n| | " + columns.map(\.name).joined(separator: " | ") + " |\n|---|" + String(repeating: "---:|", count: columns.count) + "\n"
            for (label, value) in Self.metricRows {
                s += "| \(label) | " + columns.map { Self.decimal(value($0), 4) }.joined(separator: " | ") + " |\n"
            }
            s += "| examples | " + columns.map { String($0.examples) }.joined(separator: " | ") + " |\n"
            s += "\nPer-class F1:\n\n| topic | " + columns.map(\.name).joined(separator: " | ") + " |\n|---|" + String(repeating: "---:|", count: columns.count) + "\n"
            for (i, label) in y.model.labels.enumerated() {
                s += "| \(label) | " + columns.map { i < $0.perClassF1.count ? Self.decimal($0.perClassF1[i], 4) : "" }.joined(separator: " | ") + " |\n"
            }
            s += "\nConfusion matrix of \(y.model.name) (rows gold, columns predicted):\n\n| | " + y.model.labels.joined(separator: " | ") + " |\n|---|"
                + String(repeating: "---:|", count: y.model.labels.count) + "\n"
            for (i, row) in y.model.confusion.enumerated() where i < y.model.labels.count {
                s += "| \(y.model.labels[i]) | " + row.map(String.init).joined(separator: " | ") + " |\n"
            }
        }
        if !stages.isEmpty {
            s += "\n## Stages\n\n| stage | status | seconds | budget | command |\n|---|---|---:|---:|---|\n"
            for t in stages {
                let command = t.command.map { "`" + $0.replacingOccurrences(of: "|", with: "\\|") + "`" } ?? ""
                s += "| \(t.stage) | \(t.status) | \(Self.decimal(t.seconds, 1)) | \(t.budgetSeconds.map { Self.decimal($0, 0) } ?? "") | \(command) |\n"
            }
            s += "| total | | \(Self.decimal(totalSeconds, 1)) | \(totalBudgetSeconds.map { Self.decimal($0, 0) } ?? "") |\n"
        }
        return s
    }

    /// The headline figures of a classifier, in the order the paper's table lists them.
    static let metricRows: [(String, @Sendable (ClassifierScores) -> Double)] = [
        ("accuracy", { $0.accuracy }), ("macro precision", { $0.precision }), ("macro recall", { $0.recall }),
        ("F1 (paper)", { $0.f1 }), ("macro-F1 (KLUE)", { $0.macroF1 }),
    ]
}
