extension RunReport {
    /// Ids of the page's sections, in page order; a section appears when the run reached it.
    public static let sectionIDs = ["summary", "corpus", "tokenizer", "training", "perplexity", "ynat", "stages"]

    /// Ids of the plots this report's page holds (what `scripts/check-report.sh` looks for).
    public var plotIDs: [String] {
        var ids: [String] = []
        if corpus != nil { ids += ["plot-corpus-sites", "plot-filter-reasons"] }
        if tokenizer != nil { ids.append("plot-tokenizer") }
        ids += training.map { "plot-loss-\($0.run)" }
        if perplexity != nil { ids.append("plot-perplexity") }
        if ynat != nil { ids += ["plot-ynat", "plot-confusion"] }
        if !stages.isEmpty { ids.append("plot-stages") }
        return ids
    }

    /// `report.html`: one self-contained page (inline CSS, inline SVG plots, no script, and a
    /// Content-Security-Policy that forbids every network load), readable offline.
    public func html() -> String {
        let e = SVGMarkup.escape
        var body = "<header><h1>Run report: \(e(name))</h1><p class=\"meta\">Created \(e(created)) by ko-llama. "
            + "Figures also in report.json and report.md.</p></header>\n"
        let present = Self.sectionIDs.filter { id in
            switch id {
            case "corpus": return corpus != nil
            case "tokenizer": return tokenizer != nil
            case "training": return !training.isEmpty
            case "perplexity": return perplexity != nil
            case "ynat": return ynat != nil
            case "stages": return !stages.isEmpty
            default: return true
            }
        }
        body += "<nav>" + present.map { "<a href=\"#\($0)\">\($0)</a>" }.joined(separator: " · ") + "</nav>\n"
        body += "<section id=\"summary\"><h2>Summary</h2><ul>" + highlights.map { "<li>\(e($0))</li>" }.joined() + "</ul></section>\n"
        if let corpus { body += corpusSection(corpus) }
        if let tokenizer { body += tokenizerSection(tokenizer) }
        if !training.isEmpty { body += trainingSection() }
        if let perplexity { body += perplexitySection(perplexity) }
        if let ynat { body += ynatSection(ynat) }
        if !stages.isEmpty { body += stagesSection() }
        return """
            <!DOCTYPE html>
            <html lang="ko">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ko-llama run report: \(e(name))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    private func table(_ header: [String], _ rows: [[String]], numericFrom: Int = 1) -> String {
        let e = SVGMarkup.escape
        var s = "<table><thead><tr>" + header.enumerated().map { "<th\($0.offset >= numericFrom ? " class=\"n\"" : "")>\(e($0.element))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            s += "<tr>" + row.enumerated().map { "<td\($0.offset >= numericFrom ? " class=\"n\"" : "")>\(e($0.element))</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table>"
    }

    private func figure(_ svg: String) -> String { "<figure>\(svg)</figure>" }

    private func corpusSection(_ c: CorpusSection) -> String {
        let splitNames = c.splits.map(\.split)
        var s = "<section id=\"corpus\"><h2>Corpus</h2>"
        s += table(["split", "documents", "characters"], c.splits.map { [$0.split, String($0.documents), String($0.characters)] })
        s += table(["site", "input", "kept", "filtered", "rights excluded"] + splitNames, c.sites.map { site in
            [site.site, String(site.input), String(site.kept), String(site.filtered), String(site.rightsExcluded)]
                + splitNames.map { name in String(site.splits.first { $0.split == name }?.documents ?? 0) }
        })
        let fates: [(String, (SiteCounts) -> Int)] = splitNames.map { name in (name, { site in site.splits.first { $0.split == name }?.documents ?? 0 }) }
            + [("filtered", { $0.filtered }), ("rights excluded", { $0.rightsExcluded })]
        s += figure(SVGBarChart(title: "Documents per site: splits, filtered, excluded for rights", valueLabel: "documents",
                                categories: c.sites.map(\.site),
                                series: fates.map { name, count in SVGBarChart.Series(name: name, values: c.sites.map { Double(count($0)) }) },
                                decimals: 0).svg(id: "plot-corpus-sites"))
        s += figure(SVGBarChart(title: "Documents filtered, by reason (\(c.runs) clean run\(c.runs == 1 ? "" : "s"))", valueLabel: "documents",
                                categories: c.filterReasons.map(\.reason),
                                series: [SVGBarChart.Series(name: "documents", values: c.filterReasons.map { Double($0.documents) })],
                                decimals: 0).svg(id: "plot-filter-reasons"))
        return s + "</section>\n"
    }

    private func tokenizerSection(_ t: TokenizerSection) -> String {
        var s = "<section id=\"tokenizer\"><h2>Tokenizer</h2>"
        var rows = [["pieces", String(t.basePieces), String(t.mergedPieces)],
                    ["tokens per Hangul syllable", Self.decimal(t.tokensPerHangulSyllable.before, 4), Self.decimal(t.tokensPerHangulSyllable.after, 4)]]
        if let e = t.englishUnchangedPercent { rows.append(["English lines tokenized as by the base (%)", "", Self.decimal(e, 2)]) }
        s += table(["", "base", "merged"], rows)
        s += "<p>Family \(SVGMarkup.escape(t.family)); \(t.piecesAdded) pieces added.</p>"
        s += figure(SVGBarChart(title: "Tokens per Hangul syllable (held-out Korean)", valueLabel: "tokens per syllable",
                                categories: ["base", "merged"],
                                series: [SVGBarChart.Series(name: "tokens per syllable", values: [t.tokensPerHangulSyllable.before, t.tokensPerHangulSyllable.after])],
                                decimals: 3).svg(id: "plot-tokenizer"))
        return s + "</section>\n"
    }

    private func trainingSection() -> String {
        var s = "<section id=\"training\"><h2>Training</h2>"
        s += table(["run", "steps", "first loss", "last loss", "last validation loss"], training.map { c in
            [c.run, String(c.train.last?.step ?? 0), c.train.first.map { Self.decimal($0.value, 4) } ?? "",
             c.train.last.map { Self.decimal($0.value, 4) } ?? "", c.valid.last.map { Self.decimal($0.value, 4) } ?? ""]
        })
        for c in training {
            s += figure(SVGLineChart(title: "Loss: \(c.run)", xLabel: "step", yLabel: "loss (nats per token)", series: [
                SVGLineChart.Series(name: "training", points: c.train.map { (Double($0.step), $0.value) }),
                SVGLineChart.Series(name: "validation", points: c.valid.map { (Double($0.step), $0.value) }),
            ]).svg(id: "plot-loss-\(c.run)"))
        }
        return s + "</section>\n"
    }

    private func perplexitySection(_ p: PerplexitySection) -> String {
        var s = "<section id=\"perplexity\"><h2>Perplexity</h2>"
        s += table(["split", "documents", "tokens", "before", "after", "change"],
                   [[p.split, String(p.documents), String(p.tokens), Self.decimal(p.before), Self.decimal(p.after), Self.signedPercent(p.after / p.before - 1)]])
        s += figure(SVGBarChart(title: "Perplexity on held-out \(p.split) articles (same tokenizer)", valueLabel: "perplexity",
                                categories: ["before pretraining", "after pretraining"],
                                series: [SVGBarChart.Series(name: "perplexity", values: [p.before, p.after])]).svg(id: "plot-perplexity"))
        return s + "</section>\n"
    }

    private func ynatSection(_ y: YNATSection) -> String {
        let columns = [y.model] + (y.baseline.map { [$0] } ?? [])
        var s = "<section id=\"ynat\"><h2>YNAT topic classification</h2>"
        s += table([""] + columns.map(\.name), Self.metricRows.map { label, value in [label] + columns.map { Self.decimal(value($0), 4) } }
                   + [["examples"] + columns.map { String($0.examples) }])
        s += figure(SVGBarChart(title: "YNAT: \(columns.map(\.name).joined(separator: " vs "))", valueLabel: "score",
                                categories: Self.metricRows.map(\.0),
                                series: columns.map { c in SVGBarChart.Series(name: c.name, values: Self.metricRows.map { $0.1(c) }) },
                                decimals: 3, maxValue: 1).svg(id: "plot-ynat"))
        s += table(["topic"] + columns.map { "F1 \($0.name)" }, y.model.labels.enumerated().map { i, label in
            [label] + columns.map { i < $0.perClassF1.count ? Self.decimal($0.perClassF1[i], 4) : "" }
        })
        s += figure(SVGHeatmap(title: "Confusion matrix: \(y.model.name)", labels: y.model.labels, counts: y.model.confusion).svg(id: "plot-confusion"))
        return s + "</section>\n"
    }

    private func stagesSection() -> String {
        var s = "<section id=\"stages\"><h2>Stages</h2>"
        s += table(["stage", "status", "seconds", "budget", "command"], stages.map {
            [$0.stage, $0.status, Self.decimal($0.seconds, 1), $0.budgetSeconds.map { Self.decimal($0, 0) } ?? "", $0.command ?? ""]
        } + [["total", "", Self.decimal(totalSeconds, 1), totalBudgetSeconds.map { Self.decimal($0, 0) } ?? "", ""]], numericFrom: 2)
        s += figure(SVGBarChart(title: "Stage wall time against budget", valueLabel: "seconds",
                                categories: stages.map { $0.status == "skipped" ? "\($0.stage) (skipped)" : $0.stage },
                                series: [SVGBarChart.Series(name: "seconds", values: stages.map(\.seconds)),
                                         SVGBarChart.Series(name: "budget", values: stages.map(\.budgetSeconds))],
                                decimals: 1).svg(id: "plot-stages"))
        return s + "</section>\n"
    }

    static let css = """
        #stages td:last-child{font-family:monospace;font-size:.75em;text-align:left;word-break:break-all;max-width:42em}\
        body{font-family:"Noto Sans CJK KR","Noto Sans KR","NanumGothic","Apple SD Gothic Neo","Malgun Gothic",system-ui,sans-serif;\
        max-width:960px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}\
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}\
        .meta{color:#666;margin-top:0}nav{margin:1rem 0;font-size:.95rem}nav a{color:#0072b2}\
        table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e5e5;text-align:left}\
        th{background:#f6f6f6}.n{text-align:right;font-variant-numeric:tabular-nums}\
        figure{margin:1rem 0;overflow-x:auto}svg.chart{max-width:100%;height:auto;font-family:inherit;font-size:11px}\
        .chart-title{font-size:13px;font-weight:600}.tick,.legend,.value{font-size:11px;fill:#333}.axis-label{font-size:11px;fill:#555}\
        .grid{stroke:#eee}.axis{stroke:#888}.count{font-size:12px}
        """
}
