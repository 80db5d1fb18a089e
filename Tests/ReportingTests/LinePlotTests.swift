import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reporting
import XCTest

/// Collects the elements of an SVG document and fails on malformed XML.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    static func parse(_ svg: String) throws -> ElementCollector {
        let collector = ElementCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "xml", code: 1) }
        return collector
    }
}

final class LinePlotTests: XCTestCase {
    private func plot() -> LinePlot {
        var p = LinePlot(title: "F1 & fraction <test>", xLabel: "fraction", yLabel: "F1", series: [
            LinePlot.Series(name: "model", points: [LinePlot.Point(x: 0.01, y: 60, note: "ko-llama sft --fraction 0.01 --data 'a b.jsonl'"),
                                                    LinePlot.Point(x: 1, y: 90), LinePlot.Point(x: 0.1, y: 80)]),
            LinePlot.Series(name: "baseline", points: [LinePlot.Point(x: 0.01, y: 50), LinePlot.Point(x: 1, y: 85)], dashed: true),
        ])
        p.logX = true
        return p
    }

    func testWellFormedSVGWithAPolylineAndMarkersPerSeries() throws {
        let svg = try plot().svg()
        let doc = try ElementCollector.parse(svg)
        XCTAssertEqual(doc.elements.first?.name, "svg")
        XCTAssertEqual(doc.elements.filter { $0.name == "polyline" }.count, 2)
        XCTAssertEqual(doc.elements.filter { $0.name == "circle" }.count, 5)
        XCTAssertTrue(doc.text.contains("F1 & fraction <test>"), "title escaped and read back")
        XCTAssertTrue(doc.text.contains("ko-llama sft --fraction 0.01 --data 'a b.jsonl'"), "the note is the point's hover title")
        XCTAssertEqual(svg, try plot().svg(), "same plot, same bytes")
    }

    func testLogAxisPlacesADecadeHalfwayAndPointsInXOrder() throws {
        let doc = try ElementCollector.parse(try plot().svg())
        let model = try XCTUnwrap(doc.elements.first { $0.name == "polyline" }?.attributes["points"])
        let xy = model.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        XCTAssertEqual(xy.count, 3)
        XCTAssertEqual(xy.map { $0[0] }, xy.map { $0[0] }.sorted(), "points joined in x order")
        XCTAssertEqual(xy[1][0] - xy[0][0], xy[2][0] - xy[1][0], accuracy: 0.02, "0.1 is halfway between 0.01 and 1 on a log axis")
        XCTAssertLessThan(xy[2][1], xy[0][1], "a larger y is higher on the page")
    }

    func testNiceTicksCoverTheRangeInRoundSteps() {
        XCTAssertEqual(LinePlot.niceTicks(50, 90), [50, 60, 70, 80, 90])
        let fine = LinePlot.niceTicks(0.12, 0.93)
        XCTAssertEqual(fine.count, 6)
        for (t, expected) in zip(fine, [0, 0.2, 0.4, 0.6, 0.8, 1]) { XCTAssertEqual(t, expected, accuracy: 1e-12) }
        let t = LinePlot.niceTicks(61.3, 62.1)
        XCTAssertLessThanOrEqual(t.first!, 61.3)
        XCTAssertGreaterThanOrEqual(t.last!, 62.1)
    }

    func testBadDataIsATypedError() {
        var empty = plot()
        empty.series = []
        XCTAssertThrowsError(try empty.svg()) { XCTAssertEqual($0 as? LinePlot.PlotError, .noData) }
        var nan = plot()
        nan.series[0].points[1].y = .nan
        XCTAssertThrowsError(try nan.svg()) { XCTAssertEqual($0 as? LinePlot.PlotError, .nonFinite(series: "model")) }
        var zero = plot()
        zero.series[1].points[0].x = 0
        XCTAssertThrowsError(try zero.svg()) { XCTAssertEqual($0 as? LinePlot.PlotError, .nonPositiveOnLogAxis(series: "baseline", x: 0)) }
        zero.logX = false
        XCTAssertNoThrow(try zero.svg())
    }
}
