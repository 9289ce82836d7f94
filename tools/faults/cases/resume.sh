# Resumable training (issue 26): kill -9 during epoch 2 of a 3-epoch smoke training, then the
# same command resumes at epoch 2 and ends with exactly the metrics of an uninterrupted run.

case_begin "kill -9 in epoch 2 of 3, rerun: resumes at epoch 2, metrics equal an uninterrupted run"
args=(--profile smoke --epochs 3)
"$BIN/chapter-rnl" "${args[@]}" --output "$SCRATCH/a" --cache "$SCRATCH/ca" \
    >"$SCRATCH/killed.out" 2>&1 &
pid=$!
# Epoch 1 is over once its progress line reached step 47/47 and its checkpoint (the stage's
# .progress file, renamed into place after the epoch) exists: the run is then in epoch 2.
in_epoch_2=0
for _ in $(seq 1 3000); do
    if grep -q "relu-ann  epoch 1/3  step 47/47" "$SCRATCH/killed.out" 2>/dev/null \
        && compgen -G "$SCRATCH/ca/rnl/smoke/relu-ann-*.progress" >/dev/null; then
        in_epoch_2=1; break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ "$in_epoch_2" -eq 1 ] || case_fail "the run never reached epoch 2 (see $SCRATCH/killed.out)"
if grep -q "relu-ann  epoch 2/3  step 47/47" "$SCRATCH/killed.out"; then
    case_fail "killed too late: epoch 2 had finished"
fi
expect_absent "$SCRATCH/a/results.json"

run_cmd "$BIN/chapter-rnl" "${args[@]}" --output "$SCRATCH/a" --cache "$SCRATCH/ca"
expect_status 0
grep -qF "resuming relu-ann at epoch 2/3" "$LAST_STDOUT" \
    || case_fail "the rerun did not say 'resuming relu-ann at epoch 2/3'"
compgen -G "$SCRATCH/ca/rnl/smoke/*.progress" >/dev/null \
    && case_fail "a progress file is left after the stage finished"

run_cmd "$BIN/chapter-rnl" "${args[@]}" --output "$SCRATCH/b" --cache "$SCRATCH/cb"
expect_status 0
python3 - "$SCRATCH/a/results.json" "$SCRATCH/b/results.json" <<'PY' \
    || case_fail "the resumed run's metrics differ from the uninterrupted run's"
import json, sys
def metrics(path):
    def strip(v):   # wall times differ between any two runs
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if "seconds" not in k.lower()}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return strip(json.load(open(path))["metrics"])
sys.exit(0 if metrics(sys.argv[1]) == metrics(sys.argv[2]) else 1)
PY
case_end
