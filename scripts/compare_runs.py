"""Paired comparison of one system across two `recap eval` runs of the same data (dtype, model or code versions),
or of two systems.

Each run's scores.jsonl holds per-event scores; the events both runs scored are paired and the mean difference
(B - A) gets a bootstrap 95% CI and p-value (eval.harness.paired_bootstrap, as in the eval reports).

    python scripts/compare_runs.py runs/eval/samsum-test runs/eval-bf16/samsum-test
    # two systems of one run (e.g. two models scored side by side): name each
    python scripts/compare_runs.py RUN RUN --system model:recap-minilm --system-b model:final
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from eval.harness import paired_bootstrap  # noqa: E402


def scores(run: Path, prefix: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines() if line.strip()]
    systems = sorted({r["system"] for r in rows if r["system"].startswith(prefix)})
    if len(systems) != 1:
        raise SystemExit(f"{run}: {len(systems)} systems start with {prefix!r}: {systems}; pass --system")
    return {r["id"]: r for r in rows if r["system"] == systems[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path, help="run directory A (the reference)")
    ap.add_argument("b", type=Path, help="run directory B")
    ap.add_argument("--system", default="model", help="system name or its prefix (default: the model)")
    ap.add_argument("--system-b", default=None, help="B's system, when it differs from A's (default: --system)")
    ap.add_argument("--metrics", nargs="+", default=["rouge1_f", "rouge2_f", "rougeL_f", "words", "faithfulness"])
    args = ap.parse_args()
    a, b = scores(args.a, args.system), scores(args.b, args.system_b or args.system)
    ids = [i for i in a if i in b]
    print(f"{len(ids)} events in both ({len(a)} in A, {len(b)} in B); B - A:")
    for m in args.metrics:
        x = np.array([a[i][m] for i in ids], dtype=float)
        y = np.array([b[i][m] for i in ids], dtype=float)
        d = paired_bootstrap(y, x)
        print(f"  {m:<13} A {x.mean():7.3f}  B {y.mean():7.3f}  Δ {d['delta']:+.3f} "
              f"[{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] p={d['p_value']:.3f}")


if __name__ == "__main__":
    main()
