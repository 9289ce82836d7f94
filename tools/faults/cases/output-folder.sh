# Output-folder faults: bad --output and --cache, two runs into one folder, leftovers of a
# killed run, kill -9 mid-run, and a rerun that must leave the tracked-type files identical.
# A chapter run claims its folder before any work (RunOutput) and publishes it in one step,
# so the folder is always either the previous complete output or the new one. Uses
# chapter-classic, the fastest smoke run. Sourced by tools/faults/run (after figures.sh, whose
# digest helper it reuses when present).

if ! declare -F digest >/dev/null; then
    digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
fi

# smoke_classic OUTPUT [ARGS…]: chapter-classic --profile smoke into OUTPUT, shared cache.
smoke_classic() {
    local output="$1"; shift
    run_cmd "$BIN/chapter-classic" --profile smoke --output "$output" --cache "$CACHE" "$@"
}

# wait_for TEST…: polls the test (every 0.1 s, at most 60 s); fails the case on timeout.
wait_for() {
    local tries=0
    until "$@"; do
        tries=$((tries + 1))
        [ "$tries" -lt 600 ] || { case_fail "timed out waiting for: $*"; return 0; }
        sleep 0.1
    done
}

# a_stopped_pid: the id of a process that has exited.
a_stopped_pid() {
    sh -c 'exit 0' &
    local pid=$!
    wait "$pid"
    echo "$pid"
}

case_begin "--output a regular file: refused before any work, naming the path"
: >"$SCRATCH/file"
run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/file" --cache "$SCRATCH/cache"
expect_status 1
expect_stderr "--output $SCRATCH/file: $SCRATCH/file is a file, not a folder"
expect_no_trace
grep -q "NSCocoaErrorDomain" "$LAST_STDERR" && case_fail "a raw NSCocoaErrorDomain error reached the user"
expect_absent "$SCRATCH/cache"  # nothing trained, nothing cached
case_end

case_begin "--cache a regular file: refused before any work, naming the path"
: >"$SCRATCH/file"
run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$SCRATCH/file"
expect_status 1
expect_stderr "--cache $SCRATCH/file: $SCRATCH/file is a file, not a folder"
expect_no_trace
expect_absent "$SCRATCH/o"
case_end

if [ "$(id -u)" -eq 0 ]; then
    echo "skip  --output / --cache an unwritable folder (running as root: permissions do not stop root)"
else
    case_begin "--output and --cache an unwritable folder: refused before any work, naming it"
    mkdir -p "$SCRATCH/ro"
    chmod 555 "$SCRATCH/ro"
    run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/ro" --cache "$SCRATCH/cache"
    expect_status 1
    expect_stderr "--output $SCRATCH/ro: $SCRATCH/ro is not writable"
    expect_no_trace
    run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$SCRATCH/ro/cache"
    expect_status 1
    expect_stderr "--cache $SCRATCH/ro/cache: $SCRATCH/ro is not writable"
    expect_absent "$SCRATCH/o"
    chmod 755 "$SCRATCH/ro"
    case_end
fi

case_begin "--output a folder holding other things (a subfolder, a note): refused, nothing emptied"
mkdir -p "$SCRATCH/o/keep"
: >"$SCRATCH/o/notes.txt"
smoke_classic "$SCRATCH/o"
expect_status 1
expect_stderr "holds 'keep', 'notes.txt', which a chapter run does not write"
[ -e "$SCRATCH/o/notes.txt" ] && [ -d "$SCRATCH/o/keep" ] || case_fail "the folder was emptied"
case_end

case_begin "a second run into the same folder fails at once, naming the folder and the first pid"
"$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$CACHE" --fresh \
    >"$SCRATCH/first.log" 2>&1 &
first=$!
lock_names_first() { grep -qx "$first" "$SCRATCH/.o.lock" 2>/dev/null; }
wait_for lock_names_first
smoke_classic "$SCRATCH/o"
expect_status 1
expect_stderr "another run (pid $first) is writing $SCRATCH/o"
expect_no_trace
wait "$first" || case_fail "the first run failed: $(tail -n 3 "$SCRATCH/first.log")"
expect_file "$SCRATCH/o/results.json"
expect_file "$SCRATCH/o/fig-accuracy-vs-timesteps.dat"
case_end

case_begin "a leftover staging folder of a killed run is removed at the next start"
stopped="$(a_stopped_pid)"
mkdir -p "$SCRATCH/.o.tmp-$stopped"
: >"$SCRATCH/.o.tmp-$stopped/fig-half-written.dat"
smoke_classic "$SCRATCH/o"
expect_status 0
expect_absent "$SCRATCH/.o.tmp-$stopped"
grep -qF "removed $SCRATCH/.o.tmp-$stopped" "$LAST_STDOUT" || case_fail "no note about the leftover"
expect_file "$SCRATCH/o/results.json"
case_end

case_begin "kill -9 during a smoke run leaves the previous complete output untouched"
smoke_classic "$SCRATCH/o"
expect_status 0
before="$(digest "$SCRATCH/o")"
"$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$CACHE" --fresh \
    >"$SCRATCH/killed.log" 2>&1 &
victim=$!
staging_exists() { [ -d "$SCRATCH/.o.tmp-$victim" ]; }
wait_for staging_exists
sleep 2  # into the retraining
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
[ "$before" = "$(digest "$SCRATCH/o")" ] || case_fail "the previous output changed"
# The next run removes the killed run's staging folder and publishes a complete folder.
smoke_classic "$SCRATCH/o"
expect_status 0
expect_absent "$SCRATCH/.o.tmp-$victim"
expect_file "$SCRATCH/o/results.json"
case_end

case_begin "a rerun with the same result leaves results.json, provenance.json and figures byte-identical"
smoke_classic "$SCRATCH/o"
expect_status 0
before="$(digest "$SCRATCH/o" | grep -v ' ./run-log.json$')"
smoke_classic "$SCRATCH/o"
expect_status 0
[ "$before" = "$(digest "$SCRATCH/o" | grep -v ' ./run-log.json$')" ] \
    || case_fail "a tracked-type file changed: $(diff <(echo "$before") <(digest "$SCRATCH/o") | head -n 4)"
grep -q '"reproducedPreviousResult" : true' "$SCRATCH/o/run-log.json" \
    || case_fail "run-log.json does not say the result was reproduced"
case_end
