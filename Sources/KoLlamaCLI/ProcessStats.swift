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
