import Corpus
import Foundation
import FoundationXML
import Reporting
import TestSupport
import XCTest

/// The report's writers and charts on a hand-made report: every figure reaches the Markdown,
/// the page holds one well-formed SVG per plot with the marks its data asks for, text is
/// escaped, and report.json reads back equal.
final class RunReportWriterTests: XCTestCase {
    static func sample() -> RunReport {
        var r = RunReport(name: "demo <&>", created: "2025-01-01T00:00:00Z")
        r.corpus = .init(sites: [
            .init(site: "xinhua-ko", input: 40, kept: 30, filtered: 10, rightsExcluded: 0, splits: [
                .init(split: "train", documents: 24, characters: 24_000), .init(split: "valid", documents: 3, characters: 3_000),
                .init(split: "test", documents: 3, characters: 3_100)]),
            .init(site: "people-ko", input: 40, kept: 5, filtered: 35, rightsExcluded: 30, splits: [
                .init(split: "train", documents: 5, characters: 5_000), .init(split: "valid", documents: 0, characters: 0),
                .init(split: "test", documents: 0, characters: 0)]),
        ], splits: [.init(split: "train", documents: 29, characters: 29_000), .init(split: "valid", documents: 3, characters: 3_000),
                    .init(split: "test", documents: 3, characters: 3_100)],
           filterReasons: [.init(reason: "rights_reserved", documents: 30), .init(reason: "too_short", documents: 15)], runs: 2)
        r.tokenizer = .init(family: "byte-bpe", basePieces: 49_152, piecesAdded: 8_000, mergedPieces: 57_152,
                            tokensPerHangulSyllable: .init(before: 2.4, after: 0.8), englishUnchangedPercent: 100)
        r.training = [.init(run: "pretrain", train: (1...20).map { .init(step: $0, value: 5 - Double($0) * 0.1) },
                            valid: [.init(step: 10, value: 4.2), .init(step: 20, value: 3.4)])]
        r.perplexity = .init(split: "test", documents: 3, tokens: 2_000, before: 60.5, after: 30.25)
        let labels = ["IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치"]
        let confusion = (0..<7).map { i in (0..<7).map { j in i == j ? 8 : (j == (i + 1) % 7 ? 2 : 0) } }
        r.ynat = .init(model: .init(name: "model", examples: 70, accuracy: 0.8, precision: 0.81, recall: 0.8, f1: 0.805, macroF1: 0.79,
                                    labels: labels, perClassF1: Array(repeating: 0.8, count: 7), confusion: confusion),
                       baseline: .init(name: "baseline", examples: 70, accuracy: 0.7, precision: 0.71, recall: 0.7, f1: 0.705, macroF1: 0.69,
                                       labels: labels, perClassF1: Array(repeating: 0.7, count: 7), confusion: confusion))
        r.stages = [.init(stage: "crawl", status: "ran", seconds: 12.5, budgetSeconds: 90),
                    .init(stage: "clean", status: "skipped", seconds: 0.1, budgetSeconds: 20)]
        return r
    }

    /// The `<svg id=...>...</svg>` element of the page, parsed as XML (fails when not well-formed).
    static func svgElement(_ html: String, id: String) throws -> XMLDocument {
        guard let start = html.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\"") else {
            throw MissingPlot(id: id)
        }
        let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex)!
        // Parsed without its namespace: FoundationXML's attribute lookup misses namespaced elements.
        let fragment = String(html[start.lowerBound..<end.upperBound]).replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\" ", with: "")
        return try XMLDocument(xmlString: fragment)
    }

    func testPageHoldsOneWellFormedPlotPerSectionWithItsMarks() throws {
        let report = Self.sample()
        let html = report.html()
        XCTAssertEqual(report.plotIDs, ["plot-corpus-sites", "plot-filter-reasons", "plot-tokenizer", "plot-loss-pretrain",
                                        "plot-perplexity", "plot-ynat", "plot-confusion", "plot-stages"])
        for id in RunReport.sectionIDs { XCTAssertTrue(html.contains("<section id=\"\(id)\">"), id) }
        for id in report.plotIDs {
            XCTAssertEqual(html.components(separatedBy: "id=\"\(id)\"").count, 2, "\(id) once")
            XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\""), id)
        }
        let loss = try Self.svgElement(html, id: "plot-loss-pretrain")
        let lines = try loss.nodes(forXPath: "//*[local-name()='polyline']") as! [XMLElement]
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0].attribute(forName: "points")?.stringValue?.split(separator: " ").count, 20)
        XCTAssertEqual(lines[1].attribute(forName: "points")?.stringValue?.split(separator: " ").count, 2)
        // Loss falls, so the training line ends lower on the page (SVG y grows downwards).
        let ys = lines[0].attribute(forName: "points")!.stringValue!.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        XCTAssertGreaterThan(ys.last!, ys.first!)

        let confusion = try Self.svgElement(html, id: "plot-confusion")
        XCTAssertEqual(try confusion.nodes(forXPath: "//*[local-name()='rect'][@class='cell']").count, 49)
        let counts = try confusion.nodes(forXPath: "//*[local-name()='text'][@class='count']").map { $0.stringValue ?? "" }
        XCTAssertEqual(counts.filter { $0 == "8" }.count, 7)
        XCTAssertEqual(counts.filter { $0 == "2" }.count, 7)

        let ynat = try Self.svgElement(html, id: "plot-ynat")
        XCTAssertEqual(try ynat.nodes(forXPath: "//*[local-name()='rect'][@class='bar']").count, 10, "5 metrics x 2 classifiers")
        let stages = try Self.svgElement(html, id: "plot-stages")
        XCTAssertEqual(try stages.nodes(forXPath: "//*[local-name()='rect'][@class='bar']").count, 4)
        XCTAssertTrue(html.contains("clean (skipped)"))
    }

    func testPageIsSelfContainedAndEscapesText() {
        let html = Self.sample().html()
        XCTAssertTrue(html.contains("<title>ko-llama run report: demo &lt;&amp;&gt;</title>"))
        XCTAssertFalse(html.contains("demo <&>"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") && html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertTrue(html.contains("default-src 'none'"))
    }

    func testMarkdownCarriesEveryFigure() {
        let md = Self.sample().markdown()
        XCTAssertTrue(md.contains("| people-ko | 40 | 5 | 35 | 30 | 5 | 0 | 0 |"), md)
        XCTAssertTrue(md.contains("| rights_reserved | 30 |"), md)
        XCTAssertTrue(md.contains("| tokens per Hangul syllable | 2.4000 | 0.8000 |"), md)
        XCTAssertTrue(md.contains("| pretrain | 20 | 4.9000 | 3.0000 | 3.4000 |"), md)
        XCTAssertTrue(md.contains("| test | 3 | 2000 | 60.50 | 30.25 | -50.0% |"), md)
        XCTAssertTrue(md.contains("| F1 (paper) | 0.8050 | 0.7050 |"), md)
        XCTAssertTrue(md.contains("| IT과학 | 8 | 2 | 0 | 0 | 0 | 0 | 0 |"), md)
        XCTAssertTrue(md.contains("| total | | 12.6 | 110 |"), md)
        XCTAssertTrue(md.contains("- Perplexity on 3 held-out test articles: 60.50 → 30.25 (-50.0%)."), md)
    }

    func testWriterWritesThreeFilesAndJSONReadsBack() throws {
        let dir = try TemporaryDirectory("report-writer")
        let report = Self.sample()
        let paths = try RunReportWriter.write(report, to: dir.path + "/run")
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent }, ["report.md", "report.html", "report.json"])
        XCTAssertEqual(try RunReportWriter.load(path: dir.path + "/run/report.json"), report)
        XCTAssertEqual(String(decoding: try FileSystem.readAll(dir.path + "/run/report.html"), as: UTF8.self), report.html())
        // A report that reached nothing still renders, without the sections it lacks.
        let empty = RunReport(name: "empty", created: "2025-01-01T00:00:00Z")
        XCTAssertEqual(empty.plotIDs, [])
        XCTAssertFalse(empty.html().contains("<section id=\"corpus\">"))
        XCTAssertTrue(empty.html().contains("<section id=\"summary\">"))
    }
}

/// A plot the page should hold and does not.
struct MissingPlot: Error { let id: String }
