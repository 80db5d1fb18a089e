import ArgumentParser
import Modeling

extension EmbeddingTraining: ExpressibleByArgument {}
