# Shared helpers of the fault cases (sourced by tools/faults/run; not run on its own).
#
# Each case file in cases/ is a bash script of calls like
#
#     case_begin "classic --max-timesteps 0 is refused before any work"
#     run_cmd "$BIN/chapter-classic" --profile smoke --max-timesteps 0 --output "$SCRATCH/o"
#     expect_status 64
#     expect_stderr "--max-timesteps"
#     expect_absent "$SCRATCH/o"
#     case_end
#
# A failed expectation is counted and printed; the run's exit status is the number of failed
# cases (capped at 1). $BIN is the folder of the built executables, $SCRATCH a fresh temporary
# folder per case, $CACHE a stage cache shared by all cases (smoke stages are reused), $ROOT the
# repository.

CASES_RUN=0
CASES_FAILED=0
CASE_NAME=""
CASE_OK=1
LAST_STATUS=0
LAST_STDOUT=""
LAST_STDERR=""

case_begin() {
    CASE_NAME="$1"; CASE_OK=1
    SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/llsnn-fault.XXXXXX")"
}

case_fail() {
    CASE_OK=0
    echo "    FAIL: $*" >&2
}

case_end() {
    CASES_RUN=$((CASES_RUN + 1))
    if [ "$CASE_OK" -eq 1 ]; then
        echo "ok    $CASE_NAME"
    else
        CASES_FAILED=$((CASES_FAILED + 1))
        echo "FAIL  $CASE_NAME" >&2
        echo "    --- stderr (last 15 lines)" >&2
        tail -n 15 "$LAST_STDERR" >&2 2>/dev/null || true
    fi
    rm -rf "$SCRATCH"
}

# run_cmd CMD ARGS…: runs with a timeout (FAULT_TIMEOUT seconds, default 600), keeps status,
# standard output and standard error for the expectations below.
run_cmd() {
    LAST_STDOUT="$SCRATCH/.stdout"; LAST_STDERR="$SCRATCH/.stderr"
    set +e
    timeout "${FAULT_TIMEOUT:-600}" "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR"
    LAST_STATUS=$?
    set -e
}

expect_status() {
    [ "$LAST_STATUS" -eq "$1" ] || case_fail "exit status $LAST_STATUS, expected $1"
}

expect_nonzero() {
    [ "$LAST_STATUS" -ne 0 ] || case_fail "exit status 0, expected a failure"
}

# expect_stderr TEXT: standard error contains TEXT (fixed string).
expect_stderr() {
    grep -qF -- "$1" "$LAST_STDERR" || case_fail "standard error does not mention '$1'"
}

# expect_no_trace: no Swift runtime trap or backtrace reached the user.
expect_no_trace() {
    if grep -qE 'Fatal error|Stack dump|Backtrace|💣|Current stack trace' "$LAST_STDERR"; then
        case_fail "a runtime trap or backtrace reached standard error"
    fi
}

expect_absent() {
    [ ! -e "$1" ] || case_fail "$1 exists, expected nothing there"
}

expect_file() {
    [ -s "$1" ] || case_fail "$1 missing or empty"
}
