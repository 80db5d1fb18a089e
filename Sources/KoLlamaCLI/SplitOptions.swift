import ArgumentParser
import Training

/// The split flags of every command that trains or evaluates on a task's training file
/// (`baseline`, `sft`, `eval`): the same values select the same examples in each.
struct SplitOptions: ParsableArguments {
    @Option(help: "Share of each topic carved from the training file for validation.")
    var validationFraction = SplitPlan().validationFraction

    @Option(help: "Share of each topic carved from the training file as the test set when --data is not given.")
    var testFraction = SplitPlan().testFraction

    @Option(help: "Share of each topic of the remaining training examples to train on (0.01 ... 1; nested: a smaller fraction's examples are among a larger one's).")
    var fraction = SplitPlan().fraction

    @Option(help: "Seed of the splits and the sample.")
    var seed = SplitPlan().seed

    var plan: SplitPlan {
        SplitPlan(validationFraction: validationFraction, testFraction: testFraction, fraction: fraction, seed: seed)
    }

    func validate() throws {
        guard (0..<1).contains(validationFraction), (0..<1).contains(testFraction), validationFraction + testFraction < 1 else {
            throw ValidationError("--validation-fraction and --test-fraction must be in [0, 1) and sum to less than 1")
        }
        guard fraction > 0 && fraction <= 1 else { throw ValidationError("--fraction must be in (0, 1]") }
    }
}
