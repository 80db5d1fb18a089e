import Corpus

// `LoRAAdapterConfig` lives in a PEFT*-named file: the LoRA*.swift names belong to the LoRA math.

/// A PEFT 0.21 `LoraConfig` as `adapter_config.json` holds it, restricted to what this project
/// trains: `peft_type` LORA, `task_type` CAUSAL_LM, one rank and alpha for every target (no
/// rank/alpha patterns), targets among the seven LLaMA projections, `modules_to_save` among
/// `embed_tokens`/`lm_head`, `trainable_token_indices` as a list of embedding rows (or the same rows for embed_tokens and lm_head), no bias, no
/// DoRA. Reading rejects anything else with an error naming the key, rather than loading an
/// adapter that would compute something different.
public struct LoRAAdapterConfig: Sendable, Equatable {
    public var r: Int
    public var loraAlpha: Float
    public var loraDropout: Float
    /// Module names (`q_proj`, ..., `down_proj`).
    public var targetModules: [String]
    /// `embed_tokens` and/or `lm_head`, trained whole; nil when none.
    public var modulesToSave: [String]?
    /// Embedding rows trained alone (PEFT TrainableTokens); nil when none.
    public var trainableTokenIndices: [Int]?
    /// The modules those rows train in: `embed_tokens`, and `lm_head` of an untied model
    /// (written in PEFT's per-module form `{"embed_tokens": rows, "lm_head": rows}`).
    public var trainableTokenModules: [String]
    /// alpha / sqrt(r) instead of alpha / r.
    public var useRslora: Bool
    /// With tied base embeddings: one trained copy serves `embed_tokens` and `lm_head`.
    public var ensureWeightTying: Bool
    public var baseModelNameOrPath: String?
    public var inferenceMode: Bool

    public init(r: Int, loraAlpha: Float, loraDropout: Float = 0, targetModules: [String],
                modulesToSave: [String]? = nil, trainableTokenIndices: [Int]? = nil,
                trainableTokenModules: [String] = ["embed_tokens"], useRslora: Bool = false,
                ensureWeightTying: Bool = false, baseModelNameOrPath: String? = nil, inferenceMode: Bool = true) {
        self.r = r
        self.loraAlpha = loraAlpha
        self.loraDropout = loraDropout
        self.targetModules = targetModules
        self.modulesToSave = modulesToSave
        self.trainableTokenIndices = trainableTokenIndices
        self.trainableTokenModules = trainableTokenModules
        self.useRslora = useRslora
        self.ensureWeightTying = ensureWeightTying
        self.baseModelNameOrPath = baseModelNameOrPath
        self.inferenceMode = inferenceMode
    }

    /// The factor PEFT multiplies `B A x` by: alpha / r, or alpha / sqrt(r) with rsLoRA.
    public var scaling: Float { useRslora ? loraAlpha / Float(r).squareRoot() : loraAlpha / Float(r) }

    public static func load(path: String) throws -> LoRAAdapterConfig {
        let json = try ConfigObject.read(path)
        func require(_ key: String, _ expected: String) throws {
            let value = try json.optionalString(key)
            guard value == expected else { throw json.error(key, "\(value.map { "\"\($0)\"" } ?? "missing") is not supported (only \"\(expected)\")") }
        }
        try require("peft_type", "LORA")
        try require("task_type", "CAUSAL_LM")
        if json.has("bias") { try require("bias", "none") }
        for key in ["fan_in_fan_out", "use_dora", "lora_bias"] where try json.bool(key, default: false) {
            throw json.error(key, "true is not supported")
        }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let pattern = try json.optionalObject(key), !pattern.fields.isEmpty { throw json.error(key, "per-module patterns are not supported") }
        }
        for key in ["layers_to_transform", "layers_pattern", "exclude_modules", "layer_replication", "target_parameters"] where json.has(key) {
            throw json.error(key, "must be null (every layer, every target)")
        }
        // trainable_token_indices: a list of rows (embed_tokens), or PEFT's per-module form with
        // the same rows for embed_tokens and lm_head (what `--train-embeddings new-rows` writes).
        var tokenRows = try json.optionalIntArrayUnlessObject("trainable_token_indices")
        var tokenModules = ["embed_tokens"]
        if let perModule = try json.optionalObjectUnlessArray("trainable_token_indices") {
            tokenModules = perModule.fields.keys.sorted()
            for module in tokenModules where module != "embed_tokens" && module != "lm_head" {
                throw json.error("trainable_token_indices", "module \"\(module)\" is not supported (embed_tokens, lm_head)")
            }
            let lists = try tokenModules.map { try perModule.optionalIntArray($0) ?? [] }
            guard let first = lists.first, lists.allSatisfy({ $0 == first }) else {
                throw json.error("trainable_token_indices", "different rows per module are not supported")
            }
            tokenRows = first
        }
        guard case .array? = json.value("target_modules") else {
            throw json.error("target_modules", json.has("target_modules") ? "a pattern is not supported (a list of module names only)" : "missing")
        }
        let config = LoRAAdapterConfig(
            r: try json.positiveInt("r"),
            loraAlpha: Float(try json.double("lora_alpha")),
            loraDropout: Float(try json.optionalDouble("lora_dropout") ?? 0),
            targetModules: try json.optionalStringArray("target_modules") ?? [],
            modulesToSave: try json.optionalStringArray("modules_to_save").map(Self.moduleNames),
            trainableTokenIndices: tokenRows,
            trainableTokenModules: tokenModules,
            useRslora: try json.bool("use_rslora", default: false),
            ensureWeightTying: try json.bool("ensure_weight_tying", default: false),
            baseModelNameOrPath: try json.optionalString("base_model_name_or_path"),
            inferenceMode: try json.bool("inference_mode", default: true))
        try config.check { key, detail in json.error(key, detail) }
        return config
    }

    /// PEFT writes a tied embedding's module under both its short and its dotted name
    /// (`["embed_tokens", "model.embed_tokens"]`); they are one module.
    private static func moduleNames(_ names: [String]) -> [String] {
        var seen: [String] = []
        for name in names {
            let short = name.hasPrefix("model.") ? String(name.dropFirst(6)) : name
            if !seen.contains(short) { seen.append(short) }
        }
        return seen
    }

    private func check(_ fail: (String, String) -> ModelingError) throws {
        guard r > 0 else { throw fail("r", "must be positive, found \(r)") }
        guard loraAlpha.isFinite else { throw fail("lora_alpha", "must be a finite number") }
        guard loraDropout.isFinite && (0..<1).contains(loraDropout) else { throw fail("lora_dropout", "must be in [0, 1), found \(loraDropout)") }
        let projections = Set(LoRATarget.allCases.map(\.rawValue))
        guard !targetModules.isEmpty else { throw fail("target_modules", "is empty") }
        for name in targetModules where !projections.contains(name) {
            throw fail("target_modules", "\"\(name)\" is not a LLaMA projection (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)")
        }
        for name in modulesToSave ?? [] where name != "embed_tokens" && name != "lm_head" {
            throw fail("modules_to_save", "\"\(name)\" is not supported (embed_tokens, lm_head)")
        }
        if let rows = trainableTokenIndices {
            guard !rows.isEmpty else { throw fail("trainable_token_indices", "is empty") }
            guard Set(rows).count == rows.count else { throw fail("trainable_token_indices", "lists a row twice") }
            if let negative = rows.first(where: { $0 < 0 }) { throw fail("trainable_token_indices", "row \(negative) is negative") }
            for module in trainableTokenModules where modulesToSave?.contains(module) == true {
                throw fail("trainable_token_indices", "\(module) is also in modules_to_save")
            }
        }
    }

    /// Throws `ModelingError.invalidConfig` naming `path` and the key for a config PEFT would
    /// reject or this project could not train.
    public func validate(path: String) throws {
        try check { key, detail in ModelingError.invalidConfig(path: path, key: key, detail: detail) }
    }

    /// adapter_config.json as PEFT 0.21 writes it (sorted keys, indent 2), with the keys whose
    /// PEFT defaults would change the adapter's meaning spelled out.
    public func jsonText() -> String {
        let alpha: JSONText = loraAlpha.rounded() == loraAlpha && abs(loraAlpha) < 1e9 ? .int(Int(loraAlpha)) : .float(loraAlpha)
        return JSONText.object([
            ("alpha_pattern", .object([])),
            ("base_model_name_or_path", baseModelNameOrPath.map { .string($0) } ?? .null),
            ("bias", .string("none")),
            ("ensure_weight_tying", .bool(ensureWeightTying)),
            ("exclude_modules", .null),
            ("fan_in_fan_out", .bool(false)),
            ("inference_mode", .bool(inferenceMode)),
            ("init_lora_weights", .bool(true)),
            ("layers_pattern", .null),
            ("layers_to_transform", .null),
            ("lora_alpha", alpha),
            ("lora_bias", .bool(false)),
            ("lora_dropout", .float(loraDropout)),
            ("modules_to_save", modulesToSave.map { .array($0.map { .string($0) }) } ?? .null),
            ("peft_type", .string("LORA")),
            ("r", .int(r)),
            ("rank_pattern", .object([])),
            ("revision", .null),
            ("target_modules", .array(targetModules.map { .string($0) })),
            ("task_type", .string("CAUSAL_LM")),
            ("trainable_token_indices", trainableTokenIndicesJSON),
            ("use_dora", .bool(false)),
            ("use_rslora", .bool(useRslora)),
        ]).pretty
    }

    private var trainableTokenIndicesJSON: JSONText {
        guard let rows = trainableTokenIndices else { return .null }
        let list = JSONText.array(rows.map { .int($0) })
        if trainableTokenModules == ["embed_tokens"] { return list }
        return .object(trainableTokenModules.sorted().map { ($0, list) })
    }

    /// Writes `jsonText()` to `path` atomically, after `validate(path:)`.
    public func write(path: String) throws {
        try validate(path: path)
        try AtomicFileWriter.write(jsonText(), to: path)
    }
}
