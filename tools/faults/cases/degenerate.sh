# The sanity gate (issue 26): a trained network whose loss exploded, or whose held-out accuracy
# is at chance, stops the run with a message naming the stage and what to do, unless
# --allow-degenerate keeps it, and then results.json lists it under "degenerate".

case_begin "rnl --learning-rate 1e6: the exploded loss stops the run, naming the stage"
run_cmd "$BIN/chapter-rnl" --profile smoke --learning-rate 1e6 \
    --output "$SCRATCH/o" --cache "$SCRATCH/cache"
expect_nonzero
expect_stderr "degenerate network"
expect_stderr "stage 'relu-ann'"
expect_stderr "the loss exploded"
expect_stderr "--allow-degenerate"
expect_no_trace
expect_absent "$SCRATCH/o/results.json"

# The same command with --allow-degenerate keeps the cached network (no retraining) and says so.
run_cmd "$BIN/chapter-rnl" --profile smoke --learning-rate 1e6 --allow-degenerate \
    --output "$SCRATCH/o" --cache "$SCRATCH/cache"
expect_status 0
grep -q "^stage relu-ann: loaded" "$LAST_STDOUT" \
    || case_fail "the flagged relu-ann stage was retrained instead of loaded"
expect_file "$SCRATCH/o/results.json"
python3 - "$SCRATCH/o/results.json" <<'PY' || case_fail "results.json does not list relu-ann as a kept degenerate network"
import json, sys
kept = json.load(open(sys.argv[1])).get("degenerate") or []
ok = any(d["stage"] == "relu-ann" and d["rule"] == "loss-exploded"
         and d["keptBecause"] == "--allow-degenerate" for d in kept)
sys.exit(0 if ok else 1)
PY
case_end

case_begin "rnl at its default settings passes the gate: results.json lists nothing degenerate"
run_cmd "$BIN/chapter-rnl" --profile smoke --output "$SCRATCH/o" --cache "$CACHE"
expect_status 0
python3 - "$SCRATCH/o/results.json" <<'PY' || case_fail "results.json has no empty degenerate list"
import json, sys
sys.exit(0 if json.load(open(sys.argv[1])).get("degenerate") == [] else 1)
PY
case_end
