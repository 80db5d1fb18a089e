import ArgumentParser
import Cleaning
import Corpus
import Foundation

/// `ko-llama bench clean --input FILE`: throughput of normalize+filter on 1 and 2 threads and of
/// the MinHash + LSH dedup pass, over a plain-text file whose articles are separated by blank
/// lines (one paragraph per line, like kowiki_dev_100MB.txt), with peak RSS.
struct BenchCleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clean", abstract: "Benchmark the cleaning stage.")

    @Option(help: "Plain text, one paragraph per line, a blank line between articles.")
    var input: String

    func run() throws {
        let articles = try Self.articles(FileSystem.readAll(input))
        let bytes = articles.reduce(0) { $0 + $1.utf8.count }
        let mb = Double(bytes) / 1e6
        let policy = CleaningPolicy()
        let processor = DocumentProcessor(policy: policy)
        print("input: \(input), \(articles.count) articles, \(String(format: "%.1f", mb)) MB")
        print("| step | threads | wall s | MB/s (wall) | CPU s | MB/s per CPU-second |")
        print("|---|---:|---:|---:|---:|---:|")
        var kept: [ProcessedText] = []
        for threads in [1, 2] {
            let start = Date(), cpu = Self.cpuSeconds()
            var results: [ProcessedText] = []
            for batch in stride(from: 0, to: articles.count, by: 512) {
                results += processor.process(Array(articles[batch..<min(batch + 512, articles.count)]), threads: threads, signatures: false)
            }
            print(Self.row("normalize+filter", threads, mb, wall: Date().timeIntervalSince(start), cpu: Self.cpuSeconds() - cpu))
            kept = results.filter { $0.reason == nil }
            if threads == 2 {
                var dropped: [String: Int] = [:]
                for r in results { if let reason = r.reason { dropped[reason.rawValue, default: 0] += 1 } }
                print("filtered: \(dropped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
            }
        }
        var reasons: [String: Int] = [:]
        let keptBytes = kept.reduce(0) { $0 + $1.text.count }
        for threads in [1, 2] {
            let start = Date(), cpu = Self.cpuSeconds()
            let signatures = ParallelMap.map(kept.map(\.text), threads: threads) { t in
                t.withUnsafeBufferPointer { (StableHash.hash($0), processor.hasher.signature($0)) }
            }
            let index = DedupIndex(policy: policy)
            reasons = [:]
            for (i, (textHash, signature)) in signatures.enumerated() {
                if let r = index.duplicate(textHash: textHash, signature: signature) {
                    reasons[r.rawValue, default: 0] += 1
                } else {
                    index.insert(idHash: UInt64(i), textHash: textHash, signature: signature)
                }
            }
            print(Self.row("dedup (MinHash \(policy.minHashPermutations), LSH \(policy.minHashBands)x\(policy.minHashRows))", threads,
                           Double(keptBytes) / 1e6, wall: Date().timeIntervalSince(start), cpu: Self.cpuSeconds() - cpu))
        }
        print("kept after filters: \(kept.count) documents, \(String(format: "%.1f", Double(keptBytes) / 1e6)) MB; duplicates: \(reasons.sorted { $0.key < $1.key })")
        print("peak RSS: \(Int(ProcessStats.peakRSSMegabytes())) MB")
    }

    static func row(_ step: String, _ threads: Int, _ mb: Double, wall: Double, cpu: Double) -> String {
        "| \(step) | \(threads) | \(String(format: "%.2f", wall)) | \(String(format: "%.1f", mb / wall)) | \(String(format: "%.2f", cpu)) | \(String(format: "%.1f", mb / cpu)) |"
    }

    /// CPU time of the whole process (all threads): on a shared machine, wall time alone
    /// measures the neighbours as much as this code.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Articles: runs of non-blank lines, paragraphs joined by a blank line.
    static func articles(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var lineStart = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            let line = bytes[lineStart..<i]
            lineStart = i + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
                if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)); current.removeAll(keepingCapacity: true) }
            } else {
                if !current.isEmpty { current += [0x0A, 0x0A] }
                current += line
            }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }
}
