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
        var v = Int(value)
        if v < 0 {
            out.append(UInt8(ascii: "-"))
            v = -v
        }
        var digits = 1
        var p = 10
        while p <= v {
            digits += 1
            p *= 10
        }
        let end = out.count + digits
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var k = end - 1
        repeat {
            out[k] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            k -= 1
        } while v > 0
    }
}

/// A fatal command-line failure with a message naming the file and line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
