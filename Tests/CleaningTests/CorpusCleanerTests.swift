import Cleaning
import Corpus
import Foundation
import TestSupport
import XCTest

final class CorpusCleanerTests: XCTestCase {
    var dir: TemporaryDirectory!
    var corpus: String { dir.path + "/corpus" }

    override func setUpWithError() throws {
        dir = try TemporaryDirectory("clean-test")
    }

    func clean(_ configure: (inout CorpusCleaner.Options) -> Void = { _ in }) throws -> CorpusCleaner.Outcome {
        var options = CorpusCleaner.Options(corpus: corpus)
        options.crawlersDirectory = dir.path + "/crawlers"
        configure(&options)
        return try CorpusCleaner(options: options).run()
    }

    func testTwoRunsAddOnlyNewDocumentsThatAreNotDuplicates() throws {
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", [
            Fixtures.document("a", Fixtures.article),
            Fixtures.document("b", Fixtures.otherArticle),
            Fixtures.document("c", Fixtures.randomArticle(seed: 1)),
        ])
        let first = try clean()
        XCTAssertEqual(first.run.kept, 3)
        let manifest1 = try CleanManifest.load(path: first.manifestPath)
        let firstShards = manifest1.splits.values.flatMap(\.shards)

        try Fixtures.writeShard("\(corpus)/docs/b.jsonl.gz", [
            Fixtures.document("d", Fixtures.randomArticle(seed: 2)),
            Fixtures.document("e", Fixtures.editedArticle, created: "2023-01-01"),
            Fixtures.document("f", Fixtures.otherArticle),
        ])
        let second = try clean()
        XCTAssertEqual(second.run.run, 2)
        XCTAssertEqual(second.run.inputDocuments, 6)
        XCTAssertEqual(second.run.kept, 1)
        XCTAssertEqual(second.run.filtered, ["already_in_corpus": 3, "near_duplicate": 1, "exact_duplicate": 1])
        let kept = try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }.map(\.id).sorted()
        XCTAssertEqual(kept, ["a", "b", "c", "d"])
        // Earlier shards are never rewritten: same bytes as recorded by run 1.
        let manifest2 = try CleanManifest.load(path: second.manifestPath)
        for shard in firstShards {
            XCTAssertEqual(DigestEncoding.hex(SHA256.hash(try FileSystem.readAll("\(corpus)/clean/\(shard.path)"))), shard.sha256)
            XCTAssertTrue(manifest2.splits.values.flatMap(\.shards).contains(shard))
        }
        XCTAssertEqual(manifest2.indexedDocuments, 4)
        XCTAssertEqual(try FileSystem.listDirectory("\(corpus)/clean/dedup"), ["index-run0002.bin"])
    }

    func testEarliestDuplicateByCreatedThenIDSurvives() throws {
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", [
            Fixtures.document("late", Fixtures.article, created: "2024-05-01"),
            Fixtures.document("z-early", Fixtures.editedArticle, created: "2024-01-01"),
            Fixtures.document("a-early", Fixtures.editedArticle, created: "2024-01-01"),
        ])
        let outcome = try clean()
        XCTAssertEqual(outcome.run.kept, 1)
        XCTAssertEqual(try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }.map(\.id), ["a-early"])
    }

    func testRightsReservedExcludedPerSiteWithOverride() throws {
        var site = try SiteDefinition.load("people-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        site.name = "open-site"
        site.rights.excludeReservedFromTraining = false
        let encoder = JSONEncoder()
        try FileSystem.createDirectory(dir.path + "/crawlers")
        try AtomicFileWriter.write([UInt8](encoder.encode(site)), to: dir.path + "/crawlers/open-site.json")
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", [
            Fixtures.document("notice", Fixtures.article, source: "people-ko",
                              metadata: ["rights_notice": .string("무단 전재-재배포, AI 학습 및 활용 금지")]),
            Fixtures.document("optout", Fixtures.otherArticle, source: "people-ko", metadata: ["opt_out": .array([.string("noai"), .string("noimageai")])]),
            Fixtures.document("open", Fixtures.randomArticle(seed: 3), source: "open-site", metadata: ["rights_notice": .string("All rights reserved")]),
            Fixtures.document("free", Fixtures.randomArticle(seed: 4), source: "people-ko", metadata: ["rights_notice": .string("  ")]),
        ])
        let outcome = try clean()
        XCTAssertEqual(outcome.run.filtered, ["rights_reserved": 2])
        XCTAssertEqual(outcome.run.perSource["people-ko"]?.reservedExcluded, 2)
        XCTAssertEqual(outcome.run.perSource["open-site"]?.kept, 1)
        XCTAssertEqual(try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }.map(\.id).sorted(), ["free", "open"])
        // The reserved documents were not indexed, so an explicit override adds them later.
        let override = try clean { $0.includeReserved = true }
        XCTAssertEqual(override.run.kept, 2)
        XCTAssertEqual(override.run.filtered, ["already_in_corpus": 2])
    }

    func testFooterLineSharedByManyDocumentsOfOneSourceIsRemovedAndCounted() throws {
        let footer = "저작권자 신화통신 무단 전재 및 재배포 금지 기사 제보는 이메일로"
        var docs = (0..<6).map { Fixtures.document("x\($0)", Fixtures.randomArticle(seed: UInt64($0) + 60, words: 40) + "\n\n" + footer) }
        // Other sources keep the line: it is boilerplate per source.
        docs += (0..<2).map { Fixtures.document("o\($0)", Fixtures.randomArticle(seed: UInt64($0) + 70, words: 40) + "\n\n" + footer, source: "other") }
        // Barely long enough with the footer, too short without it.
        docs.append(Fixtures.document("thin", String(repeating: "가", count: 75) + "\n\n" + footer))
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", docs)
        var off = CleaningPolicy()
        off.boilerplateLineMinDocuments = 0
        let unfiltered = try CorpusCleaner(options: { var o = CorpusCleaner.Options(corpus: corpus); o.policy = off; o.crawlersDirectory = dir.path; return o }()).run()
        XCTAssertEqual(unfiltered.run.kept, 9, "the filter can be turned off")
        XCTAssertEqual(unfiltered.run.boilerplateLinesRemoved, 0)
        let offReport = String(decoding: try FileSystem.readAll("\(corpus)/clean/report.md"), as: UTF8.self)
        XCTAssertTrue(offReport.contains("Boilerplate line filter: off"), offReport)
        try FileManager.default.removeItem(atPath: "\(corpus)/clean")

        let outcome = try clean()
        XCTAssertEqual(outcome.run.filtered, ["boilerplate": 1])
        XCTAssertEqual(outcome.run.boilerplateLinesRemoved, 6)
        let kept = try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }
        XCTAssertEqual(kept.count, 8)
        for d in kept where d.source == "xinhua-ko" {
            XCTAssertFalse(d.text.contains(footer))
            XCTAssertEqual(d.text, Fixtures.randomArticle(seed: UInt64(d.id.dropFirst())! + 60, words: 40))
        }
        XCTAssertTrue(kept.filter { $0.source == "other" }.allSatisfy { $0.text.hasSuffix("\n\n" + footer) })
        let report = String(decoding: try FileSystem.readAll("\(corpus)/clean/report.md"), as: UTF8.self)
        XCTAssertTrue(report.contains("Boilerplate lines removed (short lines in >= 5 documents of one source): 6."), report)
        XCTAssertTrue(report.contains("| boilerplate | 1 |"), report)
    }

    func testDocumentTooShortOnceEveryBoilerplateLineIsRemovedIsDropped() throws {
        let footer = "저작권자 신화통신 무단 전재 및 재배포 금지 기사 제보는 이메일로"
        func syllables(_ count: Int, from first: Int) -> String {
            String(String.UnicodeScalarView((first..<(first + count)).map { Unicode.Scalar(0xAC00 + UInt32($0 * 7 % 11172))! }))
        }
        var docs = (0..<6).map { Fixtures.document("x\($0)", Fixtures.randomArticle(seed: UInt64($0) + 80, words: 80) + "\n\n" + footer) }
        // 241 characters, 204 once one footer line is removed, 167 once both are.
        docs.append(Fixtures.document("repeated", [syllables(55, from: 0), footer, syllables(55, from: 55), footer, syllables(55, from: 110)]
            .joined(separator: "\n")))
        // 64 short lines before the footer: the line past them is removed too (191 characters left).
        docs.append(Fixtures.document("many-lines", ((0..<64).map { syllables(2, from: 200 + 2 * $0) } + [footer]).joined(separator: "\n")))
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", docs)
        var policy = CleaningPolicy()
        policy.minCharacters = 200
        let outcome = try clean { $0.policy = policy }
        XCTAssertEqual(outcome.run.filtered, ["boilerplate": 2])
        XCTAssertEqual(outcome.run.boilerplateLinesRemoved, 6)
        let kept = try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }
        XCTAssertEqual(kept.map(\.id).sorted(), (0..<6).map { "x\($0)" })
        XCTAssertTrue(kept.allSatisfy { $0.text.unicodeScalars.count >= policy.minCharacters })
    }

    func testTDMReservationValueIsParsedForHeaderAndMeta() {
        func reserved(_ signals: [String]) -> Bool {
            RightsReservation.isReserved(Fixtures.document("x", "본문", metadata: ["opt_out": .array(signals.map(JSONValue.string))]))
        }
        XCTAssertTrue(reserved(["tdm-reservation: 1"]))
        XCTAssertTrue(reserved(["meta tdm-reservation: 1"]))
        XCTAssertFalse(reserved(["tdm-reservation: 0"]))
        XCTAssertFalse(reserved(["meta tdm-reservation: 0"]))
        XCTAssertFalse(reserved(["meta tdm-policy: https://example.test/policy.json"]))
        XCTAssertTrue(reserved(["meta robots: noindex, noai"]))
        XCTAssertTrue(reserved(["x-robots-tag: noai"]))
        XCTAssertFalse(reserved(["meta robots: noimageai"]))
        XCTAssertFalse(reserved([]))
    }

    func testDefaultTestSplitFillsTo230AfterAbout2300DocumentsAndNeverMoves() {
        let assigner = SplitAssigner(policy: CleaningPolicy())
        let ids = (0..<3000).map { SplitAssigner.idHash("doc-\($0)") }
        let early = assigner.assign(Array(ids[..<1000]), existingTest: 0)
        let earlyTest = early.filter { $0 == .test }.count
        XCTAssertTrue((70...130).contains(earlyTest), "about 10% of a young corpus: \(earlyTest)")
        let late = assigner.assign(Array(ids[1000...]), existingTest: earlyTest)
        XCTAssertEqual(earlyTest + late.filter { $0 == .test }.count, 230)
        XCTAssertEqual(assigner.assign(Array(ids[..<1000]), existingTest: 0), early, "deterministic")
        // Candidates that find the test split full go to train/valid by their own hash.
        for (id, split) in zip(ids[1000...], late) where split != .test {
            XCTAssertEqual(split, assigner.trainOrValid(id))
        }
    }

    func testSplitsAreStableAsTheCorpusGrowsAndTestSizeIsCapped() throws {
        var policy = CleaningPolicy()
        policy.testHashFraction = 0.1
        policy.testDocuments = 12
        policy.documentsPerShard = 40
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", (0..<150).map { Fixtures.document("doc-\($0)", Fixtures.randomArticle(seed: UInt64($0) + 100, words: 40)) })
        _ = try clean { $0.policy = policy }
        let before = try Fixtures.readSplits("\(corpus)/clean")
        try Fixtures.writeShard("\(corpus)/docs/b.jsonl.gz", (150..<300).map { Fixtures.document("doc-\($0)", Fixtures.randomArticle(seed: UInt64($0) + 100, words: 40)) })
        let second = try clean { $0.policy = policy }
        XCTAssertEqual(second.run.kept, 150)
        let after = try Fixtures.readSplits("\(corpus)/clean")
        for (split, docs) in before {
            let ids = Set(after[split]!.map(\.id))
            for d in docs { XCTAssertTrue(ids.contains(d.id), "\(d.id) moved out of \(split)") }
        }
        XCTAssertEqual(after.values.map(\.count).reduce(0, +), 300)
        XCTAssertEqual(after[.test]?.count, 12)
        let valid = after[.valid]?.count ?? 0
        XCTAssertTrue((10...55).contains(valid), "valid \(valid)")
        // The rule is a function of the id: assigning again for the grown corpus agrees.
        let assigner = SplitAssigner(policy: policy)
        for d in after[.train]! { XCTAssertEqual(assigner.trainOrValid(SplitAssigner.idHash(d.id)), .train) }
        for d in after[.test]! { XCTAssertTrue(assigner.isTestCandidate(SplitAssigner.idHash(d.id))) }
        let manifest = try CleanManifest.load(path: second.manifestPath)
        XCTAssertTrue(manifest.splits["train"]!.shards.map(\.path).contains("train/run-0002-00000.jsonl.gz"))
        XCTAssertGreaterThan(manifest.splits["train"]!.shards.count, 2, "documentsPerShard rolls shards")
    }

    func testHostileInputs() throws {
        let good = "\(corpus)/docs/a.jsonl.gz"
        var lines = try [Fixtures.document("a", Fixtures.article)].map { try JSONLines.line($0, encoder: JSONLines.makeEncoder()) }
        lines.append(Array(#"{"id":"bad","text":""#.utf8) + [0xFF, 0xFE] + Array(#"","source":"x","added":"2024"}"#.utf8) + [0x0A])
        lines.append(try JSONLines.line(Fixtures.document("giant", Fixtures.article + "\n\n" + String(repeating: "가나다라마바사 ", count: 40_000)), encoder: JSONLines.makeEncoder()))
        try AtomicFileWriter.write(GzipCompressor.member(lines.flatMap { $0 }), to: good)
        // A truncated shard: its first documents are kept, the error names file and offset.
        var member = [UInt8]()
        for i in 0..<40 { member += try JSONLines.line(Fixtures.document("t\(i)", Fixtures.randomArticle(seed: UInt64(i) + 500)), encoder: JSONLines.makeEncoder()) }
        let compressed = GzipCompressor.member(member, level: 1)
        try AtomicFileWriter.write(Array(compressed.prefix(compressed.count * 2 / 3)), to: "\(corpus)/docs/b.jsonl.gz")

        let outcome = try clean()
        XCTAssertEqual(outcome.run.skippedLines, 1)
        XCTAssertEqual(outcome.run.skippedLineExamples.first, "\(good):2: invalid UTF-8")
        XCTAssertEqual(outcome.run.filtered["long_line"], 1)
        XCTAssertEqual(outcome.run.inputErrors.count, 1)
        XCTAssertTrue(outcome.run.inputErrors[0].hasPrefix("\(corpus)/docs/b.jsonl.gz"), outcome.run.inputErrors[0])
        XCTAssertTrue(outcome.run.inputErrors[0].contains("(byte "), outcome.run.inputErrors[0])
        XCTAssertGreaterThan(outcome.run.kept, 10)
        XCTAssertLessThan(outcome.run.kept, 41)

        let empty = try TemporaryDirectory("clean-empty")
        try FileSystem.createDirectory(empty.path + "/docs")
        XCTAssertThrowsError(try CorpusCleaner(options: .init(corpus: empty.path)).run()) { error in
            XCTAssertEqual("\(error)", "\(empty.path)/docs: no *.jsonl.gz document shards to clean (run `ko-llama extract` first)")
        }
    }

    func testManifestReportAndAnInterruptedRunRedone() throws {
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", [
            Fixtures.document("a", Fixtures.article),
            Fixtures.document("short", "짧은 글."),
            Fixtures.document("b", Fixtures.otherArticle, source: "people-ko"),
        ])
        let outcome = try clean()
        let manifest = try CleanManifest.load(path: outcome.manifestPath)
        XCTAssertEqual(manifest.runs.count, 1)
        XCTAssertEqual(manifest.runs[0].policy, CleaningPolicy())
        XCTAssertEqual(manifest.runs[0].filtered, ["too_short": 1])
        XCTAssertEqual(manifest.runs[0].perSource["xinhua-ko"], .init(input: 2, kept: 1, reservedExcluded: 0, filtered: 1))
        XCTAssertEqual(manifest.splits.values.map(\.documents).reduce(0, +), 2)
        for shard in manifest.splits.values.flatMap(\.shards) {
            let bytes = try FileSystem.readAll("\(corpus)/clean/\(shard.path)")
            XCTAssertEqual(bytes.count, shard.bytes)
            XCTAssertEqual(DigestEncoding.hex(SHA256.hash(bytes)), shard.sha256)
        }
        let report = String(decoding: try FileSystem.readAll("\(corpus)/clean/report.md"), as: UTF8.self)
        XCTAssertTrue(report.contains("| too_short | 1 |"), report)
        XCTAssertTrue(report.contains("512-1023"), report)

        // A crashed run 2 leaves a stray shard and index behind; the manifest still says run 1.
        try AtomicFileWriter.write("garbage", to: "\(corpus)/clean/train/run-0002-00000.jsonl.gz")
        try AtomicFileWriter.write("garbage", to: "\(corpus)/clean/dedup/index-run0002.bin")
        try Fixtures.writeShard("\(corpus)/docs/b.jsonl.gz", [Fixtures.document("c", Fixtures.randomArticle(seed: 9))])
        let redo = try clean()
        XCTAssertEqual(redo.run.run, 2)
        XCTAssertEqual(redo.run.kept, 1)
        XCTAssertEqual(try Fixtures.readSplits("\(corpus)/clean").values.flatMap { $0 }.map(\.id).sorted(), ["a", "b", "c"])
    }

    func testShardsAreReadableByPythonJsonAndGzip() throws {
        try PythonPeer.require("json", "gzip")
        try Fixtures.writeShard("\(corpus)/docs/a.jsonl.gz", (0..<30).map { Fixtures.document("p\($0)", Fixtures.randomArticle(seed: UInt64($0) + 900)) })
        let outcome = try clean()
        let manifest = try CleanManifest.load(path: outcome.manifestPath)
        let paths = manifest.splits.values.flatMap(\.shards).map { "\(corpus)/clean/\($0.path)" }
        let script = """
        import gzip, json, sys
        n = 0
        for path in sys.argv[1:]:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    assert set(["id", "text", "source", "added"]) <= set(d), d.keys()
                    n += 1
        print(n)
        """
        XCTAssertEqual(try PythonPeer.run(script, paths).trimmingCharacters(in: .whitespacesAndNewlines), "30")
    }

    func testOutputIsIdenticalWithOneOrTwoThreads() throws {
        var digests: [[String]] = []
        for threads in [1, 2] {
            let root = dir.path + "/threads-\(threads)"
            var docs = (0..<120).map { Fixtures.document("d\($0)", Fixtures.randomArticle(seed: UInt64($0) + 300, words: 50)) }
            docs.append(Fixtures.document("dup", Fixtures.editedArticle))
            docs.append(Fixtures.document("orig", Fixtures.article))
            try Fixtures.writeShard("\(root)/docs/a.jsonl.gz", docs)
            var options = CorpusCleaner.Options(corpus: root)
            options.threads = threads
            options.batchSize = 16
            let outcome = try CorpusCleaner(options: options).run()
            XCTAssertEqual(outcome.run.kept, 121)
            digests.append(try CleanManifest.load(path: outcome.manifestPath).splits.values.flatMap(\.shards).map(\.sha256).sorted())
        }
        XCTAssertEqual(digests[0], digests[1])
    }

    /// Writes a docs shard of `count` random articles with ids `<name>-<k>`, plus `extra`.
    func writeRandomShard(_ name: String, count: Int, seed: UInt64, extra: [Document] = []) throws {
        let docs = (0..<count).map { Fixtures.document("\(name)-\($0)", Fixtures.randomArticle(seed: seed + UInt64($0), words: 40)) }
        try Fixtures.writeShard("\(corpus)/docs/\(name).jsonl.gz", docs + extra)
    }

    func testWorkersKeepTheirShardsAsNewShardsArriveAndTheMergeDeduplicatesAcrossWorkers() throws {
        // "b" arrives in run 2 and sorts between "a" and "c": by position it would move "c" to
        // worker 0, which would add c's documents a second time.
        XCTAssertEqual(["a", "b", "c"].map { CorpusCleaner.worker(ofShard: "\($0).jsonl.gz", count: 2) }, [0, 1, 1])
        var policy = CleaningPolicy()
        policy.testHashFraction = 1
        policy.testDocuments = 3
        let copied = Fixtures.randomArticle(seed: 1003, words: 40)
        try writeRandomShard("a", count: 10, seed: 1000, extra: [Fixtures.document("a-orig", Fixtures.article)])
        try writeRandomShard("c", count: 10, seed: 2000, extra: [Fixtures.document("c-edit", Fixtures.editedArticle),
                                                                 Fixtures.document("c-copy", copied)])
        func workers() throws {
            for i in 0..<2 { _ = try clean { $0.policy = policy; $0.shardIndex = i; $0.shardCount = 2 } }
        }
        func merge() throws -> CorpusCleaner.Outcome { try clean { $0.policy = policy; $0.mergeWorkers = 2 } }

        XCTAssertThrowsError(try merge()) { error in
            XCTAssertTrue("\(error)".contains("workers/0-of-2: no manifest.json"), "\(error)")
        }
        try workers()
        let first = try merge()
        XCTAssertEqual(first.run.mergedWorkers, 2)
        XCTAssertEqual(first.run.filtered, ["exact_duplicate": 1, "near_duplicate": 1])
        try writeRandomShard("b", count: 10, seed: 3000)
        try workers()
        let second = try merge()
        XCTAssertEqual(second.run.inputDocuments, 10, "a merge reads only worker shards not merged before")
        XCTAssertEqual(second.run.kept, 10)

        var workerIDs: [String] = []
        for i in 0..<2 {
            workerIDs += try Fixtures.readSplits(CorpusCleaner.workerDirectory(corpus: corpus, index: i, count: 2)).values.flatMap { $0 }.map(\.id)
        }
        XCTAssertEqual(workerIDs.count, 33)
        XCTAssertEqual(Set(workerIDs).count, workerIDs.count, "no document in two workers")

        let merged = try Fixtures.readSplits("\(corpus)/clean")
        let ids = merged.values.flatMap { $0 }.map(\.id)
        XCTAssertEqual(ids.count, 31)
        XCTAssertEqual(Set(ids).count, 31)
        XCTAssertFalse(ids.contains("c-edit") || ids.contains("c-copy"))
        XCTAssertEqual(merged[.test]?.count, 3, "one test budget for the corpus")
        let manifest = try CleanManifest.load(path: second.manifestPath)
        XCTAssertEqual(second.manifestPath, "\(corpus)/clean/manifest.json")
        XCTAssertEqual(manifest.splits.values.map(\.documents).reduce(0, +), 31)
        XCTAssertEqual(manifest.indexedDocuments, 31)
        XCTAssertTrue(manifest.splits["train"]!.shards.allSatisfy { $0.path.hasPrefix("train/run-") })
    }
}
