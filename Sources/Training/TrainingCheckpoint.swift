import Corpus
import Foundation
import Modeling

/// What `RUN/checkpoints/step-N/` holds: the trainable tensors (`trainable.safetensors`, F32, by
/// their PEFT keys), AdamW's moments (`optimizer.safetensors`), and `trainer_state.json` (step,
/// optimizer step, the batch source's state). The folder is written beside its final name and
/// renamed into place, so a checkpoint either exists whole or not at all.
public struct TrainingCheckpoint {
    public struct State: Codable, Sendable {
        public var step: Int
        public var optimizerStep: Int
        public var source: Data
        public var options: TrainingOptions
    }

    public static func folderName(step: Int) -> String { "step-\(step)" }

    /// Writes the checkpoint of `step` under `directory` (the run's `checkpoints/`), then removes
    /// all but the newest `keep` checkpoints. `extra` may add files (the PEFT adapter) to the
    /// folder before it is renamed into place.
    public static func save(model: LlamaModel, optimizer: AdamW, state: State, directory: String, keep: Int,
                            extra: (String) throws -> Void) throws {
        let final = directory + "/" + folderName(step: state.step)
        let temporary = final + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileSystem.createDirectory(temporary)
        let slots = model.layout.slots
        try SafeTensorsWriter.write(slots.map { tensor($0, model.parameters) }, to: temporary + "/trainable.safetensors")
        try SafeTensorsWriter.write(slots.map { tensor($0, optimizer.firstMoment, prefix: "exp_avg.") }
                                    + slots.map { tensor($0, optimizer.secondMoment, prefix: "exp_avg_sq.") },
                                    to: temporary + "/optimizer.safetensors")
        try AtomicFileWriter.write(Array(try JSONEncoder().encode(state)), to: temporary + "/trainer_state.json")
        try extra(temporary)
        try? FileManager.default.removeItem(atPath: final)
        guard rename(temporary, final) == 0 else { throw CorpusError.io(path: final, operation: "rename", errno: errno) }
        FileSystem.syncDirectory(directory)
        for old in try list(directory).dropLast(max(1, keep)) {
            try? FileManager.default.removeItem(atPath: directory + "/" + folderName(step: old))
        }
    }

    /// Steps of the complete checkpoints under `directory`, oldest first.
    public static func list(_ directory: String) throws -> [Int] {
        guard FileSystem.isDirectory(directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name -> Int? in
            guard name.hasPrefix("step-"), let n = Int(name.dropFirst(5)),
                  FileSystem.exists(directory + "/" + name + "/trainer_state.json") else { return nil }
            return n
        }.sorted()
    }

    /// Loads a checkpoint into `model` and `optimizer` and returns its state.
    public static func load(_ path: String, model: LlamaModel, optimizer: AdamW) throws -> State {
        let stateData = try Data(contentsOf: URL(fileURLWithPath: path + "/trainer_state.json"))
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: stateData) } catch {
            throw TrainingError.invalidCheckpoint(path: path + "/trainer_state.json", detail: "\(error)")
        }
        let trainable = try SafeTensorsFile(path: path + "/trainable.safetensors")
        let moments = try SafeTensorsFile(path: path + "/optimizer.safetensors")
        for slot in model.layout.slots {
            try fill(model.parameters, slot, from: trainable, name: slot.name)
            try fill(optimizer.firstMoment, slot, from: moments, name: "exp_avg." + slot.name)
            try fill(optimizer.secondMoment, slot, from: moments, name: "exp_avg_sq." + slot.name)
        }
        optimizer.step = state.optimizerStep
        return state
    }

    private static func tensor(_ slot: TrainableLayout.Slot, _ buffer: FloatBuffer, prefix: String = "") -> NamedTensor {
        NamedTensor(name: prefix + slot.name, shape: slot.shape,
                    values: Array(UnsafeBufferPointer(start: buffer.pointer + slot.offset, count: slot.count)))
    }

    private static func fill(_ buffer: FloatBuffer, _ slot: TrainableLayout.Slot, from file: SafeTensorsFile, name: String) throws {
        guard let info = file.info(name) else {
            throw TrainingError.invalidCheckpoint(path: file.path, detail: "no tensor \(name): the checkpoint belongs to another model or LoRA setting")
        }
        guard info.shape == slot.shape else {
            throw TrainingError.invalidCheckpoint(path: file.path, detail: "tensor \(name) has shape \(info.shape), the model needs \(slot.shape)")
        }
        let values = try file.floats(name)
        values.withUnsafeBufferPointer { (buffer.pointer + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
    }
}
