# NIR files (docs/nir.md): a bad file stops `nir evaluate` / `nir inspect` with a message naming
# the file or node and a non-zero status, never a trap; --export-nir is checked before work.

# nir_samples: the sample networks in $SCRATCH/samples (each case has its own $SCRATCH).
nir_samples() {
    samples="$SCRATCH/samples"
    "$BIN/nir" export-samples "$samples" >/dev/null || case_fail "nir export-samples failed"
}

case_begin "nir evaluate on a truncated file names the file and fails"
nir_samples
head -c 3000 "$samples/sample-if-zero.nir" > "$SCRATCH/cut.nir"
run_cmd "$BIN/nir" evaluate "$SCRATCH/cut.nir" --timesteps 4 --images 10
expect_nonzero
expect_stderr "cut.nir: not a readable HDF5 file"
expect_no_trace
case_end

case_begin "nir evaluate on a missing file is refused as an option"
run_cmd "$BIN/nir" evaluate "$SCRATCH/none.nir" --timesteps 4 --images 10
expect_status 64
expect_stderr "none.nir: no such file"
case_end

case_begin "nir evaluate --timesteps 0 is refused before any work"
nir_samples
run_cmd "$BIN/nir" evaluate "$samples/sample-if-zero.nir" --timesteps 0
expect_status 64
expect_stderr "--timesteps"
case_end

# A node of unknown type, a missing parameter and a shape mismatch: a sample file edited with
# h5py from tools/nir/validate's venv (which .ci/run creates first); skipped without it, as the
# Swift tests in Tests/NIRInterchangeTests cover the same three errors without Python.
py="$ROOT/data/cache/nir-venv/bin/python"
if [ -x "$py" ] && "$py" -c "import h5py" 2>/dev/null; then
    case_begin "nir inspect names an unknown node type, a missing parameter and a shape mismatch"
    nir_samples
    for fault in unknown missing shape; do
        cp "$samples/sample-lif-zero.nir" "$SCRATCH/$fault.nir"
        "$py" - "$SCRATCH/$fault.nir" "$fault" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    node = f["node/nodes/layer1"]
    if sys.argv[2] == "unknown":
        del node["type"]; node.create_dataset("type", data="Izhikevich", dtype=h5py.string_dtype())
    elif sys.argv[2] == "missing":
        del node["v_leak"]
    else:
        del node["tau"]; node.create_dataset("tau", data=np.ones(3, np.float32))
PY
        run_cmd "$BIN/nir" inspect "$SCRATCH/$fault.nir"
        expect_nonzero
        expect_no_trace
        case "$fault" in
            unknown) expect_stderr "node 'layer1': unknown NIR node type 'Izhikevich'" ;;
            missing) expect_stderr "node 'layer1' (LIF): missing parameter 'v_leak'" ;;
            shape) expect_stderr "node 'layer1': shape mismatch" ;;
        esac
    done
    case_end
fi

case_begin "classic --export-nir naming an existing file is refused before any work"
touch "$SCRATCH/a-file"
run_cmd "$BIN/chapter-classic" --profile smoke --cache "$CACHE" --output "$SCRATCH/o" --export-nir "$SCRATCH/a-file"
expect_status 64
expect_stderr "--export-nir"
expect_absent "$SCRATCH/o"
case_end

case_begin "hybrid --export-nir is refused before any work (it writes no NIR files)"
run_cmd "$BIN/chapter-hybrid" --profile smoke --cache "$CACHE" --output "$SCRATCH/o" --export-nir "$SCRATCH/nir"
expect_nonzero
expect_stderr "--export-nir: chapter-hybrid writes no NIR files"
expect_absent "$SCRATCH/o"
expect_absent "$SCRATCH/nir"
case_end
