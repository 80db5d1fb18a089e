import Dispatch

/// Encodes a batch of lines on several threads for any tokenizer: contiguous ranges of about
/// equal byte counts, one per worker, each with its own scratch state; results keep the input
/// order, and an invalid line throws the error of the first such line (1-based line numbers).
enum ParallelLineEncoder {
    static func encode<Scratch>(lines: [[UInt8]], threads: Int, makeScratch: () -> Scratch,
                                encode: (_ line: [UInt8], _ lineNumber: Int, _ scratch: inout Scratch, _ out: inout [Int32]) throws -> Void) throws -> [[Int32]] {
        let n = lines.count
        if n == 0 { return [] }
        let workers = max(1, min(threads, n))
        let total = lines.reduce(0) { $0 + $1.count }
        var bounds = [0]
        var acc = 0
        for (i, l) in lines.enumerated() {
            acc += l.count
            if bounds.count < workers && acc * workers >= total * bounds.count && i + 1 < n { bounds.append(i + 1) }
        }
        bounds.append(n)
        let ranges = bounds
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: n)
        results.initialize(repeating: [])
        defer { results.deinitialize().deallocate() }
        let errors = UnsafeMutableBufferPointer<TokenizationError?>.allocate(capacity: bounds.count - 1)
        errors.initialize(repeating: nil)
        defer { errors.deinitialize().deallocate() }
        nonisolated(unsafe) let resultsShared = results
        nonisolated(unsafe) let errorsShared = errors
        withoutActuallyEscaping(makeScratch) { makeScratch in
            withoutActuallyEscaping(encode) { encode in
                nonisolated(unsafe) let makeScratch = makeScratch
                nonisolated(unsafe) let encode = encode
                DispatchQueue.concurrentPerform(iterations: ranges.count - 1) { w in
                    var scratch = makeScratch()
                    for i in ranges[w]..<ranges[w + 1] {
                        var ids: [Int32] = []
                        do {
                            try encode(lines[i], i + 1, &scratch, &ids)
                        } catch {
                            errorsShared[w] = error as? TokenizationError
                            return
                        }
                        resultsShared[i] = ids
                    }
                }
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        return Array(results)
    }
}
