import Corpus

/// A Hugging Face LLaMA folder as `LlamaForCausalLM.save_pretrained` writes it: `config.json`
/// plus `model.safetensors`, or shards `model-0000i-of-0000n.safetensors` listed by
/// `model.safetensors.index.json` (`weight_map`). Opening checks that every weight the config
/// implies (`LlamaConfig.expectedTensorShapes()`) is there with its shape and a float dtype;
/// further tensors (e.g. an old `rotary_emb.inv_freq`, a tied model's `lm_head.weight`) are
/// listed but not required, as transformers ignores them.
public struct HFModelFolder: Sendable {
    public let path: String
    public let config: LlamaConfig
    /// Every tensor of the folder: the config's weights in state-dict order, then any others by name.
    public let tensorNames: [String]
    private let files: [String: SafeTensorsFile]

    public static let indexFileName = "model.safetensors.index.json"

    public init(path: String) throws {
        self.path = path
        config = try LlamaConfig.load(path: path + "/config.json")
        var files: [String: SafeTensorsFile] = [:]
        let indexPath = path + "/" + Self.indexFileName
        if FileSystem.exists(indexPath) {
            let index = try ConfigObject.read(indexPath)
            guard let map = try index.optionalObject("weight_map") else { throw index.error("weight_map", "missing") }
            var shards: [String: SafeTensorsFile] = [:]
            for (name, value) in map.fields {
                guard case let .string(shard) = value else { throw map.error(name, "expected a file name, found \(ConfigObject.render(value))") }
                guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                    throw map.error(name, "\"\(shard)\" is not a file name inside the folder")
                }
                if shards[shard] == nil { shards[shard] = try SafeTensorsFile(path: path + "/" + shard) }
                guard shards[shard]!.contains(name) else { throw ModelingError.missingTensor(path: path + "/" + shard, tensor: name) }
                files[name] = shards[shard]
            }
        } else if FileSystem.exists(path + "/model.safetensors") {
            let file = try SafeTensorsFile(path: path + "/model.safetensors")
            for name in file.names { files[name] = file }
        } else {
            throw ModelingError.invalidFolder(path: path, detail: "no model.safetensors or \(Self.indexFileName)")
        }
        let expected = config.expectedTensorShapes()
        try ExpectedTensors.check(expected, names: files.keys, shape: { files[$0]?.info($0)?.shape },
                                  path: path, source: "config.json", allowExtra: true)
        for (name, _) in expected {
            let info = files[name]!.info(name)!
            guard [.f32, .f16, .bf16, .f64].contains(info.dtype) else {
                throw ModelingError.tensorMismatch(path: files[name]!.path, tensor: name, detail: "dtype \(info.dtype.rawValue) is not a float type")
            }
        }
        let known = Set(expected.map(\.name))
        tensorNames = expected.map(\.name) + files.keys.filter { !known.contains($0) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        self.files = files
    }

    public func contains(_ name: String) -> Bool { files[name] != nil }

    public func shape(of name: String) -> [Int]? { files[name]?.info(name)?.shape }

    public func dtype(of name: String) -> SafeTensorsDType? { files[name]?.info(name)?.dtype }

    /// The tensor's values as fp32 (converted from F16/BF16 when stored so).
    public func floats(_ name: String) throws -> [Float] {
        guard let file = files[name] else { throw ModelingError.missingTensor(path: path, tensor: name) }
        return try file.floats(name)
    }

    public func tensor(_ name: String) throws -> NamedTensor {
        NamedTensor(name: name, shape: shape(of: name) ?? [], values: try floats(name))
    }

    /// The config's weights (`expectedTensorShapes()` order) as fp32 tensors.
    public func weights() throws -> [NamedTensor] {
        try config.expectedTensorShapes().map { try tensor($0.name) }
    }

    // MARK: - Writing

    /// Writes `config.json`, `generation_config.json` and the weights (`model.safetensors`, or
    /// shards of at most `shardBytes` of data each plus the index, as transformers'
    /// `max_shard_size` splits: tensors in state-dict order, a tensor larger than the limit alone
    /// in its shard; one shard is written as plain `model.safetensors`). `tensors` must be
    /// exactly the config's weights with their shapes, in any order. The folder appears all or
    /// nothing (see `StagedFolder`), together with `extraFiles` (name, text), e.g. `resize.json`.
    public static func write(config: LlamaConfig, tensors: [NamedTensor], to directory: String,
                             dtype: SafeTensorsDType = .f32, shardBytes: Int? = nil,
                             extraFiles: [(name: String, text: String)] = []) throws {
        try config.validate(path: directory + "/config.json")
        let ordered = try ExpectedTensors.ordered(tensors, config.expectedTensorShapes(), path: directory, source: "the config")
        var shards: [[NamedTensor]] = [[]]
        var shardSize = 0
        for tensor in ordered {
            let bytes = tensor.values.count * dtype.byteSize
            if let limit = shardBytes, !shards[shards.count - 1].isEmpty, shardSize + bytes > limit {
                shards.append([])
                shardSize = 0
            }
            shards[shards.count - 1].append(tensor)
            shardSize += bytes
        }
        try StagedFolder.write(to: directory, marker: "config.json") { staging in
            try config.write(path: staging + "/config.json", dtype: dtype)
            try AtomicFileWriter.write(generationConfigText(config), to: staging + "/generation_config.json")
            for file in extraFiles { try AtomicFileWriter.write(file.text, to: staging + "/" + file.name) }
            if shards.count == 1 {
                try SafeTensorsWriter.write(ordered, dtype: dtype, to: staging + "/model.safetensors")
                return
            }
            var weightMap: [(String, JSONText)] = []
            for (i, shard) in shards.enumerated() {
                let name = "model-\(fiveDigits(i + 1))-of-\(fiveDigits(shards.count)).safetensors"
                try SafeTensorsWriter.write(shard, dtype: dtype, to: staging + "/" + name)
                weightMap += shard.map { ($0.name, .string(name)) }
            }
            let parameters = ordered.reduce(0) { $0 + $1.values.count }
            let index = JSONText.object([
                ("metadata", .object([("total_parameters", .int(parameters)), ("total_size", .int(parameters * dtype.byteSize))])),
                ("weight_map", .object(weightMap)),
            ])
            try AtomicFileWriter.write(index.pretty, to: staging + "/" + indexFileName)
        }
    }

    private static func fiveDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// generation_config.json as transformers derives it from a model config.
    private static func generationConfigText(_ config: LlamaConfig) -> String {
        var pairs: [(String, JSONText)] = [("_from_model_config", .bool(true))]
        for (key, id) in [("bos_token_id", config.bosTokenId), ("eos_token_id", config.eosTokenId), ("pad_token_id", config.padTokenId)] {
            if let id { pairs.append((key, .int(id))) }
        }
        return JSONText.object(pairs).pretty
    }
}
