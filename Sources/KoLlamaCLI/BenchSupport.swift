import ArgumentParser
import Foundation
import Glibc

/// Resource figures the benchmarks report.
enum ProcessStats {
    /// Peak resident set size of this process so far, in MiB (getrusage's ru_maxrss is in KiB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// Runs a peer tool's Python script (`python3 -c script args...`) for a benchmark and returns
/// its standard output; a failure names the bench and says how to install the peers.
enum PythonPeerScript {
    static func run(_ script: String, _ arguments: [String], bench: String) throws -> String {
        try python(["-c", script] + arguments, bench: bench)
    }

    /// Runs `python3 path args...` (a committed peer script).
    static func runFile(_ path: String, _ arguments: [String], bench: String) throws -> String {
        try python([path] + arguments, bench: bench)
    }

    private static func python(_ arguments: [String], bench: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ValidationError("bench \(bench): python peer exited \(p.terminationStatus); install the peers with scripts/setup.sh")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
