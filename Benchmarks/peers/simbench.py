#!/usr/bin/env python3
"""The peers' side of `bench sim`: SpikingJelly simulating the very network `bench sim --export DIR`
converted (same folded weights, same thresholds, same test images, same T), timed the same way.

    swift run -c release --scratch-path .build-speed bench sim --network backbone --export /tmp/sim
    ~/.venvs/snn-peers/bin/python Benchmarks/peers/simbench.py --dir /tmp/sim --reset subtraction --mode m

The network is rebuilt from DIR/network.json (conv, IF neuron, average pooling, flatten, linear)
with the tensors of DIR/network.safetensors. Our IF layer emits spikes of value theta (the next
layer keeps the ANN's weights), so each IFNode here is followed by a multiplication by its theta;
reset by subtraction is SpikingJelly's v_reset=None, reset to zero v_reset=0. The last linear
layer's output is accumulated over the steps (membrane read-out): the prediction after t steps is
the argmax of the sum of its first t outputs.

--mode m runs SpikingJelly's multi-step mode ([T, N, ...] through every layer; --batch images at
a time, so memory is T x batch x the largest activation); --mode s its single-step mode (a Python
loop over t, --batch images at a time). Prints one JSON object on its last line, with the
correct-image count at every T (compared with ours by compare-peers.sh).
"""
import argparse
import json
import struct
import time

import numpy as np
import torch
from spikingjelly.activation_based import functional, layer, neuron


def read_safetensors(path):
    """A minimal reader of the safetensors format (little-endian header length, JSON header,
    raw tensors): F32 only, which is all `bench sim --export` writes."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {info['dtype']} is not F32")
        start, end = info["data_offsets"]
        array = np.frombuffer(data[base + start:base + end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


class Scale(torch.nn.Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, x):
        return x * self.value


def build(description, tensors, reset, mode):
    thresholds = tensors["thresholds"].tolist()
    modules, neuron_index = [], 0
    for item in description["layers"]:
        i, kind = item["index"], item["kind"]
        if kind == "conv":
            conv = layer.Conv2d(item["in"], item["out"], item["kernel"], stride=item["stride"],
                                padding=item["padding"], bias=item["bias"], step_mode=mode)
            conv.weight.data.copy_(tensors[f"{i}.{kind}.weight"])
            if item["bias"]:
                conv.bias.data.copy_(tensors[f"{i}.{kind}.bias"])
            modules.append(conv)
        elif kind == "linear":
            linear = layer.Linear(item["in"], item["out"], bias=item["bias"], step_mode=mode)
            linear.weight.data.copy_(tensors[f"{i}.{kind}.weight"])
            if item["bias"]:
                linear.bias.data.copy_(tensors[f"{i}.{kind}.bias"])
            modules.append(linear)
        elif kind == "avgpool":
            modules.append(layer.AvgPool2d(item["size"], item["stride"], step_mode=mode))
        elif kind == "flatten":
            modules.append(layer.Flatten(step_mode=mode))
        elif kind == "neuron":
            theta = thresholds[neuron_index]
            neuron_index += 1
            modules.append(neuron.IFNode(v_threshold=theta, v_reset=None if reset == "subtraction" else 0.0,
                                         step_mode=mode))
            modules.append(Scale(theta))
        else:
            raise ValueError(f"layer {i}: {kind} has no SpikingJelly counterpart here")
    return torch.nn.Sequential(*modules)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", required=True, help="the folder `bench sim --export` wrote")
    p.add_argument("--reset", choices=["subtraction", "zero"], default="subtraction")
    p.add_argument("--mode", choices=["m", "s"], default="m")
    p.add_argument("--timesteps", type=int, default=None, help="default: the exported T")
    p.add_argument("--batch", type=int, default=None, help="images at a time (default 16 for m, 250 for s)")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)

    description = json.load(open(f"{args.dir}/network.json"))
    tensors = read_safetensors(f"{args.dir}/network.safetensors")
    images, labels = tensors["images"], tensors["labels"].long()
    timesteps = args.timesteps or description["timesteps"]
    batch = args.batch or (16 if args.mode == "m" else 250)
    net = build(description, tensors, args.reset, args.mode)

    correct = torch.zeros(timesteps, dtype=torch.long)
    start = time.perf_counter()
    for lo in range(0, images.shape[0], batch):
        x, y = images[lo:lo + batch], labels[lo:lo + batch]
        functional.reset_net(net)
        if args.mode == "m":
            out = net(x.unsqueeze(0).repeat(timesteps, 1, 1, 1, 1))        # [T, N, K]
        else:
            out = torch.stack([net(x) for _ in range(timesteps)])
        cumulative = out.cumsum(0)
        correct += (cumulative.argmax(2) == y.unsqueeze(0)).sum(1)
    seconds = time.perf_counter() - start
    n = images.shape[0]
    print(json.dumps({
        "lib": f"sj-{args.mode}", "reset": args.reset, "images": n, "T": timesteps, "seconds": seconds,
        "imageStepsPerSecond": n * timesteps / seconds, "correctAtT": correct.tolist(),
        "torch": torch.__version__, "threads": args.threads,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
