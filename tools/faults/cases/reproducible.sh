# A repeated run reproduces results.json byte for byte (docs/conventions.md C6): nothing a run
# measures on the clock (stage wall times, seconds per epoch, inference time) may reach
# results.json, the figures or the README block; those belong in the untracked run-log.json.
#
# Every chapter runs twice at the smoke profile into the same output folder, both times with
# --fresh (every stage recomputed, as on a fresh clone). The second run must find the same
# result (run-log.json: reproducedPreviousResult) and so leave results.json, provenance.json and
# every figure byte-identical. On a difference the case names the results.json fields that
# changed. Sourced by tools/faults/run.

if ! declare -F digest >/dev/null; then
    digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
fi

# changed_fields BEFORE AFTER: the JSON paths whose values differ (at most 8), one per line.
changed_fields() {
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
found = []
def walk(x, y, path):
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y)):
            walk(x.get(k), y.get(k), f"{path}.{k}")
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            walk(u, v, f"{path}[{i}]")
    elif x != y:
        found.append(f"{path}: {json.dumps(x)[:40]} → {json.dumps(y)[:40]}")
walk(a, b, "")
print("\n".join(found[:8]) + (f"\n… and {len(found) - 8} more" if len(found) > 8 else ""))
PY
}

for key in primer classic rnl ultralow hybrid attention hoyer compare; do
    case_begin "$key: a second --fresh smoke run leaves results.json and figures byte-identical"
    args=(--profile smoke --fresh --output "$SCRATCH/o" --cache "$SCRATCH/cache")
    run_cmd "$BIN/chapter-$key" "${args[@]}"
    expect_status 0
    cp -r "$SCRATCH/o" "$SCRATCH/first"
    run_cmd "$BIN/chapter-$key" "${args[@]}"
    expect_status 0
    if ! cmp -s "$SCRATCH/first/results.json" "$SCRATCH/o/results.json"; then
        case_fail "results.json changed between two identical runs; fields:
$(changed_fields "$SCRATCH/first/results.json" "$SCRATCH/o/results.json")"
    fi
    python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["reproducedPreviousResult"] else 1)' \
        "$SCRATCH/o/run-log.json" || case_fail "run-log.json: the second run did not reproduce the first"
    changed="$(diff <(digest "$SCRATCH/first" | grep -v ' ./run-log.json$') \
                    <(digest "$SCRATCH/o" | grep -v ' ./run-log.json$') | grep '^>' | head -n 4 || true)"
    [ -z "$changed" ] || case_fail "files changed between two identical runs: $changed"
    case_end
done
