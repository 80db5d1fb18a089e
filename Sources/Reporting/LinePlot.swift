import Foundation

/// A small line plot as a standalone SVG 1.1 document (no scripts, no external fonts or
/// styles), the kind of figure matplotlib's `plot` + `savefig("x.svg")` gives: axes with
/// ticks and labels, one polyline with point markers per series, a legend, and a `<title>` on
/// every point so a browser shows its note (e.g. the command that produced it) on hover. The
/// x axis is linear or logarithmic (`logX`, for fractions 0.01 ... 1); the y range is the data's
/// unless given. The same plot always gives the same bytes.
public struct LinePlot: Sendable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// Shown on hover.
        public var note: String?
        public init(x: Double, y: Double, note: String? = nil) {
            self.x = x
            self.y = y
            self.note = note
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        /// A CSS colour; nil takes the next of matplotlib's default cycle.
        public var color: String?
        public var dashed: Bool
        public init(name: String, points: [Point], color: String? = nil, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logX = false
    /// Tick positions on x; nil places them at the data's x values.
    public var xTicks: [Double]?
    public var yRange: ClosedRange<Double>?
    public var width = 640.0
    public var height = 420.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// matplotlib's `tab10` cycle.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    public enum PlotError: Error, Sendable, Equatable, CustomStringConvertible {
        case noData
        case nonFinite(series: String)
        case nonPositiveOnLogAxis(series: String, x: Double)

        public var description: String {
            switch self {
            case .noData: return "the plot has no points"
            case let .nonFinite(series): return "series \(series) has a NaN or infinite coordinate"
            case let .nonPositiveOnLogAxis(series, x): return "series \(series) has x = \(x), which a logarithmic axis cannot show"
            }
        }
    }

    /// The SVG document.
    public func svg() throws(PlotError) -> String {
        let points = series.flatMap(\.points)
        guard !points.isEmpty else { throw .noData }
        for s in series {
            if s.points.contains(where: { !$0.x.isFinite || !$0.y.isFinite }) { throw .nonFinite(series: s.name) }
            if logX, let bad = s.points.first(where: { $0.x <= 0 }) { throw .nonPositiveOnLogAxis(series: s.name, x: bad.x) }
        }
        let left = 64.0, right = 16.0, top = 36.0, bottom = 52.0 + 18.0 * Double((series.count + 1) / 2)
        let plotW = width - left - right, plotH = height - top - bottom
        func tx(_ x: Double) -> Double { logX ? log10(x) : x }
        var xs = points.map { tx($0.x) }
        let ticksX = (xTicks ?? Array(Set(points.map(\.x))).sorted()).filter { !logX || $0 > 0 }
        xs += ticksX.map(tx)
        var xMin = xs.min()!, xMax = xs.max()!
        if xMin == xMax { xMin -= 1; xMax += 1 }
        let xPad = (xMax - xMin) * 0.04
        xMin -= xPad
        xMax += xPad
        let ys = points.map(\.y)
        var yLow = yRange?.lowerBound ?? ys.min()!, yHigh = yRange?.upperBound ?? ys.max()!
        if yLow == yHigh { yLow -= 1; yHigh += 1 }
        let ticksY = Self.niceTicks(yLow, yHigh)
        if yRange == nil { yLow = min(yLow, ticksY.first!); yHigh = max(yHigh, ticksY.last!) }
        func px(_ x: Double) -> Double { left + (tx(x) - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotH }

        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
        font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left + plotW / 2))" y="22" text-anchor="middle" font-size="14">\(SVGMarkup.escape(title))</text>

        """
        s += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n"
        for t in ticksY where t >= yLow && t <= yHigh { s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\"/>\n" }
        s += "</g>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"black\"/>\n"
        s += "<g text-anchor=\"middle\">\n"
        for t in ticksX {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"black\"/>"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 18))\">\(Self.label(t))</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 36))\">\(SVGMarkup.escape(xLabel))</text>\n</g>\n"
        s += "<g text-anchor=\"end\">\n"
        for t in ticksY where t >= yLow && t <= yHigh {
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\" stroke=\"black\"/>"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\">\(Self.label(t))</text>\n"
        }
        s += "</g>\n"
        s += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVGMarkup.escape(yLabel))</text>\n"
        for (i, line) in series.enumerated() {
            let color = SVGMarkup.escape(line.color ?? Self.palette[i % Self.palette.count])
            let sorted = line.points.sorted { $0.x < $1.x }
            let path = sorted.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<g stroke=\"\(color)\" fill=\"\(color)\">\n"
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            for p in sorted {
                let tip = "\(line.name): (\(Self.label(p.x)), \(Self.label(p.y)))" + (p.note.map { "\n" + $0 } ?? "")
                s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\"><title>\(SVGMarkup.escape(tip))</title></circle>\n"
            }
            s += "</g>\n"
            let lx = left + Double(i % 2) * plotW / 2, ly = top + plotH + 52 + 18 * Double(i / 2)
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\""
                + "\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            s += "<text x=\"\(f(lx + 30))\" y=\"\(f(ly))\">\(SVGMarkup.escape(line.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten, about five ticks.
    static func niceTicks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw }!
        let first = floor(low / step) * step, last = ceil(high / step) * step
        let count = Int(((last - first) / step).rounded())
        return (0...count).map { first + Double($0) * step }
    }

    /// A number as a label: `%g` (no trailing zeros, `0.05`, `1`, `92.5`).
    static func label(_ x: Double) -> String { String(format: "%g", x) }

    /// Coordinates with two decimals.
    private func f(_ x: Double) -> String { String(format: "%.2f", x) }
}
