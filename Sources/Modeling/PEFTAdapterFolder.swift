import Corpus

/// A PEFT LoRA adapter folder as `PeftModel.save_pretrained` writes it and
/// `PeftModel.from_pretrained` loads it: `adapter_config.json` plus `adapter_model.safetensors`
/// with the key names of `PEFTKeys`. `validate(against:)` checks every tensor against the base
/// model's config, so an adapter for another base fails naming the key instead of loading.
public struct PEFTAdapterFolder: Sendable {
    public let path: String
    public let config: LoRAAdapterConfig
    private let file: SafeTensorsFile

    public static let configFileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"

    public init(path: String) throws {
        self.path = path
        config = try LoRAAdapterConfig.load(path: path + "/" + Self.configFileName)
        file = try SafeTensorsFile(path: path + "/" + Self.weightsFileName)
    }

    /// Keys in file order.
    public var tensorNames: [String] { file.names }

    public func contains(_ key: String) -> Bool { file.contains(key) }

    public func shape(of key: String) -> [Int]? { file.info(key)?.shape }

    public func floats(_ key: String) throws -> [Float] { try file.floats(key) }

    public func tensor(_ key: String) throws -> NamedTensor {
        NamedTensor(name: key, shape: shape(of: key) ?? [], values: try floats(key))
    }

    /// Throws `ModelingError` naming the key when the adapter does not fit `base`: a tensor
    /// missing, of another shape (another hidden size, vocabulary or rank), or not one PEFT
    /// saves for this config; a trainable token row outside the vocabulary.
    public func validate(against base: LlamaConfig) throws {
        try Self.checkRows(config, base, path: path + "/" + Self.configFileName)
        try ExpectedTensors.check(PEFTKeys.expectedShapes(adapter: config, base: base), names: file.names,
                                  shape: { file.info($0)?.shape }, path: file.path,
                                  source: "the adapter config on this base model", allowExtra: false)
    }

    /// Writes the folder (all or nothing, see `StagedFolder`): `adapter_config.json` and
    /// `adapter_model.safetensors` (metadata `format: pt`, as PEFT writes it). `tensors` must be
    /// exactly `PEFTKeys.expectedShapes(adapter: config, base: base)`, in any order.
    public static func write(config: LoRAAdapterConfig, tensors: [NamedTensor], base: LlamaConfig,
                             to directory: String, dtype: SafeTensorsDType = .f32) throws {
        let configPath = directory + "/" + configFileName
        try config.validate(path: configPath)
        try checkRows(config, base, path: configPath)
        let ordered = try ExpectedTensors.ordered(tensors, PEFTKeys.expectedShapes(adapter: config, base: base),
                                                  path: directory, source: "the adapter config on this base model")
        try StagedFolder.write(to: directory, marker: configFileName) { staging in
            try config.write(path: staging + "/" + configFileName)
            try SafeTensorsWriter.write(ordered, dtype: dtype, to: staging + "/" + weightsFileName)
        }
    }

    private static func checkRows(_ config: LoRAAdapterConfig, _ base: LlamaConfig, path: String) throws {
        if let row = config.trainableTokenIndices?.first(where: { $0 >= base.vocabSize }) {
            throw ModelingError.invalidConfig(path: path, key: "trainable_token_indices",
                                              detail: "row \(row) is outside the base vocabulary 0..<\(base.vocabSize)")
        }
    }
}
