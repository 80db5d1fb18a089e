/// Why a training run stopped or could not start.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    /// NaN or infinity in the loss or the gradients; the last good checkpoint is untouched.
    case nonFinite(step: Int, what: String)
    /// A run folder whose settings, checkpoint or model do not fit this run.
    case incompatibleRun(path: String, detail: String)
    /// A checkpoint that is missing files or whose tensors do not fit the model.
    case invalidCheckpoint(path: String, detail: String)

    public var description: String {
        switch self {
        case let .nonFinite(step, what):
            return "step \(step): \(what) is not finite (NaN or inf); stopped, the last checkpoint is kept as it was"
        case let .incompatibleRun(path, detail): return "\(path): \(detail)"
        case let .invalidCheckpoint(path, detail): return "\(path): invalid checkpoint: \(detail)"
        }
    }
}
