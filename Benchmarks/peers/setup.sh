#!/usr/bin/env bash
# Creates the Python environment the peers' side of the benchmark runs in: CPU PyTorch,
# SpikingJelly and snnTorch at the versions the comparisons were made with.
#
#   bash Benchmarks/peers/setup.sh          # or: bash Benchmarks/compare-peers.sh --setup
#
# Environment: SNN_PEERS_VENV  where to create the venv (default ~/.venvs/snn-peers)
#              PYTHON          the interpreter to create it with (default python3;
#                              SpikingJelly 2.0 needs Python 3.11 or newer)
# Needs network access to a package index (pip); takes a few minutes.
set -euo pipefail

VENV="${SNN_PEERS_VENV:-$HOME/.venvs/snn-peers}"
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="2.13.0"
NUMPY_VERSION="2.4.6"
SPIKINGJELLY_VERSION="2.0.0"
SNNTORCH_VERSION="1.0.0"

"$PYTHON" -m venv "$VENV"
PIP="$VENV/bin/pip"

# 1. PyTorch: the CPU-only build when the index offers it, otherwise the default wheel.
"$PIP" install -q "torch==${TORCH_VERSION}+cpu" || "$PIP" install -q "torch==${TORCH_VERSION}"
"$PIP" install -q "numpy==${NUMPY_VERSION}"

# 2. The two SNN libraries without their declared dependencies: SpikingJelly lists
#    torchvision, torchaudio, tensorboard and more, which would replace the CPU torch with a
#    CUDA build. The code paths snnbench.py uses need only the small packages below.
"$PIP" install -q --no-deps "spikingjelly==${SPIKINGJELLY_VERSION}" "snntorch==${SNNTORCH_VERSION}"
"$PIP" install -q "loguru>=0.7,<1" packaging tqdm

# 3. Check that everything imports and say what was installed.
"$VENV/bin/python" -c "import torch, numpy, spikingjelly, snntorch; \
print('ok: torch', torch.__version__, '| numpy', numpy.__version__, '| snntorch', snntorch.__version__)"
echo "peers' environment ready in $VENV"
