#!/usr/bin/env python3
"""PyTorch's own bf16 on CPU for the peers' SNN workloads: the network and step of
Benchmarks/peers/snnbench.py (imported), with the forward pass under
torch.autocast("cpu", dtype=torch.bfloat16) and fp32 master weights, as a PyTorch user would
write it. Prints one JSON line in snnbench.py's format (lib = "<lib>+autocast-bf16"), so
compare-peers.sh summarises it beside the others.

    python Benchmarks/torch-autocast.py --peers-dir Benchmarks/peers --lib torch-ref --workload vgg-train
"""
import argparse
import json
import resource
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers-dir", required=True)
    p.add_argument("--lib", default="torch-ref")
    p.add_argument("--workload", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    sys.path.insert(0, a.peers_dir)
    import snnbench  # the peers' workload definitions
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    args = argparse.Namespace(lib=a.lib, workload=a.workload, reset=None, surrogate="atan", seed=0,
                              threads=a.threads, channels_last=False)
    net, forward, reset_state, info = snnbench.make_impl(args)
    wl = info["wl"]
    g = torch.Generator().manual_seed(1)
    x = torch.rand(info["N"], info["C"], info["H"], info["W"], generator=g)
    y = torch.randint(0, 10, (info["N"],), generator=g)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    net.train(wl["train"])

    def step():
        reset_state()
        if wl["train"]:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = forward(x)
            loss = F.cross_entropy(out.float(), y)
            loss.backward()
            opt.step()
            return loss
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            return forward(x)

    probe = snnbench.gemm_probe(torch)
    for _ in range(max(1, a.warmup)):
        step()
    iters = wl["iters"]
    ms = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        ms.append(1e3 * (time.perf_counter() - t0) / iters)
    ms.sort()
    med = statistics.median(ms)
    n = info["N"]
    print(json.dumps(dict(
        lib=f"{a.lib}+autocast-bf16", workload=a.workload, runs=a.runs, iters_per_run=iters,
        ms_per_step=dict(min=ms[0], median=med, max=ms[-1]),
        images_per_s=dict(min=1e3 * n / ms[-1], median=1e3 * n / med, max=1e3 * n / ms[0]),
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        gemm_probe_gflops=dict(before=probe), versions=info["versions"])))


if __name__ == "__main__":
    main()
