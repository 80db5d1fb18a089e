/// Piece string → id lookup over UTF-8 byte slices, without building a `String` per lookup:
/// every piece's bytes live in one contiguous blob, and an open-addressing table (FNV-1a hash,
/// linear probing) holds ids. Plays the role of sentencepiece's `pieces_`/`reserved_id_map_` maps.
struct PieceTable: Sendable {
    private let blob: [UInt8]
    private let starts: [Int32]
    private let lengths: [Int32]
    private let slots: [Int32]
    private let mask: Int

    init(pieces: [String]) {
        self.init(byteStrings: pieces.map { Array($0.utf8) })
    }

    /// A table whose ids are the positions in `byteStrings` (the first of equal strings wins).
    init(byteStrings pieces: [[UInt8]]) {
        var blob: [UInt8] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        starts.reserveCapacity(pieces.count)
        lengths.reserveCapacity(pieces.count)
        for p in pieces {
            starts.append(Int32(blob.count))
            blob.append(contentsOf: p)
            lengths.append(Int32(blob.count) - starts[starts.count - 1])
        }
        var capacity = 16
        while capacity < pieces.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        blob.withUnsafeBufferPointer { b in
            for id in 0..<pieces.count {
                let start = Int(starts[id]), len = Int(lengths[id])
                var slot = Int(truncatingIfNeeded: PieceTable.hash(b.baseAddress! + start, len)) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(id)
            }
        }
        self.blob = blob
        self.starts = starts
        self.lengths = lengths
        self.slots = slots
        self.mask = mask
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count {
            h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3
        }
        return h ^ (h >> 29)
    }

    /// The id of the piece spelled by `count` bytes at `p`, or -1.
    @inline(__always)
    func id(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        var slot = Int(truncatingIfNeeded: PieceTable.hash(p, count)) & mask
        return blob.withUnsafeBufferPointer { b in
            while true {
                let id = slots[slot]
                if id < 0 { return -1 }
                if Int(lengths[Int(id)]) == count {
                    let q = b.baseAddress! + Int(starts[Int(id)])
                    var equal = true
                    for i in 0..<count where q[i] != p[i] {
                        equal = false
                        break
                    }
                    if equal { return id }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    func id(_ bytes: some Collection<UInt8>) -> Int32 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { id($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    /// The UTF-8 bytes of piece `id`.
    func bytes(of id: Int) -> ArraySlice<UInt8> {
        blob[Int(starts[id])..<Int(starts[id] + lengths[id])]
    }
}
