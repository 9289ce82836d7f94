// The dataset options of a run, in the types the `Datasets` loaders take.

import ArgumentParser
import Datasets

/// `--dataset fashion-mnist|cifar10|cifar100` names the loaders' own `DatasetID`.
extension DatasetID: ExpressibleByArgument {}
