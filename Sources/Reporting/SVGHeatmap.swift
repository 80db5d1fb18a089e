/// A confusion matrix as an inline SVG heatmap, laid out as scikit-learn's
/// `ConfusionMatrixDisplay`: gold classes down the rows, predictions across the columns, each
/// cell showing its count and shaded by its share of the row (the class's recall on the
/// diagonal), so classes of different sizes compare.
public struct SVGHeatmap: Sendable {
    public var title: String
    public var labels: [String]
    /// `counts[gold][predicted]`.
    public var counts: [[Int]]
    public var rowAxis = "gold"
    public var columnAxis = "predicted"

    public init(title: String, labels: [String], counts: [[Int]]) {
        self.title = title
        self.labels = labels
        self.counts = counts
    }

    private var cell: Double { labels.count > 10 ? 28 : 44 }
    private var labelWidth: Double { min(160, (labels.map { SVGMarkup.textWidth($0, fontSize: 11) }.max() ?? 0) + 12) }

    public var width: Double { 40 + labelWidth + Double(labels.count) * cell + 16 }
    public var height: Double { 44 + labelWidth + Double(labels.count) * cell + 16 }

    /// The chart as an `<svg>` element with this `id`.
    public func svg(id: String) -> String {
        let c = SVGMarkup.coordinate
        let left = 40 + labelWidth, top = 44 + labelWidth
        var out = SVGMarkup.open(id: id, width: width, height: height, title: title)
        let n = labels.count
        out += "<text x=\"\(c(left + Double(n) * cell / 2))\" y=\"38\" text-anchor=\"middle\" class=\"axis-label\">\(SVGMarkup.escape(columnAxis))</text>"
        out += "<text transform=\"translate(16 \(c(top + Double(n) * cell / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">\(SVGMarkup.escape(rowAxis))</text>"
        for (j, label) in labels.enumerated() {
            let x = left + (Double(j) + 0.5) * cell
            out += "<text transform=\"translate(\(c(x + 4)) \(c(top - 6))) rotate(-60)\" class=\"tick\">\(SVGMarkup.escape(label))</text>"
        }
        for (i, label) in labels.enumerated() {
            let row = i < counts.count ? counts[i] : []
            let total = row.reduce(0, +)
            let y = top + Double(i) * cell
            out += "<text x=\"\(c(left - 6))\" y=\"\(c(y + cell / 2 + 4))\" text-anchor=\"end\" class=\"tick\">\(SVGMarkup.escape(label))</text>"
            for j in 0..<n {
                let count = j < row.count ? row[j] : 0
                let share = total == 0 ? 0 : Double(count) / Double(total)
                let x = left + Double(j) * cell
                // White to the palette's blue (#0072b2) by share; dark cells get light text.
                let r = Int((255 - share * 255).rounded()), g = Int((255 - share * (255 - 114)).rounded()), b = Int((255 - share * (255 - 178)).rounded())
                out += "<rect class=\"cell\" x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(cell))\" height=\"\(c(cell))\" "
                    + "fill=\"rgb(\(r),\(g),\(b))\" stroke=\"\(i == j ? "#333" : "#ddd")\">"
                    + "<title>\(SVGMarkup.escape(labels[i])) → \(SVGMarkup.escape(labels[j])): \(count)</title></rect>"
                out += "<text x=\"\(c(x + cell / 2))\" y=\"\(c(y + cell / 2 + 4))\" text-anchor=\"middle\" class=\"count\" fill=\"\(share > 0.5 ? "#fff" : "#222")\">\(count)</text>"
            }
        }
        return out + "</svg>"
    }
}
