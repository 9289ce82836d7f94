"""Cross-checks the package's NIR files against snnTorch's NIR import, both directions.

    python crosscheck.py ours FILE.nir --timesteps T --images N --swift-json OURS.json
        Runs FILE in snnTorch (snntorch.import_nir.import_from_nir) on the first N
        Fashion-MNIST test images for T steps and compares per-image predictions and
        per-layer spike counts with `nir evaluate FILE --json OURS.json` (same images, T).

        With --package-neuron it also runs, for a file with a LIF node that resets by
        subtraction (where snnTorch's Leaky is not the package's recurrence, docs/nir.md §5),
        the same snnTorch graph with every neuron replaced by the package's recurrence written
        in torch (PackageNeuron), and compares that too: a diagnostic that separates the graph
        (weights, shapes, thresholds, leak) from snnTorch's neuron. It also counts the
        neuron-steps whose membrane stays above θ after a spike, where the two recurrences part.

    python crosscheck.py export-snntorch OUT.nir --timesteps T --images N --json SNNTORCH.json
        Builds a small seeded snnTorch network (Leaky, reset to zero), briefly trains it,
        exports it with snntorch.export_nir.export_to_nir + nir.write, runs it in snnTorch and
        writes its predictions and spike counts; `nir evaluate OUT.nir --json` then runs it
        here and `compare` compares the two.

    python crosscheck.py compare A.json B.json
        Agreement of predictions (fraction of images), accuracies and spikes per layer.

    python crosscheck.py timesteps FILE.nir --default T
        Prints the T a file is defined for (graph metadata "timesteps", 1 for chapter-hoyer's
        one-step networks), else T.

    python crosscheck.py report SUMMARY.jsonl --output REPORT.md --run-command "…"
        The comparisons appended to SUMMARY.jsonl (`--summary` of `ours` and `compare`) as a
        markdown table: every number in it is one this script measured.

Where snnTorch's import differs from NIR's equations (docs/nir.md §5) this script corrects
it and says so: IF nodes become Leaky with beta 0.9 in snnTorch's import (set to 1 here);
snnTorch reads no node metadata (the "reset" metadata is applied here); snnTorch's Flatten
keeps NIR's start_dim 0, which in torch would flatten the batch too (start_dim 1 here);
snnTorch's IF import asserts one threshold for all neurons, so an IF with a threshold per
channel (chapter-hoyer's files) is imported with a placeholder and given its thresholds here.
"""

import argparse
import copy
import gzip
import json
import sys

import nir
import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def test_images(n):
    """The first n Fashion-MNIST test images in [0, 1], [n, 1, 28, 28], and their labels."""
    with gzip.open(f"{DATA}/t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(f"{DATA}/t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return images.astype(np.float32) / np.float32(255), labels.astype(int)


def standardise(images, metadata):
    """(x − μ)·(1/σ) per channel in float32, as the package's Normalization does."""
    if "input_mean" not in metadata:
        return images
    mean = np.array([float(v) for v in str(metadata["input_mean"]).split(",")], np.float32)
    std = np.array([float(v) for v in str(metadata["input_std"]).split(",")], np.float32)
    inverse = (np.float32(1) / std).astype(np.float32)
    return ((images - mean[None, :, None, None]) * inverse[None, :, None, None]).astype(np.float32)


def text(value):
    """A metadata value as str (nir.read gives bytes or str)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def defined_timesteps(graph, default):
    """The T the file is defined for (graph metadata "timesteps"), else `default`."""
    value = graph.metadata.get("timesteps")
    return int(text(value)) if value is not None else default


class PackageNeuron(torch.nn.Module):
    """The package's membrane recurrence (Sources/TensorCore/MembraneRecurrence.swift), in torch,
    float32 like the package:

        h[t] = β·u[t−1] + x[t],   s[t] = H(h[t] − θ) with H(0) = 1,
        u[t] = h[t] − θ·s[t] (subtraction)  or  h[t] − h[t]·s[t] (zero).

    Not snnTorch: the diagnostic of `ours --package-neuron`. It also counts the neuron-steps
    whose membrane is still above θ after the reset (`departures`): there snnTorch's Leaky with
    reset_delay=False compares the next membrane with 2θ instead of θ (docs/nir.md §5)."""

    def __init__(self, beta, threshold, subtraction):
        super().__init__()
        self.beta = torch.tensor(beta, dtype=torch.float32)
        self.threshold = torch.as_tensor(threshold, dtype=torch.float32)
        self.subtraction = subtraction
        self.u = None
        self.departures = 0
        self.neuron_steps = 0

    def reset_mem(self):
        self.u = None

    def forward(self, x):
        if self.u is None or self.u.shape != x.shape:
            self.u = torch.zeros_like(x)
        h = self.beta * self.u + x
        s = (h >= self.threshold).to(x.dtype)
        self.u = h - s * self.threshold if self.subtraction else h - s * h
        self.departures += int((self.u > self.threshold).sum())
        self.neuron_steps += self.u.numel()
        return s


def lif_with_subtraction(graph):
    """Whether `graph` has a LIF node that resets by subtraction (metadata "reset")."""
    return any(isinstance(n, nir.LIF) and text(n.metadata.get("reset", "zero")) == "subtraction"
               for n in graph.nodes.values())


def snntorch_network(graph, corrected=True, package_neuron=False):
    """snnTorch's import of `graph`, corrected where it departs from NIR (docs/nir.md §5)
    unless `corrected` is False (then only the Flatten fix, without which it cannot run).
    With `package_neuron`, every neuron becomes a PackageNeuron with the β and θ the corrected
    import would use. Returns the module and, per neuron node in chain order, (node name,
    neuron module)."""
    import snntorch as snn
    from snntorch.import_nir import import_from_nir

    # snnTorch's IF import asserts one v_threshold for all neurons. An IF with a threshold per
    # channel is imported with a placeholder of ones and gets its own thresholds below.
    per_neuron = {name for name, node in graph.nodes.items()
                  if isinstance(node, nir.IF) and np.unique(node.v_threshold).size != 1}
    if per_neuron and corrected:
        imported_graph = copy.deepcopy(graph)
        for name in per_neuron:
            imported_graph.nodes[name].v_threshold = np.ones_like(graph.nodes[name].v_threshold)
    else:
        imported_graph = graph
    net = import_from_nir(imported_graph)
    neurons = []
    for name, node in graph.nodes.items():
        if not isinstance(node, (nir.IF, nir.LIF)):
            continue
        module = net.get_submodule(name)
        if not corrected:
            neurons.append((name, module))
            continue
        reset = text(node.metadata.get("reset", "zero"))
        def one(t, what):  # snnTorch keeps LIF's per-neuron arrays; the package's are uniform
            values = torch.as_tensor(t).flatten().unique()
            if values.numel() != 1:
                raise ValueError(f"{name}: {what} differs between neurons")
            return float(values[0])
        beta = 1.0 if isinstance(node, nir.IF) else one(module.beta, "beta")
        if name in per_neuron:   # v_threshold·r per neuron ([C, H, W]), broadcast over the batch
            threshold = torch.as_tensor(np.asarray(node.v_threshold * node.r, dtype=np.float32))
        else:
            threshold = one(module.threshold, "threshold")
        # Reset by subtraction: snnTorch's reset_delay=True subtracts θ for step t−1's spike
        # at step t, which for beta = 1 is exactly u[t] = u[t−1] − θ·s[t−1] + x[t]; with
        # reset_delay=False a membrane still above θ after the subtraction is treated
        # differently (its next check is against 2θ). Reset to zero: reset_delay=False is
        # exactly u ← 0 after the spike, for any beta.
        delay = reset == "subtraction" and beta == 1.0
        if package_neuron:
            replacement = PackageNeuron(beta, threshold, subtraction=reset == "subtraction")
        else:
            replacement = snn.Leaky(beta=beta, threshold=threshold,
                                    reset_mechanism="subtract" if reset == "subtraction" else "zero",
                                    init_hidden=True, reset_delay=delay)
        net.set_submodule(name, replacement) if hasattr(net, "set_submodule") else setattr(net, name, replacement)
        neurons.append((name, replacement))
    for name, module in list(net.named_modules()):
        if isinstance(module, torch.nn.Flatten) and module.start_dim == 0:
            fixed = torch.nn.Flatten(1, -1)
            net.set_submodule(name, fixed) if hasattr(net, "set_submodule") else setattr(net, name, fixed)
    return net, sorted(neurons, key=lambda p: chain_position(graph, p[0]))


def chain_position(graph, name):
    order = [k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    while True:
        nxt = [b for a, b in graph.edges if a == order[-1]]
        if not nxt:
            return order.index(name)
        order.append(nxt[0])


def run_snntorch(net, neurons, images, timesteps, batch=100):
    """Predictions (argmax of the output summed over T; ties to the lowest class) and spikes
    per image of every neuron layer."""
    import snntorch.utils
    counts = {name: 0.0 for name, _ in neurons}
    hooks = [m.register_forward_hook(lambda mod, inp, out, name=name: counts.__setitem__(
        name, counts[name] + float((out[0] if isinstance(out, tuple) else out).sum())))
        for name, m in neurons]
    predictions = []
    with torch.no_grad():
        for lo in range(0, len(images), batch):
            x = torch.from_numpy(images[lo:lo + batch])
            for _, m in neurons:
                m.reset_mem()
            total = None
            for _ in range(timesteps):
                out = net(x)
                out = out[0] if isinstance(out, tuple) else out
                total = out if total is None else total + out
            predictions += total.argmax(dim=1).tolist()
    for h in hooks:
        h.remove()
    return predictions, {name: c / len(images) for name, c in counts.items()}


def compare(a, b, summary=None, label=None, extra=None):
    pa, pb = np.array(a["predictions"]), np.array(b["predictions"])
    labels = np.array(a["labels"])
    agree = float((pa == pb).mean())
    print(f"images {len(pa)}, T = {a['timesteps']}")
    print(f"predictions agree on {100 * agree:.2f} % of the images")
    print(f"accuracy {a.get('source', 'A')}: {100 * (pa == labels).mean():.2f} %   "
          f"{b.get('source', 'B')}: {100 * (pb == labels).mean():.2f} %")
    worst = 0.0
    for la, lb in zip(a["layers"], b["layers"]):
        sa, sb = la["spikesPerImage"], lb["spikesPerImage"]
        rel = abs(sa - sb) / max(sa, 1e-12)
        worst = max(worst, rel)
        print(f"  {la['node']}: {sa:.2f} vs {sb:.2f} spikes/image (relative difference {100 * rel:.3f} %)")
    ok = agree >= 0.99 and abs((pa == labels).mean() - (pb == labels).mean()) <= 0.005 and worst <= 0.01
    print("within the issue's tolerances (≥ 99 % agreement, ≤ 0.5 point, ≤ 1 % spikes):", "yes" if ok else "no")
    if summary:
        with open(summary, "a") as f:
            f.write(json.dumps({
                "network": label or "", "direction": f"{a.get('source', 'A')} vs {b.get('source', 'B')}",
                "images": int(len(pa)), "timesteps": a["timesteps"], "agreement": agree,
                "accuracyA": float((pa == labels).mean()), "accuracyB": float((pb == labels).mean()),
                "worstSpikeDifference": worst, "withinTolerances": bool(ok), **(extra or {})}) + "\n")
    return ok


def report(summary, output, command):
    """SUMMARY.jsonl as a markdown page (docs/nir-crosscheck.md)."""
    import datetime
    import platform
    import snntorch
    rows = [json.loads(line) for line in open(summary) if line.strip()]
    lines = [
        "# NIR cross-check against snnTorch (generated)",
        "",
        f"Written by `tools/nir/crosscheck.py report` at the end of `{command}` on "
        f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} "
        f"({platform.machine()}; nir {nir.__version__ if hasattr(nir, '__version__') else '?'}, "
        f"snnTorch {snntorch.__version__}, torch {torch.__version__}). Do not edit: rerun the command.",
        "",
        "Each row runs one NIR file in both simulators on the same first test images of "
        "Fashion-MNIST for the same T and compares them: the fraction of images whose predicted "
        "class agrees, each side's accuracy, and the largest relative difference of a layer's "
        "spikes per image. The issue's tolerances: ≥ 99 % agreement, accuracies within 0.5 "
        "point, spikes within 1 %. docs/nir.md §5 lists what snnTorch's import needs corrected.",
        "",
        "| network | compared | images | T | predictions agree | accuracy (first / second) | largest spike difference | within tolerances |",
        "|---|---|---|---|---|---|---|---|",
    ]
    checks = [r for r in rows if not r.get("diagnostic")]
    diagnostics = [r for r in rows if r.get("diagnostic")]
    for r in checks:
        lines.append(
            f"| {r['network']} | {r['direction']} | {r['images']} | {r['timesteps']} | "
            f"{100 * r['agreement']:.2f} % | {100 * r['accuracyA']:.2f} / {100 * r['accuracyB']:.2f} % | "
            f"{100 * r['worstSpikeDifference']:.3f} % | {'yes' if r['withinTolerances'] else '**no**'} |")
    if diagnostics:
        lines += [
            "",
            "## LIF with reset by subtraction: the graph and the neuron, separated",
            "",
            "snnTorch's Leaky is not the package's recurrence for a LIF that resets by subtraction "
            "(docs/nir.md §5): the two part at the step after a spike that leaves the membrane above "
            "θ. For each file with such a LIF, `crosscheck.py ours --package-neuron` runs the same "
            "snnTorch graph (its weights, shapes, thresholds and leak as imported and corrected "
            "above) with every neuron replaced by the package's recurrence written in torch "
            "(`PackageNeuron`), and compares it with the package the same way. Agreement there and "
            "disagreement above places the difference in the neuron model, not in the file. A "
            "diagnostic: it does not replace the row above.",
            "",
            "| network | neuron-steps with the membrane above θ after a spike | predictions agree (snnTorch graph + package neuron) | accuracy (package / torch) | largest spike difference | within tolerances |",
            "|---|---|---|---|---|---|",
        ]
        for r in diagnostics:
            lines.append(
                f"| {r['network']} | {100 * r['departures']:.4f} % | {100 * r['agreement']:.2f} % | "
                f"{100 * r['accuracyA']:.2f} / {100 * r['accuracyB']:.2f} % | "
                f"{100 * r['worstSpikeDifference']:.3f} % | {'yes' if r['withinTolerances'] else '**no**'} |")
    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {output} ({len(rows)} comparisons)")
    return 0


def load_json(path, source):
    with open(path) as f:
        d = json.load(f)
    d.setdefault("source", source)
    return d


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ours = sub.add_parser("ours")
    ours.add_argument("file")
    ours.add_argument("--timesteps", type=int, required=True)
    ours.add_argument("--images", type=int, required=True)
    ours.add_argument("--swift-json", required=True)
    ours.add_argument("--uncorrected", action="store_true",
                      help="run snnTorch's import as it is (IF as Leaky beta 0.9, no reset metadata)")
    ours.add_argument("--package-neuron", action="store_true",
                      help="for a file with a LIF that resets by subtraction, also run the graph with "
                           "the package's recurrence in torch in place of snnTorch's Leaky (a diagnostic)")
    ours.add_argument("--summary", help="append this comparison to a JSON-lines file (`report`)")
    ours.add_argument("--label", help="the network's name in the summary")
    exp = sub.add_parser("export-snntorch")
    exp.add_argument("file")
    exp.add_argument("--timesteps", type=int, required=True)
    exp.add_argument("--images", type=int, required=True)
    exp.add_argument("--json", required=True)
    exp.add_argument("--train-steps", type=int, default=60)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("a")
    cmp_.add_argument("b")
    cmp_.add_argument("--summary")
    cmp_.add_argument("--label")
    steps = sub.add_parser("timesteps")
    steps.add_argument("file")
    steps.add_argument("--default", type=int, required=True)
    rep_ = sub.add_parser("report")
    rep_.add_argument("summary")
    rep_.add_argument("--output", required=True)
    rep_.add_argument("--run-command", required=True, help="the command that produced the summary")
    args = parser.parse_args()
    for name in ("timesteps", "images"):
        if hasattr(args, name) and not 1 <= getattr(args, name) <= 10_000:
            parser.error(f"--{name} must be in [1, 10000]")

    if args.command == "compare":
        return 0 if compare(load_json(args.a, args.a), load_json(args.b, args.b), args.summary, args.label) else 1
    if args.command == "report":
        return report(args.summary, args.output, args.run_command)
    if args.command == "timesteps":
        print(defined_timesteps(nir.read(args.file), args.default))
        return 0

    if args.command == "ours":
        graph = nir.read(args.file)
        images, labels = test_images(args.images)
        images = standardise(images, graph.metadata)
        net, neurons = snntorch_network(graph, corrected=not args.uncorrected)
        predictions, counts = run_snntorch(net, neurons, images, args.timesteps)
        theirs = {"source": "snnTorch", "timesteps": args.timesteps, "predictions": predictions,
                  "labels": labels.tolist(),
                  "layers": [{"node": n, "spikesPerImage": counts[n]} for n, _ in neurons]}
        swift = load_json(args.swift_json, "LowLatencySNN")
        how = "as it is" if args.uncorrected else "corrected as docs/nir.md §5"
        print(f"{args.file}: snnTorch import ({how}) vs nir evaluate")
        ok = compare(swift, theirs, args.summary, args.label)
        if args.package_neuron and not args.uncorrected and lif_with_subtraction(graph):
            net, neurons = snntorch_network(graph, package_neuron=True)
            predictions, counts = run_snntorch(net, neurons, images, args.timesteps)
            mine = {"source": "snnTorch graph + package neuron", "timesteps": args.timesteps,
                    "predictions": predictions, "labels": labels.tolist(),
                    "layers": [{"node": n, "spikesPerImage": counts[n]} for n, _ in neurons]}
            departures = sum(m.departures for _, m in neurons) / max(sum(m.neuron_steps for _, m in neurons), 1)
            print(f"{args.file}: snnTorch's graph with the package's neuron recurrence (diagnostic) vs nir evaluate; "
                  f"membrane above θ after a spike in {100 * departures:.4f} % of neuron-steps")
            # A diagnostic: it does not decide the exit status.
            compare(swift, mine, args.summary, args.label,
                    extra={"diagnostic": True, "departures": departures})
        return 0 if ok else 1

    # export-snntorch: a small snnTorch network, trained for a few steps so that its
    # predictions are not all one class, exported to NIR.
    import snntorch as snn
    from snntorch.export_nir import export_to_nir
    torch.manual_seed(0)
    # snnTorch's export_to_nir writes a scalar beta/threshold as 0-d arrays, which nir's type
    # inference rejects after a convolution; per-neuron tensors (all equal) export cleanly.
    # ignore_dims=[0] keeps the batch dimension out of the NIR shapes.
    def leaky(shape):
        return snn.Leaky(beta=torch.full(shape, 0.9), threshold=torch.ones(shape), reset_mechanism="zero",
                         init_hidden=True, reset_delay=False)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), leaky((8, 28, 28)),
        torch.nn.AvgPool2d((2, 2), stride=(2, 2)), torch.nn.Flatten(),
        torch.nn.Linear(8 * 14 * 14, 10), leaky((10,)))
    train, train_labels = test_images(10_000)   # trained on the last test images, evaluated on the first N
    train, train_labels = train[args.images:], train_labels[args.images:]
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    rng = np.random.default_rng(0)
    leaky = [m for m in net if isinstance(m, snn.Leaky)]
    for step in range(args.train_steps):
        idx = rng.choice(len(train), 64, replace=False)
        x, y = torch.from_numpy(train[idx]), torch.from_numpy(train_labels[idx])
        for m in leaky:
            m.reset_mem()
        total = sum(net(x) for _ in range(args.timesteps))
        loss = torch.nn.functional.cross_entropy(total, y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    graph = export_to_nir(net, torch.zeros(1, 1, 28, 28), ignore_dims=[0])
    nir.write(args.file, graph)
    images, labels = test_images(args.images)
    names = [k for k, n in graph.nodes.items() if isinstance(n, nir.LIF)]
    names.sort(key=lambda k: chain_position(graph, k))
    predictions, counts = run_snntorch(net, list(zip(names, leaky)), images, args.timesteps)
    with open(args.json, "w") as f:
        json.dump({"source": "snnTorch", "timesteps": args.timesteps, "predictions": predictions,
                   "labels": labels.tolist(),
                   "layers": [{"node": n, "spikesPerImage": counts[n]} for n in names]}, f)
    print(f"wrote {args.file} and {args.json}; snnTorch accuracy "
          f"{100 * (np.array(predictions) == labels).mean():.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
