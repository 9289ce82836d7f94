# Fault cases: option values outside their declared range (issue 26). Each must stop before
# any work, in well under a second: ArgumentParser's message naming the flag and its allowed
# values, the usage naming the executable, exit status 64, no runtime trap, no output folder.
# Sourced by tools/faults/run (helpers in tools/faults/lib.sh).

# options_refused EXECUTABLE FLAG ALLOWED ARGS…: runs `$BIN/EXECUTABLE ARGS…` and expects the
# rejection above; standard error must name FLAG and ALLOWED (the range or value list).
options_refused() {
    local executable="$1" flag="$2" allowed="$3"; shift 3
    case_begin "$executable $* is refused before any work"
    run_cmd "$BIN/$executable" "$@"
    expect_status 64
    expect_stderr "$flag"
    expect_stderr "$allowed"
    expect_stderr "Usage: ${executable%% *}"
    expect_no_trace
    expect_absent "$SCRATCH/out"
    case_end
}

# options_chapter_refused KEY FLAG ALLOWED ARGS…: `chapter-KEY --profile smoke` into a fresh output
# folder with the shared cache, plus ARGS.
options_chapter_refused() {
    local key="$1" flag="$2" allowed="$3"; shift 3
    case_begin "chapter-$key $* is refused before any work"
    run_cmd "$BIN/chapter-$key" --profile smoke --output "$SCRATCH/out" --cache "$CACHE" "$@"
    expect_status 64
    expect_stderr "$flag"
    expect_stderr "$allowed"
    expect_stderr "Usage: chapter-$key"
    expect_no_trace
    expect_absent "$SCRATCH/out"
    case_end
}

# The shared options (ChapterOptions).
options_chapter_refused classic --threads "[1, 256]" --threads 0
options_chapter_refused hoyer --threads "[1, 256]" --threads 1000
options_chapter_refused classic --memory-budget "[64, 1048576]" --memory-budget 10

# chapter-classic
options_chapter_refused classic --max-timesteps "[2, 4096]" --max-timesteps 0
options_chapter_refused classic --max-timesteps "[2, 4096]" --max-timesteps 1
options_chapter_refused classic --max-timesteps "[2, 4096]" --max-timesteps 1000000000000
options_chapter_refused classic --percentile "(0, 100]" --percentile 150
options_chapter_refused classic --percentile "(0, 100]" --percentile nan
options_chapter_refused classic --percentile "given twice" --percentile 99.9 --percentile 99.9

# chapter-rnl
options_chapter_refused rnl --max-timesteps "[2, 4096]" --max-timesteps 0
options_chapter_refused rnl --epochs "[1, 10000]" --epochs 0
options_chapter_refused rnl --tolerance "[0, 1]" --tolerance 2
options_chapter_refused rnl --learning-rate "> 0" --learning-rate 0
options_chapter_refused rnl --lambda "≥ 0" --lambda inf

# chapter-ultralow
options_chapter_refused ultralow --epochs "[1, 10000]" --epochs 0
options_chapter_refused ultralow --train-limit "≥ 1" --train-limit 0
options_chapter_refused ultralow --finetune-timesteps "one of 1, 2, 4" --finetune-timesteps 0
options_chapter_refused ultralow --finetune-timesteps "one of 1, 2, 4" --finetune-timesteps 3
options_chapter_refused ultralow --finetune-epochs "[1, 10000]" --finetune-epochs 0
options_chapter_refused ultralow --finetune-learning-rate "> 0" --finetune-learning-rate nan

# chapter-hybrid
options_chapter_refused hybrid --arms "one of A, B, C, D" --arms Z
options_chapter_refused hybrid --ann-epochs "[1, 10000]" --ann-epochs 0
options_chapter_refused hybrid --finetune-epochs "[0, 10000]" --finetune-epochs=-1
options_chapter_refused hybrid --threshold-scale "> 0" --threshold-scale 0

# chapter-attention
options_chapter_refused attention --density "(0, 1]" --density 2
options_chapter_refused attention --beta "≥ 0" --beta nan
options_chapter_refused attention --density "too low for this network" --density 0.0001

# chapter-hoyer
options_chapter_refused hoyer --epochs "[1, 10000]" --epochs 0
options_chapter_refused hoyer --regularisation-weight "≥ 0" --regularisation-weight nan
options_chapter_refused hoyer --surrogate-height "(0, 2]" --surrogate-height 5
options_chapter_refused hoyer --train-limit "≥ 64" --train-limit 0
options_chapter_refused hoyer --seed-replicates "[0, 20]" --seed-replicates 21

# chapter-compare
options_chapter_refused compare --max-timesteps "[2, 4096]" --max-timesteps 0
options_chapter_refused compare --ann-epochs "[1, 10000]" --ann-epochs 0
options_chapter_refused compare --density "(0, 1]" --density 2
options_chapter_refused compare --percentile "(0, 100]" --percentile 150
options_chapter_refused compare --clip-percentile "(0, 100]" --clip-percentile nan

# bench and regenerate
options_refused "bench" --runs "[1, 1000]" snn --runs 0
options_refused "bench" --runs "[1, 1000]" ann --runs 0
options_refused "bench" --batch "[1, 4096]" ann --batch 0
options_refused "bench" --workload "one of vgg-train" snn --workload nope
options_refused "bench" --spike-density "[0, 1]" snn --spike-density 2
options_refused "bench" --epochs "[1, 10000]" fmnist --epochs 0
options_refused "bench" --timesteps "[1, 4096]" sim --timesteps 0
options_refused "bench" --resets "one of subtraction, zero" sim --resets zero,foo
options_refused "regenerate" --threads "[1, 256]" --threads 0
options_refused "regenerate" --memory-budget "[64, 1048576]" --memory-budget 0
