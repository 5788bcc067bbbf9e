#!/usr/bin/env python
"""Naive loop vs the batch path: same model, same 64 events, greedy decoding.

    python scripts/bench_generate.py [--model PATH] [--data ../shared/data/samsum/test.jsonl] [--events 64]

The naive loop is what users write first: `for e in events: summarizer.summarize(e)` —
one `generate` call per event. The batch path is `summarize_many` (what `recap batch`
uses): events sorted by length and generated `--batch-size` at a time. Outputs must be
identical under greedy decoding. Prints events/min and peak RSS for each, and the ratio;
each path runs in its own subprocess so the RSS readings are its own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run(mode: str, model: str | None, data: str, n: int, batch_size: int, threads: int) -> dict:
    from summarizer import GenerationSettings, load_summarizer
    from summarizer.eventio import iter_event_lines

    events = list(itertools.islice(iter_event_lines(data), n))
    s = load_summarizer(model, threads=threads, writer="model",  # time generation, whatever the stream kind
                        settings=GenerationSettings(num_beams=1, batch_size=batch_size if mode == "batch" else 1))
    s.summarize(events[0])  # warm-up outside the timing
    t = time.perf_counter()
    if mode == "naive":
        recaps = [s.summarize(e).recap for e in events]
    else:
        recaps = [r.recap for r in s.summarize_many(events)]
    secs = time.perf_counter() - t
    return {"mode": mode, "events": len(events), "seconds": round(secs, 2),
            "events_per_min": round(60 * len(events) / secs, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "recaps": recaps}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model dir or Hub id (default: the embedded model)")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/samsum/test.jsonl"))
    ap.add_argument("--events", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mode", choices=["naive", "batch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(run(args.mode, args.model, args.data, args.events, args.batch_size, args.threads)))
        return
    results = {}
    for mode in ("naive", "batch"):
        cmd = [sys.executable, __file__, "--mode", mode, "--data", args.data, "--events", str(args.events),
               "--batch-size", str(args.batch_size), "--threads", str(args.threads)]
        if args.model:
            cmd += ["--model", args.model]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[mode]
        print(f"{mode:>5}: {r['events']} events in {r['seconds']:.1f}s = {r['events_per_min']:.1f} events/min, "
              f"peak RSS {r['peak_rss_mb']} MiB", flush=True)
    same = results["naive"]["recaps"] == results["batch"]["recaps"]
    diff = sum(a != b for a, b in zip(results["naive"]["recaps"], results["batch"]["recaps"], strict=True))
    ratio = results["batch"]["events_per_min"] / results["naive"]["events_per_min"]
    print(f"identical outputs: {same} ({diff} differ); batch/naive speed: {ratio:.2f}x")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
