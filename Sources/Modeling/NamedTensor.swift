/// A named fp32 tensor in row-major order: what checkpoint readers return and writers take.
/// Shapes follow PyTorch (`[out, in]` for a linear weight).
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "NamedTensor \(name): shape \(shape) does not match \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }
}
