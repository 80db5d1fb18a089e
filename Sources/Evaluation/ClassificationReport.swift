import Foundation

/// `report.md` of an evaluation: the settings it ran with, the headline figures as the paper
/// reports them (percent, two decimals), per-class figures and the confusion matrix, in
/// GitHub-flavoured Markdown tables.
public enum ClassificationReport {
    /// `details` are (name, value) lines listed under the title, in order.
    public static func markdown(title: String, details: [(String, String)], metrics m: ClassificationMetrics) -> String {
        func pct(_ x: Double) -> String { String(format: "%.2f", 100 * x) }
        var s = "# \(title)\n\n"
        for (name, value) in details { s += "- \(name): \(value)\n" }
        s += "- examples: \(m.count)" + (m.unmapped > 0 ? " (\(m.unmapped) answers named no class and count as wrong)" : "") + "\n\n"
        s += "| accuracy | precision (macro) | recall (macro) | F1 (paper, eq. 7) | macro-F1 (KLUE) |\n|---|---|---|---|---|\n"
        s += "| \(pct(m.accuracy)) | \(pct(m.precision)) | \(pct(m.recall)) | \(pct(m.f1)) | \(pct(m.macroF1)) |\n\n"
        s += "## Per class\n\n| class | precision | recall | F1 | support | predicted |\n|---|---|---|---|---|---|\n"
        for c in m.perClass {
            s += "| \(c.label) | \(pct(c.precision)) | \(pct(c.recall)) | \(pct(c.f1)) | \(c.support) | \(c.predicted) |\n"
        }
        s += "\n## Confusion (rows gold, columns predicted)\n\n| gold \\ predicted | " + m.labels.joined(separator: " | ") + " |\n"
        s += "|---|" + String(repeating: "---|", count: m.labels.count) + "\n"
        for (label, row) in zip(m.labels, m.confusion) {
            s += "| \(label) | " + row.map(String.init).joined(separator: " | ") + " |\n"
        }
        return s
    }
}
