#!/usr/bin/env python3
"""Copies the same-run ratios of Benchmarks/RESULTS.md into README.md's performance section,
between the `<!-- performance:begin -->` and `<!-- performance:end -->` markers.

Run by `compare-peers.sh --publish` after it writes RESULTS.md; run it by hand only to
re-copy an existing RESULTS.md. No numbers are typed into the README."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
results = (root / "Benchmarks" / "RESULTS.md").read_text()
readme_path = root / "README.md"
readme = readme_path.read_text()

header = [l for l in results.splitlines() if l.startswith("- date:") or l.startswith("- CPU:")]
ratios = results.split("Ratios (ours ÷ peer, same run):", 1)
if len(ratios) != 2:
    sys.exit("RESULTS.md has no 'Ratios (ours ÷ peer, same run):' section")
lines = [l.strip() for l in ratios[1].splitlines() if l.strip()]
block = "\n".join(
    ["<!-- performance:begin -->",
     "Same-run ratios from [Benchmarks/RESULTS.md](Benchmarks/RESULTS.md) "
     "(copied by `Benchmarks/readme-performance.py`; " + "; ".join(h[2:] for h in header) + "):",
     "",
     "```"] + lines + ["```", "<!-- performance:end -->"])
pattern = re.compile(r"<!-- performance:begin -->.*?<!-- performance:end -->", re.S)
if not pattern.search(readme):
    sys.exit("README.md has no <!-- performance:begin --> … <!-- performance:end --> block")
readme_path.write_text(pattern.sub(lambda _: block, readme))
print(f"updated the performance block of {readme_path}")
