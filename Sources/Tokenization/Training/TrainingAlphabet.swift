import Corpus

/// The alphabet phase of SentencePiece's BPE trainer (trainer_interface.cc): character counts
/// over all words, the required characters that `character_coverage` keeps (in spm's order),
/// rare characters mapped to the unknown character U+2585, and every word as a sequence of
/// character ids, words in spm's `Sorted()` order. What `BPEMerger` starts from; built from the
/// word table, which the trainer can then free before the merges. `init(byteWords:)` is the
/// byte-level alphabet instead: all 256 bytes, every word a sequence of byte symbols.
struct TrainingAlphabet {
    /// The required characters in id order, then U+2585 (the unknown character); empty for bytes.
    let characterCodes: [UInt32]
    /// The bytes of each symbol, in symbol id order.
    let symbolPieces: [[UInt8]]
    /// Occurrences of each symbol (1 for the unknown character).
    let symbolFrequency: [Int]
    /// Characters kept by `character_coverage` (`characterCodes` less the unknown character).
    let requiredCount: Int
    /// Symbol ids of every word back to back; `wordStart` has one more entry than words.
    let wordSymbols: [Int32]
    let wordStart: [Int]
    let frequencies: [Int]
    /// The symbol rare characters map to; nil for the byte alphabet, which has none.
    let unknownId: Int?

    /// The byte alphabet of `tokenizers`' BpeTrainer with `initial_alphabet=ByteLevel.alphabet()`:
    /// all 256 bytes whether seen or not, in the order of their byte-level characters' code points
    /// (`byteOrder`, which is how BpeTrainer numbers its alphabet), over words of raw bytes.
    init(byteWords words: WordTable, byteOrder: [UInt8]) {
        var symbolOfByte = [Int32](repeating: 0, count: 256)
        for (i, b) in byteOrder.enumerated() { symbolOfByte[Int(b)] = Int32(i) }
        var counts = [Int](repeating: 0, count: 256)
        var wordSymbols: [Int32] = [], wordStart: [Int] = [], frequencies: [Int] = []
        wordStart.reserveCapacity(words.count + 1)
        frequencies.reserveCapacity(words.count)
        WordTable.forEachSortedByFrequency(words, Array(0..<words.count), WordTable(capacity: 1)) { word, count in
            wordStart.append(wordSymbols.count)
            for b in word {
                wordSymbols.append(symbolOfByte[Int(b)])
                counts[Int(b)] += count
            }
            frequencies.append(count)
        }
        wordStart.append(wordSymbols.count)
        characterCodes = []
        symbolPieces = byteOrder.map { [$0] }
        symbolFrequency = byteOrder.map { counts[Int($0)] }
        requiredCount = 256
        unknownId = nil
        self.wordSymbols = wordSymbols
        self.wordStart = wordStart
        self.frequencies = frequencies
    }

    init(words: WordTable, options: BPETrainerOptions, metaPieceCount: Int) throws {
        // Character counts over all words (= over all sentences) and the required alphabet.
        // Flat tables indexed by code point: one pass, no hashing.
        var charCounts = [Int](repeating: 0, count: 0x110000)
        var decoded: [UInt32] = []
        words.arena.withUnsafeBufferPointer { arena in
            for id in 0..<words.count {
                UTF8Validation.decode(UnsafeBufferPointer(rebasing: arena[words.span(id)]), into: &decoded)
                let f = words.counts[id]
                for c in decoded where c != 0 { charCounts[Int(c)] += f }
            }
        }
        let allCount = charCounts.reduce(0, +)
        if allCount == 0 { throw BPETrainerError.emptyCorpus(inputs: options.inputs) }
        let byFrequency = charCounts.indices.filter { charCounts[$0] > 0 }
            .map { (UInt32($0), charCounts[$0]) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var required: [(UInt32, Int)] = []
        var accumulated = 0
        let coverageTarget = Float(options.characterCoverage)
        for (c, n) in byFrequency {
            // spm computes the coverage in double and compares it as float.
            if Float(Double(accumulated) / Double(allCount)) >= coverageTarget { break }
            accumulated += n
            if c == PieceValidity.boundaryCharacter { continue }
            required.append((c, n))
        }
        if required.count + metaPieceCount > options.vocabSize {
            throw BPETrainerError.vocabularyTooSmall(vocabSize: options.vocabSize, requiredCharacters: required.count, metaPieces: metaPieceCount)
        }

        // Character ids: required characters in spm's order, then the unknown character.
        var charId = [Int32](repeating: -1, count: 0x110000)
        for (i, (c, _)) in required.enumerated() { charId[Int(c)] = Int32(i) }
        let unknownId = Int32(required.count)
        requiredCount = required.count
        characterCodes = required.map(\.0) + [PieceValidity.unknownCharacter]
        symbolPieces = characterCodes.map { c in
            var bytes: [UInt8] = []
            UTF8Validation.encode(c, into: &bytes)
            return bytes
        }
        symbolFrequency = required.map(\.1) + [1]
        self.unknownId = Int(unknownId)

        // Rare characters become the unknown character; words that become equal are merged.
        // Only words with a rare character change, and they cannot collide with unchanged
        // words (input lines holding U+2585 were skipped), so only they are re-counted.
        var rare = WordTable(capacity: 1024)
        var kept: [Int] = []
        kept.reserveCapacity(words.count)
        var bytes: [UInt8] = []
        words.arena.withUnsafeBufferPointer { arena in
            for id in 0..<words.count {
                let word = UnsafeBufferPointer(rebasing: arena[words.span(id)])
                UTF8Validation.decode(word, into: &decoded)
                if decoded.allSatisfy({ charId[Int($0)] >= 0 }) {
                    kept.append(id)
                } else {
                    bytes.removeAll(keepingCapacity: true)
                    for c in decoded { UTF8Validation.encode(charId[Int(c)] >= 0 ? c : PieceValidity.unknownCharacter, into: &bytes) }
                    bytes.withUnsafeBufferPointer { rare.add($0, count: words.counts[id]) }
                }
            }
        }
        var wordSymbols: [Int32] = []
        var wordStart: [Int] = []
        var frequencies: [Int] = []
        wordStart.reserveCapacity(kept.count + rare.count + 1)
        frequencies.reserveCapacity(kept.count + rare.count)
        WordTable.forEachSortedByFrequency(words, kept, rare) { word, count in
            UTF8Validation.decode(word, into: &decoded)
            wordStart.append(wordSymbols.count)
            for c in decoded { let id = charId[Int(c)]; wordSymbols.append(id >= 0 ? id : unknownId) }
            frequencies.append(count)
        }
        wordStart.append(wordSymbols.count)
        self.wordSymbols = wordSymbols
        self.wordStart = wordStart
        self.frequencies = frequencies
    }
}
