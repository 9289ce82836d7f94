#!/usr/bin/env python3
"""The peers' side of the SNN benchmark: one (library, workload) configuration per process.

Each process builds one network with one library, trains (or runs) it on a fixed random
batch for a few timed runs, and prints ONE JSON object on its last stdout line. Our side is
`swift run -c release bench snn`, which builds the same networks layer for layer;
Benchmarks/compare-peers.sh runs both back to back and prints the ratios.

Libraries (--lib):
  torch-ref   plain PyTorch; the T time steps are folded into the batch for conv/BN/pool
              ([T*N, C, H, W]) and a hand-written LIF/IF loop with an ATan surrogate
              (custom autograd function) runs over T inside each neuron layer
  torch-ann   the same network with ReLU in place of the neurons, batch N*T: not an SNN,
              the "no neuron overhead" PyTorch anchor
  sj-m        SpikingJelly, step_mode "m" (multi-step, [T, N, ...] tensors)
  sj-s        SpikingJelly, step_mode "s" (a Python loop over the time steps)
  snntorch    snnTorch, snn.Leaky(init_hidden=True) in an nn.Sequential, looped over T

Workloads (--workload), all float32, input a static image repeated at every step:
  vgg-train     VGG-11 (CIFAR layout), 3x32x32, batch 32, T = 4, LIF (decay 0.5), hard reset;
                forward over T, BPTT backward, SGD step; cross-entropy on the output
                averaged over T
  vgg-infer     the same network, no gradients, batch 64, T = 8, IF, soft reset
  fmnist-train  conv(1->32)-BN-LIF, avgpool, conv(32->64)-BN-LIF, avgpool, linear;
                1x28x28, batch 128, T = 8, a training step as in vgg-train

Every convolution is 3x3, padding 1, without bias, followed by BatchNorm and the neuron;
pooling is 2x2 average pooling; the classifier is one Linear layer to 10 classes.

Benchmarks/torch-autocast.py imports this file and uses make_impl() and gemm_probe(), so
their signatures and the keys of `info` are part of the interface.
"""
import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

# --------------------------------------------------------------------------- settings

# The workloads. `iters` is the default number of steps inside one timed run.
WORKLOADS = {
    "vgg-train": dict(net="vgg11", in_shape=(3, 32, 32), batch=32, T=4,
                      neuron="lif", reset="hard", train=True, iters=2),
    "vgg-infer": dict(net="vgg11", in_shape=(3, 32, 32), batch=64, T=8,
                      neuron="if", reset="soft", train=False, iters=2),
    "fmnist-train": dict(net="fmnist", in_shape=(1, 28, 28), batch=128, T=8,
                         neuron="lif", reset="hard", train=True, iters=3),
}

# Feature extractors: an integer is a conv block's output channels, "M" a 2x2 average pool.
LAYOUTS = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "fmnist": [32, "M", 64, "M"],
}
CLASSES = 10

# Neuron constants shared by every library.
DECAY = {"lif": 0.5, "if": 1.0}   # membrane kept from one step to the next
THRESHOLD = 1.0
ATAN_ALPHA = 2.0                  # ATan surrogate: d s/d x = (a/2) / (1 + (pi/2 * a * x)^2)
FAST_SIGMOID_SLOPE = 25.0         # fast sigmoid: d s/d x = 1 / (k|x| + 1)^2

LIBRARIES = ["torch-ref", "torch-ann", "sj-m", "sj-s", "snntorch"]


def parse_arguments(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lib", required=True, choices=LIBRARIES)
    p.add_argument("--workload", required=True, choices=list(WORKLOADS))
    p.add_argument("--reset", choices=["hard", "soft"], default=None,
                   help="hard = to zero, soft = subtract the threshold (default: the workload's)")
    p.add_argument("--surrogate", choices=["atan", "fast_sigmoid"], default="atan")
    p.add_argument("--runs", type=int, default=5, help="timed runs (the median is reported)")
    p.add_argument("--iters", type=int, default=None, help="steps per timed run")
    p.add_argument("--warmup", type=int, default=2, help="untimed warm-up steps")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--abort-if-foreign", type=float, default=None,
                   help="exit with status 3 and no result if other processes used more than "
                        "this fraction of the CPUs during the warm-up")
    p.add_argument("--channels-last", action="store_true",
                   help="torch.channels_last memory format (off by default)")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- networks

def feature_size(layout, side):
    """Flattened size after the feature extractor for a square input of `side` pixels."""
    channels = [c for c in layout if c != "M"][-1]
    for c in layout:
        if c == "M":
            side //= 2
    return channels * side * side


def sequential(nn, layout, in_channels, flat, conv, batch_norm, neuron, pool, flatten, linear):
    """[conv3x3 (no bias) -> BN -> neuron | pool]... -> flatten -> linear, from factories."""
    layers, channels = [], in_channels
    for item in layout:
        if item == "M":
            layers.append(pool())
        else:
            layers += [conv(channels, item), batch_norm(item), neuron()]
            channels = item
    layers += [flatten(), linear(flat, CLASSES)]
    return nn.Sequential(*layers)


def conv3x3(module):
    """A factory of 3x3, padding-1, bias-free convolutions from `module` (torch.nn or SJ's)."""
    return lambda cin, cout: module.Conv2d(cin, cout, 3, padding=1, bias=False)


def reference_neuron_class(torch, T, decay, hard, spike):
    """Plain-PyTorch LIF/IF layer on [T*N, ...] tensors: per step h = decay*v + x,
    s = [h >= threshold], then v = h*(1 - s) (hard) or v = h - threshold*s (soft)."""
    nn = torch.nn

    class ReferenceNeuron(nn.Module):
        def forward(self, x):
            steps = x.view(T, -1, *x.shape[1:])
            v = torch.zeros_like(steps[0])
            spikes = []
            for t in range(T):
                if t == 0:
                    h = steps[0]                  # v = 0 before the first step
                elif decay != 1.0:
                    h = v * decay + steps[t]
                else:
                    h = v + steps[t]
                s = spike(h - THRESHOLD)
                v = h * (1.0 - s) if hard else h - s * THRESHOLD
                spikes.append(s)
            return torch.stack(spikes).view_as(x)

    return ReferenceNeuron


def surrogate_spike(torch, kind):
    """Heaviside forward, ATan or fast-sigmoid derivative backward, on x = h - threshold."""

    class HeavisideSpike(torch.autograd.Function):
        """The forward both surrogates share: a spike where x >= 0."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x >= 0).to(x.dtype)

    class ATanSpike(HeavisideSpike):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (ATAN_ALPHA / 2) / (1 + (math.pi / 2 * ATAN_ALPHA * x).square())

    class FastSigmoidSpike(HeavisideSpike):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad / (FAST_SIGMOID_SLOPE * x.abs() + 1.0).square()

    return (ATanSpike if kind == "atan" else FastSigmoidSpike).apply


def make_impl(args):
    """Builds the network of args.lib for args.workload.

    Returns (net, forward, reset_state, info): forward(x) maps a static batch [N, C, H, W] to
    the class scores averaged over T; reset_state() clears the neurons' state between steps;
    info holds T, N, C, H, W, reset, wl (the workload's settings) and versions.
    """
    import torch
    import torch.nn as nn

    torch.manual_seed(args.seed)   # before any parameter is created
    wl = dict(WORKLOADS[args.workload])
    reset = args.reset or wl["reset"]
    hard = reset == "hard"
    decay = DECAY[wl["neuron"]]
    T, N = wl["T"], wl["batch"]
    C, H, W = wl["in_shape"]
    layout = LAYOUTS[wl["net"]]
    flat = feature_size(layout, H)
    versions = {"torch": torch.__version__}
    lib = args.lib

    if lib in ("torch-ref", "torch-ann"):
        if lib == "torch-ref":
            neuron = reference_neuron_class(torch, T, decay, hard,
                                            surrogate_spike(torch, args.surrogate))
        else:
            neuron = lambda: nn.ReLU(inplace=True)
        net = sequential(nn, layout, C, flat, conv3x3(nn), nn.BatchNorm2d, neuron,
                         lambda: nn.AvgPool2d(2), nn.Flatten, nn.Linear)

        def forward(x):
            # The image repeated T times, time folded into the batch: [T*N, C, H, W].
            repeated = x.unsqueeze(0).expand(T, *x.shape).reshape(T * N, C, H, W)
            return net(repeated).view(T, N, -1).mean(0)

        def reset_state():
            pass   # the reference neurons keep no state between calls

    elif lib in ("sj-m", "sj-s"):
        import spikingjelly
        from spikingjelly.activation_based import functional, layer, surrogate
        from spikingjelly.activation_based import neuron as sj_neuron
        try:
            from importlib.metadata import version
            versions["spikingjelly"] = version("spikingjelly")
        except Exception:
            versions["spikingjelly"] = getattr(spikingjelly, "__version__", "?")
        if args.surrogate != "atan":
            raise SystemExit("the SpikingJelly runs use the ATan surrogate only")
        surrogate_function = surrogate.ATan(alpha=ATAN_ALPHA)
        v_reset = 0.0 if hard else None   # None = soft reset in SpikingJelly
        if wl["neuron"] == "lif":
            # decay_input=False: h = v - v/tau + x = 0.5 v + x for tau = 2 (= DECAY["lif"]).
            neuron = lambda: sj_neuron.LIFNode(
                tau=2.0, decay_input=False, v_threshold=THRESHOLD, v_reset=v_reset,
                surrogate_function=surrogate_function, detach_reset=False)
        else:
            neuron = lambda: sj_neuron.IFNode(
                v_threshold=THRESHOLD, v_reset=v_reset,
                surrogate_function=surrogate_function, detach_reset=False)
        net = sequential(nn, layout, C, flat, conv3x3(layer), layer.BatchNorm2d, neuron,
                         lambda: layer.AvgPool2d(2), layer.Flatten, layer.Linear)
        multi_step = lib == "sj-m"
        functional.set_step_mode(net, "m" if multi_step else "s")

        if multi_step:
            def forward(x):
                return net(x.unsqueeze(0).expand(T, *x.shape)).mean(0)   # [T, N, C, H, W]
        else:
            def forward(x):
                return torch.stack([net(x) for _ in range(T)]).mean(0)

        def reset_state():
            functional.reset_net(net)

    elif lib == "snntorch":
        import snntorch as snn
        from snntorch import surrogate as snn_surrogate
        from snntorch import utils as snn_utils
        versions["snntorch"] = snn.__version__
        if args.surrogate == "atan":
            spike_grad = snn_surrogate.atan(alpha=ATAN_ALPHA)
        else:
            spike_grad = snn_surrogate.fast_sigmoid(slope=FAST_SIGMOID_SLOPE)
        mechanism = "zero" if hard else "subtract"
        neuron = lambda: snn.Leaky(beta=decay, threshold=THRESHOLD, spike_grad=spike_grad,
                                   init_hidden=True, reset_mechanism=mechanism)
        net = sequential(nn, layout, C, flat, conv3x3(nn), nn.BatchNorm2d, neuron,
                         lambda: nn.AvgPool2d(2), nn.Flatten, nn.Linear)

        def forward(x):
            return torch.stack([net(x) for _ in range(T)]).mean(0)

        def reset_state():
            snn_utils.reset(net)

    else:
        raise SystemExit("unknown library " + lib)

    info = dict(T=T, N=N, C=C, H=H, W=W, reset=reset, wl=wl, versions=versions)
    return net, forward, reset_state, info


# --------------------------------------------------------------------------- machine state

def rss_kib():
    """The current resident set size in KiB (Linux /proc), or -1."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def cpu_snapshot():
    """(total, busy, steal, own) CPU jiffies: machine-wide from /proc/stat, this process
    (all its threads, user + system) from /proc/self/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:9]]
    with open("/proc/self/stat") as f:
        own = f.read().rsplit(")", 1)[1].split()
    total = sum(fields)
    busy = total - fields[3] - fields[4] - fields[7]   # minus idle, iowait and steal
    return total, busy, fields[7], int(own[11]) + int(own[12])


def cpu_share(before, after):
    """Fractions of all CPUs' time between two snapshots: used by other processes
    ("foreign"), stolen by the hypervisor ("steal"), used by this process ("own")."""
    elapsed = max(1, after[0] - before[0])
    own = after[3] - before[3]
    return dict(foreign=max(0.0, (after[1] - before[1] - own) / elapsed),
                steal=(after[2] - before[2]) / elapsed, own=own / elapsed)


def gemm_probe(torch, reps=5, n=2048):
    """torch.mm speed on n x n float32 matrices in GFLOP/s (median of `reps`): the GEMM speed
    the machine gives right now, to normalise for contention that varies over minutes."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    torch.mm(a, b, out=c)   # untimed first call
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        torch.mm(a, b, out=c)
        seconds.append(time.perf_counter() - start)
    return 2.0 * n ** 3 / statistics.median(seconds) / 1e9


# --------------------------------------------------------------------------- measurement

def make_step(torch, net, forward, reset_state, x, y, train):
    """One benchmark step: a full training step (forward over T, BPTT, SGD) or one
    gradient-free inference pass. Returns the loss (training) or the output."""
    import torch.nn.functional as F

    if not train:
        net.eval()

        def step():
            with torch.no_grad():
                reset_state()
                return forward(x)
        return step

    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        reset_state()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(forward(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def main():
    args = parse_arguments()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    net, forward, reset_state, info = make_impl(args)
    T, N, C, H, W = (info[k] for k in "TNCHW")
    wl = info["wl"]
    iters = args.iters or wl["iters"]
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    net = net.to(memory_format=memory_format)

    # A fixed random batch: images in [0, 1) and labels, from their own generator.
    generator = torch.Generator().manual_seed(args.seed + 1)
    x = torch.rand(N, C, H, W, generator=generator).contiguous(memory_format=memory_format)
    y = torch.randint(0, CLASSES, (N,), generator=generator)
    step = make_step(torch, net, forward, reset_state, x, y, wl["train"])

    # Warm-up: the first step is timed on its own (allocations, lazy initialisation).
    warmup_start = cpu_snapshot()
    probe_before = gemm_probe(torch)
    rss_setup = rss_kib()
    start = time.perf_counter()
    step()
    first_step_s = time.perf_counter() - start
    for _ in range(max(0, args.warmup - 1)):
        step()
    warmup_share = cpu_share(warmup_start, cpu_snapshot())
    if args.abort_if_foreign is not None and warmup_share["foreign"] > args.abort_if_foreign:
        print(json.dumps(dict(aborted=True, cpu_share_warmup=warmup_share)))
        sys.exit(3)

    # Timed runs: `iters` steps each; the per-step time of every run is kept.
    seconds_per_step, shares = [], []
    for _ in range(args.runs):
        before = cpu_snapshot()
        start = time.perf_counter()
        for _ in range(iters):
            result = step()
        seconds_per_step.append((time.perf_counter() - start) / iters)
        shares.append(cpu_share(before, cpu_snapshot()))
    probe_after = gemm_probe(torch)
    if result.dim() == 0:
        final_value = float(result.item())            # the last loss
    else:
        final_value = float(result.float().abs().mean())  # mean |output| of the last pass

    ms = sorted(1e3 * s for s in seconds_per_step)
    median = statistics.median(ms)
    record = dict(
        lib=args.lib, workload=args.workload, reset=info["reset"], surrogate=args.surrogate,
        neuron=wl["neuron"], T=T, batch=N, train=wl["train"], threads=args.threads,
        channels_last=args.channels_last, runs=args.runs, iters_per_run=iters,
        warmup=args.warmup,
        ms_per_step=dict(min=ms[0], median=median, max=ms[-1], all=[round(v, 3) for v in ms]),
        images_per_s=dict(min=1e3 * N / ms[-1], median=1e3 * N / median, max=1e3 * N / ms[0]),
        first_step_ms=1e3 * first_step_s,
        rss_setup_mib=rss_setup / 1024.0,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        gemm_probe_gflops=dict(before=probe_before, after=probe_after),
        cpu_share=dict(foreign_max=max(s["foreign"] for s in shares),
                       foreign_mean=statistics.mean(s["foreign"] for s in shares),
                       steal_max=max(s["steal"] for s in shares),
                       own_mean=statistics.mean(s["own"] for s in shares)),
        allocator=os.path.basename(os.environ.get("LD_PRELOAD", "")) or "glibc",
        final_value=final_value, versions=info["versions"],
        python=platform.python_version(),
    )
    print(json.dumps(record))   # the last stdout line: what compare-peers.sh reads


if __name__ == "__main__":
    main()
