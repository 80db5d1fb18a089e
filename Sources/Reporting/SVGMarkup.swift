import Foundation

/// What the report's SVG charts share: escaping, number formatting, axis ticks, the palette and
/// a text-width estimate for laying out labels (no font metrics are available without a
/// renderer; Hangul and other wide characters count double, as they render about twice as wide).
enum SVGMarkup {
    /// Series colours, distinguishable for the common colour-vision deficiencies (Okabe-Ito).
    static let palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// Text escaped for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // XML 1.0 allows tab, newline, carriage return and U+0020 upwards (minus surrogates, which a String cannot hold).
                if c.value >= 0x20 && c.value != 0xFFFE && c.value != 0xFFFF || c == "\t" || c == "\n" || c == "\r" {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// A coordinate with at most two decimals, so the markup stays small and deterministic.
    static func coordinate(_ v: Double) -> String {
        let s = String(format: "%.2f", v)
        return s.hasSuffix(".00") ? String(s.dropLast(3)) : s.hasSuffix("0") ? String(s.dropLast()) : s
    }

    /// A value label: `decimals` places, or a short integer form for large values.
    static func label(_ v: Double, decimals: Int) -> String {
        if decimals == 0 || abs(v) >= 1000 { return String(format: "%.0f", v) }
        return String(format: "%.\(decimals)f", v)
    }

    /// Estimated rendered width of `text` at `fontSize` pixels.
    static func textWidth(_ text: String, fontSize: Double) -> Double {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 1.0 : 0.6) } * fontSize
    }

    /// About `count` round tick values covering lo...hi (Heckbert's nice numbers).
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let step = niceStep((hi - lo) / Double(max(1, count - 1)))
        let first = (lo / step).rounded(.down) * step
        var out: [Double] = []
        var v = first
        while v <= hi + step * 0.5 && out.count < 50 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    private static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// The decimals that tell ticks `step` apart.
    static func tickDecimals(_ ticks: [Double]) -> Int {
        guard ticks.count > 1 else { return 2 }
        let step = ticks[1] - ticks[0]
        return max(0, min(4, Int((-log10(step)).rounded(.up))))
    }

    /// The opening tag of a chart: a scalable image with an accessible title.
    static func open(id: String, width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(escape(id))\" class=\"chart\" role=\"img\" "
            + "viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\" width=\"\(coordinate(width))\" height=\"\(coordinate(height))\" "
            + "aria-labelledby=\"\(escape(id))-title\"><title id=\"\(escape(id))-title\">\(escape(title))</title>"
            + "<text x=\"\(coordinate(width / 2))\" y=\"18\" text-anchor=\"middle\" class=\"chart-title\">\(escape(title))</text>"
    }

    /// A legend row of coloured swatches at the top right.
    static func legend(_ names: [String], right: Double, y: Double) -> String {
        var out = ""
        var x = right
        for (i, name) in names.enumerated().reversed() {
            x -= textWidth(name, fontSize: 11) + 22
            out += "<rect x=\"\(coordinate(x))\" y=\"\(coordinate(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/>"
            out += "<text x=\"\(coordinate(x + 14))\" y=\"\(coordinate(y))\" class=\"legend\">\(escape(name))</text>"
        }
        return out
    }
}
