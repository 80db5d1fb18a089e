import Foundation

/// What the Markdown and HTML views share: the headline facts and number formats.
extension RunReport {
    /// One sentence per section the run reached, for the top of both views.
    public var highlights: [String] {
        var out: [String] = []
        if let corpus {
            let splits = corpus.splits.map { "\($0.split) \($0.documents)" }.joined(separator: ", ")
            let kept = corpus.splits.reduce(0) { $0 + $1.documents }
            let excluded = corpus.sites.reduce(0) { $0 + $1.rightsExcluded }
            out.append("Corpus: \(kept) documents from \(corpus.sites.count) sites (\(splits)); \(excluded) excluded for a rights reservation.")
        }
        if let t = tokenizer {
            var s = "Tokenizer (\(t.family)): \(t.piecesAdded) Korean pieces added to \(t.basePieces); tokens per Hangul syllable "
                + "\(Self.decimal(t.tokensPerHangulSyllable.before)) → \(Self.decimal(t.tokensPerHangulSyllable.after))"
            if let e = t.englishUnchangedPercent { s += "; English lines unchanged \(Self.decimal(e, 1))%" }
            out.append(s + ".")
        }
        if let p = perplexity {
            out.append("Perplexity on \(p.documents) held-out \(p.split) articles: \(Self.decimal(p.before)) → \(Self.decimal(p.after)) "
                       + "(\(Self.signedPercent(p.after / p.before - 1))).")
        }
        if let y = ynat {
            var s = "YNAT: F1 \(Self.decimal(y.model.f1, 3)), accuracy \(Self.decimal(y.model.accuracy, 3))"
            if let b = y.baseline { s += " (linear baseline: F1 \(Self.decimal(b.f1, 3)), accuracy \(Self.decimal(b.accuracy, 3)))" }
            out.append(s + ".")
        }
        if !stages.isEmpty {
            let ran = stages.filter { $0.status == "ran" }.count
            out.append("Stages: \(ran) ran, \(stages.count - ran) skipped (unchanged); \(Self.decimal(totalSeconds, 1)) s"
                       + (totalBudgetSeconds.map { " of a \(Self.decimal($0, 0)) s budget" } ?? "") + ".")
        }
        return out
    }

    /// Wall time of all stages (each from the run that made its outputs).
    public var totalSeconds: Double { stages.reduce(0) { $0 + $1.seconds } }

    /// The stages' budgets together (nil when a stage has none).
    public var totalBudgetSeconds: Double? {
        stages.isEmpty || stages.contains { $0.budgetSeconds == nil } ? nil : stages.reduce(0) { $0 + $1.budgetSeconds! }
    }

    static func decimal(_ v: Double, _ places: Int = 2) -> String {
        v.isFinite ? String(format: "%.\(places)f", v) : "n/a"
    }

    static func signedPercent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%+.1f%%", fraction * 100) : "n/a"
    }
}
