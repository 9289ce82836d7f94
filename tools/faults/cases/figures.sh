# Figure faults: a missing .dat, a failing or hanging gnuplot, a truncated results.json.
# A failed figure is named, the exit status is non-zero, and no PNG is replaced by a bad one
# (render-figures) or published beside new data (chapters). Sourced by tools/faults/run.
#
# A fake `gnuplot` is put first on PATH; LLSNN_GNUPLOT_TIMEOUT (seconds, chapters) and
# render-figures --timeout shorten the 60 s default timeout for the hanging one.

# digest DIR: one line per file under DIR (path and SHA-256), to compare before and after.
digest() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# fake_gnuplot BODY: an executable $SCRATCH/bin/gnuplot running BODY (sh).
fake_gnuplot() {
    mkdir -p "$SCRATCH/bin"
    printf '#!/bin/sh\n%s\n' "$1" >"$SCRATCH/bin/gnuplot"
    chmod +x "$SCRATCH/bin/gnuplot"
}

# expect_same TEXT1 TEXT2 WHAT: the two digests are equal.
expect_same() {
    [ "$1" = "$2" ] || case_fail "$3 changed"
}

# copy_figures KEY: the committed figures of chapter KEY (quick profile) into $SCRATCH/f.
copy_figures() {
    mkdir -p "$SCRATCH/f"
    cp "$ROOT/figures/$1/quick/"* "$SCRATCH/f/"
}

case_begin "render-figures: a missing .dat fails its figure, named, and keeps its PNG"
copy_figures classic
rm "$SCRATCH/f/fig-firing-rate.dat"
before="$(digest "$SCRATCH/f")"
run_cmd "$BIN/render-figures" --root "$SCRATCH/f"
expect_nonzero
expect_stderr "FAILED    fig-firing-rate.gp"
expect_stderr "fig-firing-rate.dat, which is missing"
grep -q " 1 failed" "$LAST_STDOUT" || case_fail "the summary does not count 1 failed figure"
expect_same "$before" "$(digest "$SCRATCH/f")" "a PNG"
case_end

case_begin "render-figures: a gnuplot that fails is reported per figure; no PNG is replaced"
copy_figures classic
fake_gnuplot 'echo "fake gnuplot: line 1: undefined function" >&2; exit 1'
before="$(digest "$SCRATCH/f")"
run_cmd env PATH="$SCRATCH/bin:$PATH" "$BIN/render-figures" --root "$SCRATCH/f"
expect_nonzero
expect_stderr "FAILED    fig-accuracy-vs-timesteps.gp"
expect_stderr "fake gnuplot: line 1: undefined function"
expect_same "$before" "$(digest "$SCRATCH/f")" "a PNG"
case_end

case_begin "render-figures: a gnuplot that hangs is killed at --timeout and reported"
mkdir -p "$SCRATCH/f"
cp "$ROOT/figures/classic/quick/fig-firing-rate".* "$SCRATCH/f/"
fake_gnuplot 'sleep 120'  # not exec: the timeout must kill the forked sleep too
before="$(digest "$SCRATCH/f")"
started=$SECONDS
run_cmd env PATH="$SCRATCH/bin:$PATH" "$BIN/render-figures" --root "$SCRATCH/f" --timeout 1
expect_nonzero
expect_stderr "did not finish fig-firing-rate.gp within"
[ $((SECONDS - started)) -lt 60 ] || case_fail "render-figures waited $((SECONDS - started)) s"
expect_same "$before" "$(digest "$SCRATCH/f")" "the PNG"
case_end

case_begin "render-figures --index-only: a truncated results.json fails, naming the file"
mkdir -p "$SCRATCH/figures"
cp -r "$ROOT/figures/." "$SCRATCH/figures/"
results="$SCRATCH/figures/hoyer/quick/results.json"
head -c "$(( $(wc -c <"$results") / 2 ))" "$results" >"$SCRATCH/half" && mv "$SCRATCH/half" "$results"
before="$(sha256sum <"$SCRATCH/figures/README.md")"
run_cmd env -C "$SCRATCH" "$BIN/render-figures" --index-only
expect_nonzero
expect_stderr "figures/hoyer/quick/results.json: not valid JSON"
expect_no_trace
[ "$before" = "$(sha256sum <"$SCRATCH/figures/README.md")" ] || case_fail "figures/README.md was rewritten"
case_end

case_begin "chapter: a gnuplot that fails stops the run non-zero, names the figure, publishes nothing"
run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$CACHE"
expect_status 0
before="$(digest "$SCRATCH/o")"
fake_gnuplot 'echo "fake gnuplot: cannot open display" >&2; exit 1'
run_cmd env PATH="$SCRATCH/bin:$PATH" "$BIN/chapter-classic" --profile smoke \
    --output "$SCRATCH/o" --cache "$CACHE"
expect_status 1
expect_stderr "figure fig-accuracy-vs-timesteps was not rendered"
expect_stderr "fake gnuplot: cannot open display"
expect_no_trace
expect_same "$before" "$(digest "$SCRATCH/o")" "the previous output"
ls -a "$SCRATCH" | grep -q '^\.o\.tmp-' && case_fail "the failed run left its staging folder"
case_end

case_begin "chapter: a gnuplot that hangs is killed after LLSNN_GNUPLOT_TIMEOUT, the run fails"
run_cmd "$BIN/chapter-classic" --profile smoke --output "$SCRATCH/o" --cache "$CACHE"
expect_status 0
before="$(digest "$SCRATCH/o")"
fake_gnuplot 'sleep 120'
started=$SECONDS
run_cmd env PATH="$SCRATCH/bin:$PATH" LLSNN_GNUPLOT_TIMEOUT=1 "$BIN/chapter-classic" \
    --profile smoke --output "$SCRATCH/o" --cache "$CACHE"
expect_status 1
expect_stderr "did not finish fig-accuracy-vs-timesteps.gp within"
expect_stderr "LLSNN_GNUPLOT_TIMEOUT"
[ $((SECONDS - started)) -lt 100 ] || case_fail "the chapter waited $((SECONDS - started)) s"
expect_same "$before" "$(digest "$SCRATCH/o")" "the previous output"
case_end
