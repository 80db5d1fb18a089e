import Corpus
import Foundation

/// The annotation of one test page: `<name>.expected.json` beside `<name>.html`.
public struct ExtractionExpectation: Codable, Sendable {
    /// The URL the page was served at (decides the site and template).
    public var url: String
    /// Site name, or nil for pages of unknown templates (generic extractor expected).
    public var site: String?
    public var title: String?
    /// `YYYY-MM-DD`.
    public var date: String?
    /// The clean body, in order (for multi-page articles across all pages).
    public var paragraphs: [String]
    /// HTTP `Content-Type` the page is served with (default: `text/html`, no charset).
    public var contentType: String?
    /// Multi-page articles: every page's file (relative to the fixture folder) and URL, in any
    /// order. Default: `<name>.html` at `url`.
    public var pages: [PageFile]?

    public struct PageFile: Codable, Sendable {
        public var file: String
        public var url: String
    }
}

/// Scores of one annotated page.
public struct EvaluationRow: Sendable {
    public var name: String
    public var site: String?
    public var extractor: String
    public var titleCorrect: Bool
    public var dateCorrect: Bool
    public var precision: Double
    public var recall: Double
    public var f1: Double
}

/// All rows plus means over site templates and unknown templates.
public struct EvaluationReport: Sendable {
    public var rows: [EvaluationRow]

    public func meanF1(siteTemplates: Bool) -> Double? {
        let group = rows.filter { ($0.site != nil) == siteTemplates }
        return group.isEmpty ? nil : group.map(\.f1).reduce(0, +) / Double(group.count)
    }

    public var table: String {
        var lines = ["page                          site        extractor          title date  body P  body R  body F1",
                     String(repeating: "-", count: 96)]
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        for r in rows {
            lines.append(pad(r.name, 30) + pad(r.site ?? "(none)", 12) + pad(r.extractor, 19) + pad(r.titleCorrect ? "ok" : "MISS", 6)
                         + pad(r.dateCorrect ? "ok" : "MISS", 6) + String(format: "%6.3f  %6.3f  %6.3f", r.precision, r.recall, r.f1))
        }
        lines.append(String(repeating: "-", count: 96))
        for (label, sites) in [("site templates", true), ("unknown templates", false)] {
            let group = rows.filter { ($0.site != nil) == sites }
            guard !group.isEmpty else { continue }
            let n = Double(group.count)
            lines.append(pad("mean, \(label) (\(group.count))", 61) + pad(String(format: "%.2f", Double(group.filter(\.titleCorrect).count) / n), 6)
                         + pad(String(format: "%.2f", Double(group.filter(\.dateCorrect).count) / n), 6)
                         + String(format: "%6.3f  %6.3f  %6.3f", group.map(\.precision).reduce(0, +) / n,
                                  group.map(\.recall).reduce(0, +) / n, group.map(\.f1).reduce(0, +) / n))
        }
        lines.append("body scores: token level over whitespace-separated units (eojeol), bag of tokens; title exact after whitespace collapse; date exact YYYY-MM-DD")
        return lines.joined(separator: "\n")
    }
}

/// Measures extraction quality against annotated pages (title and date accuracy, body precision,
/// recall and F1 over whitespace-separated tokens, counted as multisets like the token-level
/// scores of the CleanEval / trafilatura evaluations). Pages go through the same code as
/// `extract`: charset resolution, site matching, rules or generic fallback, multi-page joining.
public struct ExtractionEvaluator {
    public let matcher: SiteMatcher

    public init(matcher: SiteMatcher) { self.matcher = matcher }

    public func evaluate(directory: String) throws -> EvaluationReport {
        var rows: [EvaluationRow] = []
        for name in try FileSystem.listDirectory(directory) where name.hasSuffix(".expected.json") {
            let base = String(name.dropLast(".expected.json".count))
            let path = directory + "/" + name
            let expectation: ExtractionExpectation
            do {
                expectation = try JSONDecoder().decode(ExtractionExpectation.self, from: Data(FileSystem.readAll(path)))
            } catch let error as CorpusError {
                throw error
            } catch {
                throw CorpusError.invalidJSON(InputPosition(path: path), detail: "not an extraction expectation (\(error))")
            }
            rows.append(try evaluate(base, expectation, directory: directory))
        }
        return EvaluationReport(rows: rows)
    }

    private func evaluate(_ name: String, _ expected: ExtractionExpectation, directory: String) throws -> EvaluationRow {
        let files = expected.pages ?? [.init(file: name + ".html", url: expected.url)]
        var assembler = ArticleAssembler()
        var documents: [Document] = []
        for file in files {
            guard let url = URLParts(file.url) else {
                throw CorpusError.invalidJSON(InputPosition(path: directory + "/" + name + ".expected.json"), detail: "bad url \(file.url)")
            }
            let headers = expected.contentType.map { [(name: "Content-Type", value: $0)] } ?? [(name: "Content-Type", value: "text/html")]
            let fetched = FetchedPage(url: file.url, httpHeaders: headers, body: try FileSystem.readAll(directory + "/" + file.file))
            let site = matcher.site(for: url, declaredSite: expected.site)
            if case let .page(page) = try PageExtractor().extract(fetched, site: site) {
                documents += assembler.add(page, PageProvenance(warcFile: file.file, recordID: file.file, fetchDate: ""))
            }
        }
        documents += assembler.finish()
        let document = documents.first
        let scores = ExtractionEvaluator.tokenScores(extracted: document?.text ?? "", expected: expected.paragraphs.joined(separator: "\n\n"))
        let title = document?.metadata["title"]?.stringValue.map(TextNormalizer.collapse)
        return EvaluationRow(name: name, site: expected.site, extractor: document?.metadata["extractor"]?.stringValue ?? "(nothing)",
                             titleCorrect: title == expected.title.map(TextNormalizer.collapse), dateCorrect: document?.created == expected.date,
                             precision: scores.precision, recall: scores.recall, f1: scores.f1)
    }

    /// Bag-of-tokens precision, recall and F1 over whitespace-separated units.
    public static func tokenScores(extracted: String, expected: String) -> (precision: Double, recall: Double, f1: Double) {
        let got = extracted.split(whereSeparator: \.isWhitespace)
        let want = expected.split(whereSeparator: \.isWhitespace)
        var counts: [Substring: Int] = [:]
        for t in want { counts[t, default: 0] += 1 }
        var overlap = 0
        for t in got where counts[t, default: 0] > 0 {
            counts[t]! -= 1
            overlap += 1
        }
        if got.isEmpty && want.isEmpty { return (1, 1, 1) }
        let p = got.isEmpty ? 0 : Double(overlap) / Double(got.count)
        let r = want.isEmpty ? 0 : Double(overlap) / Double(want.count)
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r))
    }
}
