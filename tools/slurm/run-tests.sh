#!/usr/bin/env bash
# The Slurm tests: starts the one-node cluster of tools/slurm/local-cluster.sh, runs the cases
# below against the built executables (smoke profile), and stops the daemons it started (by
# their pids, also when a case fails or the script is interrupted).
#
#     tools/slurm/run-tests.sh            # as root, with slurmctld slurmd slurm-client munge installed
#
# Cases (each can fail; helpers from tools/faults/lib.sh):
#   cluster    a 4-task array runs min(4, nproc) tasks at a time (two at a time on 2 cores)
#   options    bad Slurm options and a chapter without stage groups stop before any work
#   dry-run    --dry-run prints the array script and submits nothing
#   identical  chapter-hoyer --executor slurm: results.json metrics and every .dat equal --executor local;
#              the same for chapter-hybrid's arms
#   submit     --submit-only returns after sbatch; the same command later adopts the array
#   scancel    a task cancelled mid-training is named with its Slurm state; the rerun resubmits
#              only that group, leaves the other checkpoints untouched and no temporary file
#   replicates --seed-replicates 2 through Slurm equals the local seed study (smoke scale)
#
# Exit status 0 when every case passes, 1 otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export LLSNN_SLURM_DIR="${LLSNN_SLURM_DIR:-/tmp/llsnn-slurm}"
CLUSTER="$ROOT/tools/slurm/local-cluster.sh"

swift build 2>&1 | tail -n 1
BIN="$(swift build --show-bin-path)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/llsnn-slurm-tests.XXXXXX")"
cleanup() {
    local status=$?
    SLURM_CONF="$LLSNN_SLURM_DIR/slurm.conf" scancel --user=root 2>/dev/null || true
    "$CLUSTER" stop || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$CLUSTER" start
export SLURM_CONF="$LLSNN_SLURM_DIR/slurm.conf"
export BIN ROOT
CACHE="$WORK/shared-cache"
source "$ROOT/tools/faults/lib.sh"

# wait_for_empty_queue: until squeue lists no job (at most 10 min).
wait_for_empty_queue() {
    for _ in $(seq 1 600); do
        [ -z "$(squeue -h -o %i)" ] && return 0
        sleep 1
    done
    case_fail "the Slurm queue did not drain: $(squeue -h | head -n 3)"
}

# same_results A B: results.json metrics and config equal, and the same .dat files with equal bytes.
same_results() {
    python3 - "$1" "$2" <<'PY' || case_fail "results differ between $1 and $2"
import json, os, sys
a, b = sys.argv[1:]
ra, rb = (json.load(open(os.path.join(d, "results.json"))) for d in (a, b))
ok = True
for key in ("metrics", "config"):
    if ra.get(key) != rb.get(key):
        print(f"results.json '{key}' differs", file=sys.stderr); ok = False
dats = lambda d: sorted(f for f in os.listdir(d) if f.endswith(".dat"))
if dats(a) != dats(b) or not dats(a):
    print(f".dat files differ: {dats(a)} vs {dats(b)}", file=sys.stderr); ok = False
for name in dats(a):
    if name in dats(b) and open(os.path.join(a, name), "rb").read() != open(os.path.join(b, name), "rb").read():
        print(f"{name} differs", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
}

# ---------------------------------------------------------------------------------------------
case_begin "cluster: a 4-task array runs min(4, nproc) tasks at a time"
cat >"$SCRATCH/array.sh" <<EOF
#!/bin/bash
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=$SCRATCH/task-%a.log
echo "\$(date +%s.%N) start"; sleep 3; echo "\$(date +%s.%N) end"
EOF
sbatch --parsable "$SCRATCH/array.sh" >/dev/null
wait_for_empty_queue
expected=$(( $(nproc) < 4 ? $(nproc) : 4 ))
most=$(cat "$SCRATCH"/task-*.log | sort -n | awk '$2=="start"{n++} $2=="end"{n--} n>m{m=n} END{print m+0}')
[ "$(ls "$SCRATCH"/task-*.log | wc -l)" -eq 4 ] || case_fail "not every task wrote its log"
[ "$most" -eq "$expected" ] || case_fail "$most tasks ran at once, expected $expected on $(nproc) CPUs"
case_end

# ---------------------------------------------------------------------------------------------
for bad in "--slurm-partition nosuch|--slurm-partition nosuch: the cluster has no such partition" \
           "--slurm-time 1h|--slurm-time must be a Slurm time limit" \
           "--slurm-memory 4GB|--slurm-memory must be" \
           "--sbatch-flag=--array=0-9|--array is set by the chapter" \
           "--slurm-cpus-per-task 0|--slurm-cpus-per-task must be an integer"; do
    case_begin "options: ${bad%%|*} is refused before any work"
    read -r -a extra <<<"${bad%%|*}"
    run_cmd "$BIN/chapter-hoyer" --profile smoke --executor slurm "${extra[@]}" \
        --output "$SCRATCH/o" --cache "$SCRATCH/c"
    expect_status 64
    expect_stderr "${bad#*|}"
    expect_absent "$SCRATCH/o"
    expect_absent "$SCRATCH/c"
    case_end
done

case_begin "options: --submit-only without --executor slurm is refused"
run_cmd "$BIN/chapter-hoyer" --profile smoke --submit-only --output "$SCRATCH/o"
expect_status 64
expect_stderr "--submit-only needs --executor slurm"
case_end

case_begin "options: sbatch missing from PATH is named"
mkdir -p "$SCRATCH/bin"; ln -s "$(command -v env)" "$SCRATCH/bin/env"
run_cmd env PATH="$SCRATCH/bin" "$BIN/chapter-hoyer" --profile smoke --executor slurm \
    --output "$SCRATCH/o" --cache "$SCRATCH/c"
expect_status 64
expect_stderr "'sbatch' is not on PATH"
case_end

case_begin "options: a chapter without stage groups refuses --executor slurm"
run_cmd "$BIN/chapter-classic" --profile smoke --executor slurm --output "$SCRATCH/o" --cache "$SCRATCH/c"
expect_status 1
expect_stderr "chapter-classic has no independent stage groups"
expect_absent "$SCRATCH/o"
case_end

# ---------------------------------------------------------------------------------------------
case_begin "dry-run: prints the array script, submits nothing"
run_cmd "$BIN/chapter-hoyer" --profile smoke --executor slurm --dry-run --slurm-time 0:10:00 \
    --output "$SCRATCH/o" --cache "$SCRATCH/c"
expect_status 0
grep -qF "#SBATCH --array=0-5" "$LAST_STDOUT" || case_fail "no '#SBATCH --array=0-5' in the script"
grep -qF "#SBATCH --time=0:10:00" "$LAST_STDOUT" || case_fail "no '#SBATCH --time=0:10:00' in the script"
grep -qF -- "--worker' 'hoyer-sum'" "$LAST_STDOUT" || case_fail "no task runs --worker hoyer-sum"
[ -z "$(squeue -h -o %i)" ] || case_fail "a job was submitted"
expect_absent "$SCRATCH/o/results.json"
case_end

# ---------------------------------------------------------------------------------------------
case_begin "identical: --executor slurm writes the metrics and .dat files of --executor local"
run_cmd "$BIN/chapter-hoyer" --profile smoke --threads 2 --output "$WORK/local" --cache "$WORK/local-cache"
expect_status 0
run_cmd "$BIN/chapter-hoyer" --profile smoke --threads 2 --executor slurm --output "$WORK/slurm" --cache "$CACHE"
expect_status 0
grep -qE "^submitted Slurm job [0-9]+: 6 stage groups" "$LAST_STDOUT" || case_fail "no 6-task array was submitted"
[ "$(grep -c "computed by a worker process" "$LAST_STDOUT")" -eq 12 ] \
    || case_fail "the chapter did not load 12 stages computed by the array tasks"
same_results "$WORK/local" "$WORK/slurm"
case_end

case_begin "identical (hybrid): its arms through Slurm give the metrics and .dat files of --executor local"
run_cmd "$BIN/chapter-hybrid" --profile smoke --threads 2 --output "$SCRATCH/local" --cache "$SCRATCH/lc"
expect_status 0
run_cmd "$BIN/chapter-hybrid" --profile smoke --threads 2 --executor slurm --output "$SCRATCH/slurm" --cache "$CACHE"
expect_status 0
grep -qE "^submitted Slurm job [0-9]+: [0-9]+ stage groups? " "$LAST_STDOUT" || case_fail "no array was submitted"
same_results "$SCRATCH/local" "$SCRATCH/slurm"
case_end

# ---------------------------------------------------------------------------------------------
case_begin "submit: --submit-only returns after sbatch; the same command then adopts the array"
args=(--profile smoke --seed 7 --executor slurm --output "$SCRATCH/o" --cache "$CACHE")
run_cmd "$BIN/chapter-hoyer" "${args[@]}" --submit-only
expect_status 0
grep -qF -- "--submit-only: not waiting" "$LAST_STDOUT" || case_fail "no --submit-only note"
expect_absent "$SCRATCH/o/results.json"
run_cmd "$BIN/chapter-hoyer" "${args[@]}"
expect_status 0
grep -qE "^submitted Slurm job" "$LAST_STDOUT" && case_fail "the second run submitted again"
expect_file "$SCRATCH/o/results.json"
python3 - "$SCRATCH/o/run-log.json" <<'PY' || case_fail "run-log.json: the adopted stages are not all 'computed'"
import json, sys
stages = json.load(open(sys.argv[1]))["stages"]
trained = [s for s in stages if s["stage"] != "figures"]
sys.exit(0 if len(trained) == 12 and all(s["outcome"] == "computed" for s in trained) else 1)
PY
run_cmd "$BIN/chapter-hoyer" --profile smoke --seed 7 --threads 2 --output "$SCRATCH/local" --cache "$SCRATCH/lc"
expect_status 0
same_results "$SCRATCH/local" "$SCRATCH/o"
case_end

# ---------------------------------------------------------------------------------------------
case_begin "scancel: a task cancelled mid-training is named; the rerun resubmits only its group"
# A larger training set and three epochs, so that each task trains for a while and has an
# epoch checkpoint (<stage>-<key>.progress) before it ends.
args=(--profile smoke --seed 11 --train-limit 8192 --epochs 3 --executor slurm
      --output "$SCRATCH/o" --cache "$SCRATCH/c")
"$BIN/chapter-hoyer" "${args[@]}" >"$SCRATCH/first.out" 2>"$SCRATCH/first.err" &
parent=$!
dir="$SCRATCH/c/hoyer/smoke"
victim=""
for _ in $(seq 1 1200); do
    progress="$(ls "$dir"/*.progress 2>/dev/null | head -n 1 || true)"
    if [ -n "$progress" ]; then victim="$(basename "$progress" | sed -E 's/-[0-9a-f]{64}\.progress$//')"; break; fi
    sleep 0.25
done
[ -n "$victim" ] || case_fail "no task reached an epoch checkpoint"
job="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobID"])' "$dir/workers/seed-11/slurm-array.json")"
index="$(python3 -c 'import json,sys; t=[t["index"] for t in json.load(open(sys.argv[1]))["tasks"] if t["group"]==sys.argv[2]]; print(t[0])' \
    "$dir/workers/seed-11/slurm-array.json" "$victim")"
scancel "${job}_${index}"
set +e; wait "$parent"; status=$?; set -e
[ "$status" -ne 0 ] || case_fail "the chapter exited 0 although task ${job}_${index} was cancelled"
grep -qF "the Slurm task for '$victim' (job ${job}_${index}) ended CANCELLED" "$SCRATCH/first.err" \
    || case_fail "the error does not name '$victim' and its CANCELLED state: $(tail -n 3 "$SCRATCH/first.err")"
grep -qF "Its last lines:" "$SCRATCH/first.err" || case_fail "the error quotes no log lines"
wait_for_empty_queue
expect_absent "$SCRATCH/o/results.json"
compgen -G "$dir/$victim-*.ckpt" >/dev/null && case_fail "the cancelled stage '$victim' has a checkpoint"
before="$(cd "$dir" && ls *.ckpt | sort | xargs sha256sum; ls -l --time-style=+%s.%N *.ckpt | awk '{print $6, $7}')"
run_cmd "$BIN/chapter-hoyer" "${args[@]}"
expect_status 0
grep -qE "^submitted Slurm job [0-9]+: 1 stage group as array tasks 0-0 \($victim\)" "$LAST_STDOUT" \
    || case_fail "the rerun did not resubmit exactly '$victim': $(grep '^submitted' "$LAST_STDOUT")"
after="$(cd "$dir" && ls *.ckpt | sort | xargs sha256sum; ls -l --time-style=+%s.%N *.ckpt | awk '{print $6, $7}')"
diff <(echo "$before") <(echo "$after") | grep -q '^<' && case_fail "a checkpoint other than '$victim's changed"
leftovers="$(find "$SCRATCH/c" -name '.*.tmp-*' | head -n 3)"
[ -z "$leftovers" ] || case_fail "temporary files left in the cache: $leftovers"
grep -q "^warning: .*ckpt" "$LAST_STDOUT" && case_fail "a damaged checkpoint was found"
case_end

# ---------------------------------------------------------------------------------------------
case_begin "replicates: --seed-replicates 2 through Slurm equals the local seed study"
run_cmd "$BIN/chapter-hoyer" --profile smoke --seed-replicates 2 --threads 2 \
    --output "$SCRATCH/local" --cache "$SCRATCH/lc"
expect_status 0
run_cmd "$BIN/chapter-hoyer" --profile smoke --seed-replicates 2 --threads 2 --executor slurm \
    --output "$SCRATCH/slurm" --cache "$CACHE"
expect_status 0
grep -qE "^submitted Slurm job [0-9]+: [0-9]+ stage groups" "$LAST_STDOUT" \
    || case_fail "the replicate networks were not submitted as one array: $(grep '^submitted' "$LAST_STDOUT")"
same_results "$SCRATCH/local" "$SCRATCH/slurm"
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["metrics"].get("replication") else 1)' \
    "$SCRATCH/slurm/results.json" || case_fail "results.json has no replication block"
case_end

echo "$CASES_RUN cases, $CASES_FAILED failed"
[ "$CASES_FAILED" -eq 0 ]
