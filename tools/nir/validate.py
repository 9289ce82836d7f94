"""Reads NIR files with the official `nir` package and checks what this package promises.

Usage: python validate.py FILE.nir [FILE.nir ...]

For every file: `nir.read` (with its type check) succeeds; every node type is one the
package writes; the graph is one Input -> ... -> Output chain; every node's input type equals
its predecessor's output type (nir's inferred types); neuron parameters have one value per
neuron, one threshold per layer or per channel, and v_reset = 0; the "reset" metadata is
"subtraction" or "zero". Prints one line per file and exits 1 if any file fails. See
docs/nir.md.
"""

import sys

import nir
import numpy as np

WRITTEN = {"Input", "Output", "Conv2d", "Affine", "Linear", "Flatten", "AvgPool2d", "SumPool2d",
           "Scale", "IF", "LIF", "CubaLIF"}
NEURONS = {"IF", "LIF", "CubaLIF"}


def chain(graph):
    """The node names from the Input to the Output, or an exception naming the problem."""
    inputs = [k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    if len(inputs) != 1:
        raise ValueError(f"{len(inputs)} Input nodes")
    order = [inputs[0]]
    while not isinstance(graph.nodes[order[-1]], nir.Output):
        successors = [b for a, b in graph.edges if a == order[-1]]
        if len(successors) != 1:
            raise ValueError(f"node {order[-1]} has {len(successors)} successors")
        order.append(successors[0])
    if len(order) != len(graph.nodes):
        raise ValueError("nodes off the chain: " + ", ".join(sorted(set(graph.nodes) - set(order))))
    return order


def check(path):
    graph = nir.read(path)  # type_check=True: nir infers and checks every edge's types
    problems = []
    order = chain(graph)
    for name in order:
        node = graph.nodes[name]
        kind = type(node).__name__
        if kind not in WRITTEN:
            problems.append(f"{name}: unexpected node type {kind}")
    for a, b in zip(order, order[1:]):
        out_type = list(graph.nodes[a].output_type.values())[0]
        in_type = list(graph.nodes[b].input_type.values())[0]
        if out_type is None or in_type is None or not np.array_equal(out_type, in_type):
            problems.append(f"{a} -> {b}: output {out_type} vs input {in_type}")
    neurons = 0
    for name in order:
        node = graph.nodes[name]
        kind = type(node).__name__
        if kind not in NEURONS:
            continue
        neurons += 1
        shape = tuple(node.input_type["input"])
        if node.v_threshold.shape != shape:
            problems.append(f"{name}: v_threshold shape {node.v_threshold.shape} vs neurons {shape}")
        # One threshold per layer, or one per channel (chapter-hoyer's one-step IF layers).
        thresholds = np.atleast_1d(node.v_threshold)
        per_channel = thresholds.reshape(thresholds.shape[0], -1)
        if not np.all(per_channel == per_channel[:, :1]):
            problems.append(f"{name}: thresholds differ within a channel")
        if not np.all(node.v_reset == 0):
            problems.append(f"{name}: v_reset is not 0")
        reset = node.metadata.get("reset", "zero")
        if reset not in ("subtraction", "zero"):
            problems.append(f"{name}: reset metadata {reset!r}")
    types = " ".join(type(graph.nodes[n]).__name__ for n in order)
    return problems, f"{len(order)} nodes, {neurons} neuron layers: {types}"


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    failed = 0
    print(f"nir {nir.version}")
    for path in paths:
        try:
            problems, summary = check(path)
        except Exception as error:  # a file nir.read rejects is a failure, with its message
            problems, summary = [f"{type(error).__name__}: {error}"], "unreadable"
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {path}: {summary}")
        for p in problems:
            print(f"       {p}")
        failed += bool(problems)
    print(f"{len(paths) - failed} of {len(paths)} files valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
