#!/usr/bin/env bash
# Ours vs the peers (SpikingJelly, snnTorch, plain PyTorch) on the same SNN workloads, back to
# back in one run on this machine, with ratios. Never part of CI (needs PyTorch; minutes long).
#
#   bash Benchmarks/compare-peers.sh --setup            # first time: create the peers' venv
#   bash Benchmarks/compare-peers.sh                    # W1–W3, 2 interleaved repeats
#   bash Benchmarks/compare-peers.sh --workloads vgg-train --repeats 3 --conv "blocked bfloat16"
#
# Options: --setup            install torch (CPU) + spikingjelly + snntorch into the venv
#                             (Benchmarks/peers/setup.sh; pip, a few minutes)
#          --venv DIR         the peers' venv (default $SNN_PEERS_VENV or ~/.venvs/snn-peers)
#          --workloads "..."  vgg-train vgg-infer fmnist-train (default: all three)
#          --peers "..."      snnbench.py --lib values (default: "sj-m snntorch torch-ref")
#          --conv "..."       our convolution algorithms to run (default: "blocked bfloat16")
#          --spikes "..."     our convolutions of spike inputs: spikeDriven (the default) and/or
#                             dense (oneDNN only, reported as ours-<conv>-dense) (default: "spikeDriven dense")
#          --autocast "..."   peers also run under torch.autocast(cpu, bf16) via
#                             Benchmarks/torch-autocast.py (default: "torch-ref"; "" = none)
#          --repeats N        process-level repeats, interleaved (default 2)
#          --runs N           timed runs per process, median reported (default 5)
#          --sims "..."       bench sim networks (converted IF nets, T = --sim-timesteps, both resets)
#                             against SpikingJelly multi- and single-step mode on the same
#                             exported network and images (default "backbone classic"; "" = none)
#          --sim-images N     test images of the sim job (default 500); --sim-timesteps T (default 256)
#          --out DIR          where raw JSON lines and the summary go (default .build-speed/compare-peers)
#          --publish          also write Benchmarks/RESULTS.md (machine, command, table, ratios),
#                             the file the README's performance section points to, and copy
#                             its ratios into that section (Benchmarks/readme-performance.py)
#
# The peers' workloads are Benchmarks/peers/snnbench.py (this repository's own code).
# OMP_NUM_THREADS is set to 2 (both sides use two threads); OPENBLAS_CORETYPE is left as the
# environment has it. The machine may be shared: every ratio below is from the same run, and
# each process also records the GEMM speed it saw (sgemm for ours, torch.mm for the peers).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/Benchmarks/peers}"
VENV="${SNN_PEERS_VENV:-$HOME/.venvs/snn-peers}"
WORKLOADS="vgg-train vgg-infer fmnist-train"
PEERS="sj-m snntorch torch-ref"
CONVS="blocked bfloat16"
SPIKES="spikeDriven dense"
AUTOCAST="torch-ref"
REPEATS=2 RUNS=5 SETUP=0 PUBLISH=0
SIMS="backbone classic" SIM_IMAGES=500 SIM_TIMESTEPS=256
OUT="$ROOT/.build-speed/compare-peers"
while [ $# -gt 0 ]; do
  case "$1" in
    --setup) SETUP=1 ;;
    --publish) PUBLISH=1 ;;
    --venv) VENV="$2"; shift ;;
    --workloads) WORKLOADS="$2"; shift ;;
    --peers) PEERS="$2"; shift ;;
    --conv) CONVS="$2"; shift ;;
    --spikes) SPIKES="$2"; shift ;;
    --autocast) AUTOCAST="$2"; shift ;;
    --repeats) REPEATS="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --sims) SIMS="$2"; shift ;;
    --sim-images) SIM_IMAGES="$2"; shift ;;
    --sim-timesteps) SIM_TIMESTEPS="$2"; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$PEERS_DIR/snnbench.py" ] || { echo "snnbench.py not found in $PEERS_DIR (set PEERS_DIR)" >&2; exit 1; }
if [ "$SETUP" = 1 ]; then SNN_PEERS_VENV="$VENV" bash "$PEERS_DIR/setup.sh"; fi
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no peers venv at $VENV: run with --setup (or --venv DIR)" >&2; exit 1; }

export OMP_NUM_THREADS=2 PYTHONWARNINGS=ignore
echo "== building bench (release, --scratch-path .build-speed)" >&2
(cd "$ROOT" && swift build -c release --scratch-path .build-speed --product bench >&2)
BENCH="$ROOT/.build-speed/release/bench"
mkdir -p "$OUT"
RAW="$OUT/raw.jsonl"; : > "$RAW"

for rep in $(seq 1 "$REPEATS"); do
  for wl in $WORKLOADS; do
    for conv in $CONVS; do
      for spikes in $SPIKES; do
        echo "== rep $rep $wl: ours ($conv, spikes $spikes)" >&2
        "$BENCH" snn --workload "$wl" --conv "$conv" --spikes "$spikes" --runs "$RUNS" --warmup 2 --json | tail -n 1 >> "$RAW"
      done
    done
    for lib in $PEERS; do
      echo "== rep $rep $wl: $lib" >&2
      (cd "$PEERS_DIR" && "$PY" snnbench.py --lib "$lib" --workload "$wl" --runs "$RUNS" --warmup 2 2>/dev/null \
        | tail -n 1 >> "$RAW") || echo "   $lib failed" >&2
    done
    for lib in $AUTOCAST; do
      echo "== rep $rep $wl: $lib under bf16 autocast" >&2
      "$PY" "$ROOT/Benchmarks/torch-autocast.py" --peers-dir "$PEERS_DIR" --lib "$lib" --workload "$wl" \
        --runs "$RUNS" --warmup 2 2>/dev/null | tail -n 1 >> "$RAW" || echo "   $lib autocast failed" >&2
    done
  done
done

# The simulation job: our converted network exported once per network, then ours and
# SpikingJelly (multi-step, single-step) on the same weights, thresholds and images, interleaved.
SIMRAW="$OUT/sim.jsonl"; : > "$SIMRAW"
for net in $SIMS; do
  "$BENCH" sim --network "$net" --images "$SIM_IMAGES" --timesteps "$SIM_TIMESTEPS" --resets subtraction \
    --export "$OUT/sim-$net" >/dev/null   # trains (once, cached) and exports
done
for rep in $(seq 1 "$REPEATS"); do
  for net in $SIMS; do
    for reset in subtraction zero; do
      echo "== rep $rep sim $net ($reset): ours" >&2
      "$BENCH" sim --network "$net" --images "$SIM_IMAGES" --timesteps "$SIM_TIMESTEPS" --resets "$reset" \
        | sed -n 's/^RESULT //p' >> "$SIMRAW"
      for mode in m s; do
        echo "== rep $rep sim $net ($reset): sj-$mode" >&2
        "$PY" "$PEERS_DIR/simbench.py" --dir "$OUT/sim-$net" --reset "$reset" --mode "$mode" 2>/dev/null \
          | tail -n 1 | sed "s/^{/{\"network\": \"$net\", /" >> "$SIMRAW" || echo "   sj-$mode failed" >&2
      done
    done
  done
done

"$PY" - "$RAW" <<'PYEOF' | tee "$OUT/summary.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
by = {}
for r in rows:
    by.setdefault((r["workload"], r["lib"]), []).append(r)
def med(xs): return statistics.median(xs)
print("| workload | implementation | img/s median of process medians (all) | peak RSS MiB | GEMM GFLOP/s seen | fraction of that GEMM |")
print("|---|---|---|---|---|---|")
best = {}
# FLOPs per step (conv MACs × 2 × T × batch, × 3 when training), as reported by our bench
gflop = {r["workload"]: r["gflop_per_step"] for r in rows if "gflop_per_step" in r}
for (wl, lib), rs in sorted(by.items()):
    ips = [r["images_per_s"]["median"] for r in rs]
    rss = max(r["peak_rss_mib"] for r in rs)
    if lib.startswith("ours"):
        gemm = med([r["sgemm_peak_gflops"] for r in rs]); frac = med([r["fraction_of_gemm_peak"] for r in rs])
    else:
        gemm = med([statistics.mean(r["gemm_probe_gflops"].values()) for r in rs])  # f32 torch.mm
        frac = None
        if wl in gflop:
            frac = med([gflop[wl] / (r["ms_per_step"]["median"] / 1e3) / statistics.mean(r["gemm_probe_gflops"].values())
                        for r in rs])
    print(f"| {wl} | {lib} | {med(ips):.1f} ({', '.join(f'{x:.1f}' for x in ips)}) | {rss:.0f} | {gemm:.0f} | "
          + (f"{100*frac:.0f} %" if frac is not None else "–") + " |")
    best.setdefault(wl, {})[lib] = med(ips)
print()
print("Ratios (ours ÷ peer, same run):")
for wl, libs in best.items():
    ours = {k: v for k, v in libs.items() if k.startswith("ours")}
    peers = {k: v for k, v in libs.items() if not k.startswith("ours")}
    if not peers: continue
    top = max(peers, key=peers.get)
    for o, v in ours.items():
        parts = ", ".join(f"{p} {v / pv:.2f}×" for p, pv in sorted(peers.items()))
        print(f"  {wl}: {o} {v:.1f} img/s vs best peer {top} {peers[top]:.1f} → {v / peers[top]:.2f}×  ({parts})")
PYEOF
"$PY" - "$SIMRAW" <<'PYEOF' | tee -a "$OUT/summary.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
if rows:
    print()
    print("Simulation (bench sim vs SpikingJelly on the same exported network, images and T):")
    print()
    print("| network | reset | implementation | image·steps/s median (all) | most correct images apart from ours at any T |")
    print("|---|---|---|---|---|")
    by = {}
    for r in rows: by.setdefault((r["network"], r["reset"], r["lib"]), []).append(r)
    for (net, reset, lib), rs in sorted(by.items()):
        ours = by.get((net, reset, "ours"), [None])[0]
        gap = max(abs(a - b) for a, b in zip(rs[0]["correctAtT"], ours["correctAtT"])) if ours else "–"
        ips = [r["imageStepsPerSecond"] for r in rs]
        print(f"| {net} | {reset} | {lib} | {statistics.median(ips):.0f} ({', '.join(f'{x:.0f}' for x in ips)}) | {gap} |")
    print()
    print("Ratios (ours ÷ SpikingJelly, same run):")
    for (net, reset, lib), rs in sorted(by.items()):
        if lib == "ours": continue
        ours = statistics.median(r["imageStepsPerSecond"] for r in by[(net, reset, "ours")])
        print(f"  sim {net} ({reset}): ours ÷ {lib} = {ours / statistics.median(r['imageStepsPerSecond'] for r in rs):.2f}×")
PYEOF
echo "raw results: $RAW" >&2
if [ "$PUBLISH" = 1 ]; then
  {
    echo "# Ours vs the peers on this machine (generated by Benchmarks/compare-peers.sh --publish)"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); git: $(cd "$ROOT" && git rev-parse --short HEAD)"
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; oneDNN ISA: $("$PY" -c 'import json,sys; print(next((json.loads(l)["isa"] for l in open(sys.argv[1]) if "\"isa\"" in l), "unknown"))' "$RAW")"
    echo "- OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}, OMP_NUM_THREADS=$OMP_NUM_THREADS; peers: torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
    echo "- command: \`bash Benchmarks/compare-peers.sh --workloads \"$WORKLOADS\" --conv \"$CONVS\" --spikes \"$SPIKES\" --peers \"$PEERS\" --autocast \"$AUTOCAST\" --repeats $REPEATS --runs $RUNS --publish\`"
    echo "- each row: median over processes of each process's median step (runs × iterations after 2 warm-up steps); implementations interleaved, $REPEATS repeats"
    echo
    cat "$OUT/summary.md"
  } > "$ROOT/Benchmarks/RESULTS.md"
  echo "wrote $ROOT/Benchmarks/RESULTS.md" >&2
  python3 "$ROOT/Benchmarks/readme-performance.py" >&2
fi
