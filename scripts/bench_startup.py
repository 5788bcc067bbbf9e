#!/usr/bin/env python
"""Time one `recap summarize` of a file from a cold process, with the model's weights loaded lazily (what the CLI
does) and eagerly (what `recap batch` and `recap eval` do), alternating, each in a fresh Python process.

    python scripts/bench_startup.py [FILE] [--repeats 5] [--threads 2]

The default FILE is the bundled panel, a broadcast stream: under `--writer auto` it gets the extractive recap, so
the lazy process never reads the weights. Each process times itself from its first line (imports included) to the
recap, so the interpreter's own start is left out of both. Only the ratio is meant to travel between machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import time; t0 = time.perf_counter()
import json, sys
from summarizer import load_summarizer
from summarizer.readers import read_events
s = load_summarizer(threads={threads}, dtype="auto", lazy={lazy})
recaps = s.summarize_many(read_events(sys.argv[1]).events)
print(json.dumps({{"seconds": time.perf_counter() - t0, "weights_loaded": s.loaded.weights_loaded,
                  "recap": recaps[0].recap}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(ROOT / "examples" / "city-transit-panel.txt"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"lazy": [], "eager": []}
    for _ in range(args.repeats):
        for mode in runs:  # alternate, so drift in the machine's load hits both
            code = CHILD.format(threads=args.threads, lazy=mode == "lazy")
            out = subprocess.run([sys.executable, "-c", code, args.file], cwd=ROOT, capture_output=True, text=True,
                                 check=True)
            runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    if runs["lazy"][0]["recap"] != runs["eager"][0]["recap"]:
        sys.exit("lazy and eager loading wrote different recaps")
    med = {mode: statistics.median(r["seconds"] for r in rs) for mode, rs in runs.items()}
    for mode, rs in runs.items():
        print(f"{mode:5}  median {med[mode]:.2f} s over {len(rs)}  weights loaded: {rs[0]['weights_loaded']}")
    print(f"lazy / eager: {med['lazy'] / med['eager']:.2f}")


if __name__ == "__main__":
    main()
