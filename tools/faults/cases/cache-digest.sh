# The stage cache trusts the dataset's bytes, not its name (issue 26): replacing the CIFAR-10
# files with other well-formed files must retrain, not reuse networks trained on the old ones.
#
# Without the real CIFAR-10 here, the case builds a small one: a data/ folder in $SCRATCH with
# a copy of the manifest whose CIFAR-10 entry counts 1000 records per file (the loader checks
# counts and structure; the real manifest records no digest of the extracted files), filled
# with learnable images (each class its own brightness). A chapter reads data/ from its working
# directory, so it runs from $SCRATCH/root.

# write_cifar DIR SEED: five training batches and a test batch of 1000 records each.
write_cifar() {
    python3 - "$1" "$2" <<'PY'
import os, random, sys
folder, seed = sys.argv[1], int(sys.argv[2])
os.makedirs(folder, exist_ok=True)
rng = random.Random(seed)
# Class l: pixels 20·l + (noise in 0..63), so brightness tells the classes apart.
tables = [bytes(min(255, 20 * l + (b >> 2)) for b in range(256)) for l in range(10)]
for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
    with open(os.path.join(folder, name), "wb") as f:
        for i in range(1000):
            label = i % 10
            f.write(bytes([label]) + rng.randbytes(3072).translate(tables[label]))
PY
}

case_begin "classic on replaced CIFAR-10 files recomputes its ANN instead of reusing it"
root="$SCRATCH/root"
mkdir -p "$root/data"
python3 - "$ROOT/data/manifest.json" "$root/data/manifest.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
for entry in manifest["datasets"]:
    if entry["id"] == "cifar10":
        for f in entry["files"]:
            f.update(records=1000, bytes=1000 * 3073, contentBytes=1000 * 3073, sha256=None, contentSHA256=None)
json.dump(manifest, open(sys.argv[2], "w"), indent=1)
PY
write_cifar "$root/data/cifar-10-batches-bin" 1
args=(--profile smoke --dataset cifar10 --cache "$SCRATCH/cache")
pushd "$root" >/dev/null

run_cmd "$BIN/chapter-classic" "${args[@]}" --output "$SCRATCH/o1"
expect_status 0
grep -q "^stage backbone: computed" "$LAST_STDOUT" || case_fail "first run: the ANN was not computed"

# Same files: the cached ANN is reused (the digest is remembered, the key unchanged).
run_cmd "$BIN/chapter-classic" "${args[@]}" --output "$SCRATCH/o2"
expect_status 0
grep -q "^stage backbone: loaded" "$LAST_STDOUT" || case_fail "unchanged files: the ANN was not loaded"

# Other well-formed files of the same size under the same names: a new key, a new ANN.
write_cifar "$root/data/cifar-10-batches-bin" 2
run_cmd "$BIN/chapter-classic" "${args[@]}" --output "$SCRATCH/o3"
expect_status 0
grep -q "^stage backbone: computed" "$LAST_STDOUT" \
    || case_fail "replaced files: the ANN trained on the old files was reused"
popd >/dev/null

python3 - "$SCRATCH/o1/results.json" "$SCRATCH/o2/results.json" "$SCRATCH/o3/results.json" <<'PY' \
    || case_fail "results.json does not record the data digest, or it did not follow the files"
import json, sys
first, same, replaced = (json.load(open(p))["data"] for p in sys.argv[1:])
names = [f["name"] for f in first["files"]]
ok = (sorted(names) == [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
      and first == same and replaced["sha256"] != first["sha256"]
      and all(a["sha256"] != b["sha256"] for a, b in zip(first["files"], replaced["files"])))
sys.exit(0 if ok else 1)
PY
case_end
