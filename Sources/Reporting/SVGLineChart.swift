/// A line chart as inline SVG: one polyline per series over shared numeric axes (loss against
/// step), with ticks, grid lines, axis labels and a legend; series with few points also get
/// markers, so a validation curve of three evaluations reads as points.
public struct SVGLineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 640.0
    public var height = 300.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The chart as an `<svg>` element with this `id`.
    public func svg(id: String) -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let left = 58.0, right = width - 16, top = 40.0, bottom = height - 44
        var out = SVGMarkup.open(id: id, width: width, height: height, title: title)
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max(),
              let yMin = all.map(\.y).min(), let yMax = all.map(\.y).max() else {
            return out + "<text x=\"\(SVGMarkup.coordinate(width / 2))\" y=\"\(SVGMarkup.coordinate(height / 2))\" text-anchor=\"middle\">no data</text></svg>"
        }
        let xTicks = SVGMarkup.ticks(xMin, xMax == xMin ? xMin + 1 : xMax)
        let pad = (yMax - yMin) * 0.05
        let yTicks = SVGMarkup.ticks(yMin - pad, yMax == yMin ? yMin + 1 : yMax + pad)
        let x0 = min(xTicks.first!, xMin), x1 = max(xTicks.last!, xMax)
        let y0 = min(yTicks.first!, yMin), y1 = max(yTicks.last!, yMax)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0 == 0 ? 1 : x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0 == 0 ? 1 : y1 - y0) * (bottom - top) }
        let c = SVGMarkup.coordinate
        let xDecimals = SVGMarkup.tickDecimals(xTicks), yDecimals = SVGMarkup.tickDecimals(yTicks)
        for t in yTicks where t >= y0 && t <= y1 {
            out += "<line x1=\"\(c(left))\" y1=\"\(c(py(t)))\" x2=\"\(c(right))\" y2=\"\(c(py(t)))\" class=\"grid\"/>"
            out += "<text x=\"\(c(left - 6))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\" class=\"tick\">\(SVGMarkup.label(t, decimals: yDecimals))</text>"
        }
        for t in xTicks where t >= x0 && t <= x1 {
            out += "<line x1=\"\(c(px(t)))\" y1=\"\(c(bottom))\" x2=\"\(c(px(t)))\" y2=\"\(c(bottom + 4))\" class=\"axis\"/>"
            out += "<text x=\"\(c(px(t)))\" y=\"\(c(bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(SVGMarkup.label(t, decimals: xDecimals))</text>"
        }
        out += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\" class=\"axis\"/>"
        out += "<line x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\" class=\"axis\"/>"
        out += "<text x=\"\(c((left + right) / 2))\" y=\"\(c(height - 8))\" text-anchor=\"middle\" class=\"axis-label\">\(SVGMarkup.escape(xLabel))</text>"
        out += "<text transform=\"translate(14 \(c((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">\(SVGMarkup.escape(yLabel))</text>"
        for (i, s) in series.enumerated() {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            let color = SVGMarkup.color(i)
            let path = points.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
            out += "<polyline class=\"series\" data-series=\"\(SVGMarkup.escape(s.name))\" points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            if points.count <= 30 {
                for p in points {
                    out += "<circle cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"3\" fill=\"\(color)\"><title>\(SVGMarkup.escape(s.name)) \(SVGMarkup.label(p.x, decimals: 0)): \(SVGMarkup.label(p.y, decimals: 4))</title></circle>"
                }
            }
        }
        out += SVGMarkup.legend(series.map(\.name), right: right, y: 34)
        return out + "</svg>"
    }
}
