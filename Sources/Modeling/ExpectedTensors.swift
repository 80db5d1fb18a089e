/// The one check behind every "these tensors fit this config" rule (HF folders on open and on
/// write, PEFT adapters): each expected name present with its shape, and — unless extras are
/// allowed — no other name. Errors name the tensor; `source` says what implied the shape.
enum ExpectedTensors {
    static func check(_ expected: [(name: String, shape: [Int])], names: some Collection<String>, shape: (String) -> [Int]?,
                      path: String, source: String, allowExtra: Bool) throws {
        for (name, want) in expected {
            guard let have = shape(name) else {
                throw ModelingError.tensorMismatch(path: path, tensor: name, detail: "missing (\(source) implies shape \(want))")
            }
            guard have == want else {
                throw ModelingError.tensorMismatch(path: path, tensor: name, detail: "shape \(have), \(source) implies \(want)")
            }
        }
        if allowExtra { return }
        let known = Set(expected.map(\.name))
        if let extra = names.filter({ !known.contains($0) }).min(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            throw ModelingError.tensorMismatch(path: path, tensor: extra, detail: "not a tensor \(source) implies")
        }
    }

    /// `tensors` in `expected` order, after `check` without extras (and no name given twice).
    static func ordered(_ tensors: [NamedTensor], _ expected: [(name: String, shape: [Int])],
                        path: String, source: String) throws -> [NamedTensor] {
        var byName: [String: NamedTensor] = [:]
        for tensor in tensors where byName.updateValue(tensor, forKey: tensor.name) != nil {
            throw ModelingError.tensorMismatch(path: path, tensor: tensor.name, detail: "given twice")
        }
        try check(expected, names: byName.keys, shape: { byName[$0]?.shape }, path: path, source: source, allowExtra: false)
        return expected.map { byName[$0.name]! }
    }
}
