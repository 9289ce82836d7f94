# The memory budget (issue 27) changes how much is cached and how many images a simulation
# groups, never a result: smoke runs of a converting chapter (classic) and of one that trains
# in worker processes (hoyer, whose workers share the budget) at a sixteenth and at double the
# default write the same results.json apart from the recorded budget and the provenance.

for key in classic hoyer; do
    case_begin "$key at --memory-budget 64 and 2048 gives the same results"
    run_cmd "$BIN/chapter-$key" --profile smoke --cache "$SCRATCH/cache-$key-64" \
        --output "$SCRATCH/$key-64" --memory-budget 64
    expect_status 0
    run_cmd "$BIN/chapter-$key" --profile smoke --cache "$SCRATCH/cache-$key-2048" \
        --output "$SCRATCH/$key-2048" --memory-budget 2048
    expect_status 0
    python3 - "$SCRATCH/$key-64/results.json" "$SCRATCH/$key-2048/results.json" <<'PY' \
        || case_fail "results differ between the two budgets, or the budget is not recorded"
import json, sys
small, large = (json.load(open(p)) for p in sys.argv[1:])
if (small.get("memoryBudgetMiB"), large.get("memoryBudgetMiB")) != (64, 2048):
    sys.exit(1)
provenance = ("memoryBudgetMiB", "commandLine", "date", "git", "build", "threads")
strip = lambda record: {k: v for k, v in record.items() if k not in provenance}
sys.exit(0 if strip(small) == strip(large) else 1)
PY
    case_end
done
