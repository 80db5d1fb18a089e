/// Greedy longest-first matching of USER_DEFINED pieces, mirroring sentencepiece's
/// `PrefixMatcher`: the normalizer copies a matched symbol verbatim and BPE freezes it.
struct UserDefinedSymbolMatcher: Sendable {
    private let table: PieceTable
    /// Distinct symbol byte lengths, longest first.
    private let lengths: [Int]

    init?(symbols: [String]) {
        if symbols.isEmpty { return nil }
        table = PieceTable(pieces: symbols)
        lengths = Array(Set(symbols.map { $0.utf8.count })).sorted(by: >)
    }

    /// The byte length of the longest symbol that starts at `p`, or 0.
    @inline(__always)
    func match(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        for len in lengths where len <= count {
            if table.id(p, len) >= 0 { return len }
        }
        return 0
    }
}
