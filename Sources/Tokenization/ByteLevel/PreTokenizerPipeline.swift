/// The pre-tokenizer of a byte-level BPE `tokenizer.json`, as `tokenizers` applies it: each step
/// cuts every current piece further, in order. Supported steps are the ones GPT-2, SmolLM,
/// LLaMA-3 and Qwen2 use: `Split` (a `SplitPattern` regex or a literal string, any behaviour,
/// `invert`), `Digits` and `ByteLevel` (optional prefix space, optional GPT-2 regex), which must
/// come last, since after it the text is in byte-level characters. The byte-to-character mapping
/// itself is left to the BPE model, which works on raw bytes.
struct PreTokenizerPipeline: Sendable {
    /// `tokenizers`' `SplitDelimiterBehavior`.
    enum Behavior: String, Sendable {
        case removed = "Removed"
        case isolated = "Isolated"
        case mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext"
        case contiguous = "Contiguous"
    }

    enum Matcher: Sendable {
        case pattern(SplitPattern)
        case literal([UInt8])
        /// Each `\p{N}` character is a match (the `Digits` pre-tokenizer).
        case number
    }

    struct Step: Sendable {
        var matcher: Matcher
        var behavior: Behavior
        var invert: Bool
        /// The `ByteLevel` step's `add_prefix_space`: a space goes before each piece not starting with one.
        var addPrefixSpace = false
    }

    let steps: [Step]

    /// Working buffers for one thread: the current pieces as byte ranges of `bytes`.
    struct Scratch {
        var bytes: [UInt8] = []
        var bounds: [(start: Int, end: Int)] = []
        var nextBytes: [UInt8] = []
        var nextBounds: [(start: Int, end: Int)] = []
        var spans: [(start: Int, end: Int, isMatch: Bool)] = []
    }

    /// Pre-tokenizes `text`; the pieces are left in `scratch.bytes` / `scratch.bounds`.
    func run(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.bytes.append(contentsOf: text)
        scratch.bounds.removeAll(keepingCapacity: true)
        if !text.isEmpty { scratch.bounds.append((0, text.count)) }
        for step in steps {
            if step.addPrefixSpace {
                scratch.nextBytes.removeAll(keepingCapacity: true)
                scratch.nextBounds.removeAll(keepingCapacity: true)
                for (s, e) in scratch.bounds {
                    let start = scratch.nextBytes.count
                    if scratch.bytes[s] != 0x20 { scratch.nextBytes.append(0x20) }
                    scratch.nextBytes.append(contentsOf: scratch.bytes[s..<e])
                    scratch.nextBounds.append((start, scratch.nextBytes.count))
                }
                swap(&scratch.bytes, &scratch.nextBytes)
                swap(&scratch.bounds, &scratch.nextBounds)
            }
            apply(step, scratch: &scratch)
        }
    }

    private func apply(_ step: Step, scratch: inout Scratch) {
        scratch.nextBounds.removeAll(keepingCapacity: true)
        let bounds = scratch.bounds
        scratch.bytes.withUnsafeBufferPointer { buffer in
            let t = buffer.baseAddress!
            for (s, e) in bounds {
                scratch.spans.removeAll(keepingCapacity: true)
                switch step.matcher {
                case let .pattern(p):
                    p.forEachSpan(t, s, e) { a, b, m in scratch.spans.append((a, b, m)) }
                case let .literal(l):
                    Self.literalSpans(l, t, s, e, into: &scratch.spans)
                case .number:
                    var i = s, gap = s
                    while i < e {
                        let d = UnicodeCharacterClasses.decode(t + i)
                        if UnicodeCharacterClasses.shared.flags(d.scalar) & UnicodeCharacterClasses.number != 0 {
                            if gap < i { scratch.spans.append((gap, i, false)) }
                            scratch.spans.append((i, i + d.length, true))
                            gap = i + d.length
                        }
                        i += d.length
                    }
                    if gap < e { scratch.spans.append((gap, e, false)) }
                }
                if step.invert { for k in scratch.spans.indices { scratch.spans[k].isMatch.toggle() } }
                Self.combine(scratch.spans, step.behavior, into: &scratch.nextBounds)
            }
        }
        swap(&scratch.bounds, &scratch.nextBounds)
    }

    private static func literalSpans(_ l: [UInt8], _ t: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into spans: inout [(start: Int, end: Int, isMatch: Bool)]) {
        var i = s, gap = s
        while !l.isEmpty && i + l.count <= e {
            if l.indices.allSatisfy({ t[i + $0] == l[$0] }) {
                if gap < i { spans.append((gap, i, false)) }
                spans.append((i, i + l.count, true))
                i += l.count
                gap = i
            } else {
                i += 1
            }
        }
        if gap < e { spans.append((gap, e, false)) }
    }

    /// `NormalizedString::split`'s treatment of the delimiter spans; empty pieces are dropped.
    static func combine(_ spans: [(start: Int, end: Int, isMatch: Bool)], _ behavior: Behavior, into out: inout [(start: Int, end: Int)]) {
        let first = out.count
        switch behavior {
        case .isolated:
            for sp in spans { out.append((sp.start, sp.end)) }
        case .removed:
            for sp in spans where !sp.isMatch { out.append((sp.start, sp.end)) }
        case .mergedWithPrevious:
            var previousMatch = false
            for sp in spans {
                if sp.isMatch && !previousMatch && out.count > first { out[out.count - 1].end = sp.end } else { out.append((sp.start, sp.end)) }
                previousMatch = sp.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            var reversed: [(start: Int, end: Int)] = []
            for sp in spans.reversed() {
                if sp.isMatch && !previousMatch && !reversed.isEmpty { reversed[reversed.count - 1].start = sp.start } else { reversed.append((sp.start, sp.end)) }
                previousMatch = sp.isMatch
            }
            out.append(contentsOf: reversed.reversed())
        case .contiguous:
            var previousMatch = false
            for sp in spans {
                if sp.isMatch == previousMatch && out.count > first { out[out.count - 1].end = sp.end } else { out.append((sp.start, sp.end)) }
                previousMatch = sp.isMatch
            }
        }
    }
}
