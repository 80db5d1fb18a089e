import ArgumentParser
import Corpus
import Foundation

/// Line-oriented input and buffered output shared by the encode/decode commands.
enum LineIO {
    /// The input file, or standard input when `path` is nil.
    static func reader(_ path: String?) throws -> ByteReader {
        try ByteReader(path: path ?? "/dev/stdin")
    }

    /// Reads up to `count` lines; empty at end of input.
    static func readBatch(_ reader: ByteReader, count: Int) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        lines.reserveCapacity(count)
        while lines.count < count, let line = try reader.readLine() { lines.append(Array(line)) }
        return lines
    }

    static func writeStdout(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { FileHandle.standardOutput.write(Data($0)) }
    }

    static func appendDecimal(_ value: Int32, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &out)
            return
        }
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}

/// A fatal command-line failure with a message naming the file and line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
