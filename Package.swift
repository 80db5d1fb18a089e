// swift-tools-version: 6.0
// ko-llama: a corpus-first pipeline that teaches a LLaMA-family model Korean.
// One module per stage (see ARCHITECTURE.md); dependencies point downstream only.
import PackageDescription

let package = Package(
    name: "ko-llama",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ko-llama", targets: ["KoLlamaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries: module maps plus tiny typed shims (see NOTES.md for why).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ICU stays behind a C-only header: Foundation ships its own ICU module on Linux.
        .target(
            name: "CICUShim",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n"), .linkedLibrary("icudata")]
        ),

        .target(name: "Corpus", dependencies: ["CZlib", "CICUShim"]),
        .target(name: "Extraction", dependencies: ["Corpus", "CLibXML2", "CICUShim"]),
        .target(
            name: "Tokenization",
            dependencies: [
                "Corpus",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(name: "Crawling", dependencies: ["Corpus", "CCurl", "CSQLite"]),
        .target(name: "Replica", dependencies: ["Corpus"]),
        .target(name: "Cleaning", dependencies: ["Corpus"]),
        .target(name: "Packing", dependencies: ["Corpus", "Tokenization"]),
        .target(name: "Modeling", dependencies: ["Corpus", "COpenBLAS"]),
        .target(name: "Training", dependencies: ["Modeling", "Packing", "Tokenization", "Reporting", "Corpus"]),
        .target(name: "Evaluation", dependencies: ["Training", "Modeling", "Packing", "Tokenization", "Reporting", "Corpus"]),
        .target(name: "Reporting", dependencies: ["Corpus"]),
        .target(name: "Pipeline", dependencies: ["Corpus", "Replica", "Crawling", "Extraction", "Cleaning", "Tokenization", "Packing", "Training", "Evaluation", "Reporting"]),
        .executableTarget(
            name: "KoLlamaCLI",
            dependencies: [
                "Corpus", "Replica", "Crawling", "Extraction", "Cleaning", "Tokenization", "Packing",
                "Modeling", "Training", "Evaluation", "Reporting", "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets only: temporary directories, the Python peer runner.
        .target(name: "TestSupport", path: "Sources/TestSupport"),

        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "TestSupport"]),
        .testTarget(name: "CrawlingTests", dependencies: ["Crawling", "Replica", "Corpus", "TestSupport"]),
        .testTarget(name: "ExtractionTests", dependencies: ["Extraction", "Corpus", "TestSupport"]),
        .testTarget(name: "CleaningTests", dependencies: ["Cleaning", "Corpus", "TestSupport"]),
        .testTarget(name: "PackingTests", dependencies: ["Packing", "Tokenization", "Corpus", "TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "Corpus", "TestSupport"]),
        .testTarget(name: "ModelingTests", dependencies: ["Modeling", "Corpus", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Modeling", "Packing", "Tokenization", "Corpus", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Training", "Modeling", "Tokenization", "Corpus", "TestSupport"]),
        // The stages together on the loopback replica.
        .testTarget(name: "PipelineTests", dependencies: ["Replica", "Crawling", "Extraction", "Cleaning", "Corpus", "Pipeline", "Reporting", "Evaluation", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Corpus", "TestSupport"]),
        .testTarget(name: "ReplicaTests", dependencies: ["Replica", "Corpus", "CLibXML2", "TestSupport"]),
    ]
)
