import Corpus
@testable import Extraction
import TestSupport
import XCTest

/// The annotated pages in Tests/Fixtures/extraction through the evaluator (the same code path as
/// `ko-llama extract`): both sites' current and legacy templates, CP949, malformed HTML, a
/// multi-page article and unknown templates.
final class ExtractionFixtureTests: XCTestCase {
    private func report() throws -> EvaluationReport {
        let matcher = try SiteMatcher(sites: SiteMatcher.loadDefinitions(directory: WARCFixtures.crawlersDirectory))
        return try ExtractionEvaluator(matcher: matcher).evaluate(directory: WARCFixtures.fixturesDirectory)
    }

    func testSiteTemplatesReachBodyF1AndExactTitleAndDate() throws {
        let report = try report()
        let names = report.rows.map(\.name)
        for required in ["xinhua-current", "xinhua-legacy-multipage", "xinhua-malformed", "people-current", "people-legacy", "people-cp949"] {
            XCTAssertTrue(names.contains(required), "fixture \(required) missing")
        }
        for row in report.rows where row.site != nil {
            XCTAssertEqual(row.extractor, "rules:\(row.site!)", row.name)
            XCTAssertGreaterThanOrEqual(row.f1, 0.95, row.name)
            XCTAssertTrue(row.titleCorrect, row.name)
            XCTAssertTrue(row.dateCorrect, row.name)
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report.meanF1(siteTemplates: true)), 0.95)
    }

    func testUnknownTemplatesGoThroughTheGenericExtractor() throws {
        let rows = try report().rows.filter { $0.site == nil }
        XCTAssertGreaterThanOrEqual(rows.count, 2)
        for row in rows {
            XCTAssertEqual(row.extractor, "generic", row.name)
            XCTAssertGreaterThanOrEqual(row.f1, 0.8, row.name)
            XCTAssertTrue(row.dateCorrect, row.name)
            XCTAssertTrue(row.titleCorrect, "\(row.name): the site name is cut from <title>")
        }
        XCTAssertTrue(try report().table.contains("mean, unknown templates (\(rows.count))"))
    }

    func testTokenScoresCountRepeatedTokensOnce() {
        let s = ExtractionEvaluator.tokenScores(extracted: "가 나 나 다", expected: "가 나 라")
        XCTAssertEqual(s.precision, 0.5, accuracy: 1e-9)
        XCTAssertEqual(s.recall, 2.0 / 3.0, accuracy: 1e-9)
        XCTAssertEqual(s.f1, 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0), accuracy: 1e-9)
        XCTAssertEqual(ExtractionEvaluator.tokenScores(extracted: "", expected: "가").f1, 0)
    }
}
