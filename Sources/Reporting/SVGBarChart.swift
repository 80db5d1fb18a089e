/// A horizontal grouped bar chart as inline SVG: one row per category (a metric, a site, a
/// stage, a filter reason), one bar per series within the row, each bar labelled with its value;
/// horizontal so that long labels (Korean topic names, filter reasons) stay readable.
public struct SVGBarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per category; nil draws no bar (a figure the series does not have).
        public var values: [Double?]

        public init(name: String, values: [Double?]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var valueLabel: String
    public var categories: [String]
    public var series: [Series]
    /// Decimals of the value labels.
    public var decimals = 2
    /// The axis's end; nil fits the largest value (1 for shares such as F1).
    public var maxValue: Double?
    public var width = 640.0

    public init(title: String, valueLabel: String, categories: [String], series: [Series], decimals: Int = 2, maxValue: Double? = nil) {
        self.title = title
        self.valueLabel = valueLabel
        self.categories = categories
        self.series = series
        self.decimals = decimals
        self.maxValue = maxValue
    }

    /// The chart's height: rows grow with the number of series.
    public var height: Double { 64 + Double(categories.count) * rowHeight + 36 }

    private var barHeight: Double { series.count > 2 ? 12 : 16 }
    private var rowHeight: Double { Double(max(1, series.count)) * barHeight + 12 }

    /// The chart as an `<svg>` element with this `id`.
    public func svg(id: String) -> String {
        let c = SVGMarkup.coordinate
        let labelWidth = min(220, (categories.map { SVGMarkup.textWidth($0, fontSize: 11) }.max() ?? 0) + 12)
        let left = 12 + labelWidth, right = width - 56, top = 48.0
        let bottom = top + Double(categories.count) * rowHeight
        var out = SVGMarkup.open(id: id, width: width, height: height, title: title)
        let largest = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite).max() ?? 0
        let ticks = SVGMarkup.ticks(0, maxValue ?? (largest > 0 ? largest : 1))
        let end = max(maxValue ?? ticks.last!, largest, 1e-12)
        func px(_ v: Double) -> Double { left + max(0, v) / end * (right - left) }
        let tickDecimals = SVGMarkup.tickDecimals(ticks)
        for t in ticks where t <= end {
            out += "<line x1=\"\(c(px(t)))\" y1=\"\(c(top - 4))\" x2=\"\(c(px(t)))\" y2=\"\(c(bottom))\" class=\"grid\"/>"
            out += "<text x=\"\(c(px(t)))\" y=\"\(c(bottom + 14))\" text-anchor=\"middle\" class=\"tick\">\(SVGMarkup.label(t, decimals: tickDecimals))</text>"
        }
        out += "<line x1=\"\(c(left))\" y1=\"\(c(top - 4))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\" class=\"axis\"/>"
        out += "<text x=\"\(c((left + right) / 2))\" y=\"\(c(bottom + 30))\" text-anchor=\"middle\" class=\"axis-label\">\(SVGMarkup.escape(valueLabel))</text>"
        for (row, category) in categories.enumerated() {
            let rowTop = top + Double(row) * rowHeight + 6
            out += "<text x=\"\(c(left - 6))\" y=\"\(c(rowTop + rowHeight / 2))\" text-anchor=\"end\" class=\"tick\">\(SVGMarkup.escape(category))</text>"
            for (i, s) in series.enumerated() {
                guard row < s.values.count, let v = s.values[row], v.isFinite else { continue }
                let y = rowTop + Double(i) * barHeight
                out += "<rect class=\"bar\" x=\"\(c(left))\" y=\"\(c(y))\" width=\"\(c(px(v) - left))\" height=\"\(c(barHeight - 2))\" fill=\"\(SVGMarkup.color(i))\">"
                out += "<title>\(SVGMarkup.escape(s.name)), \(SVGMarkup.escape(category)): \(SVGMarkup.label(v, decimals: decimals))</title></rect>"
                out += "<text x=\"\(c(px(v) + 4))\" y=\"\(c(y + barHeight - 5))\" class=\"value\">\(SVGMarkup.label(v, decimals: decimals))</text>"
            }
        }
        if series.count > 1 { out += SVGMarkup.legend(series.map(\.name), right: width - 16, y: 36) }
        return out + "</svg>"
    }
}
