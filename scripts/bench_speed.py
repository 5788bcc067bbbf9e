#!/usr/bin/env python
"""Time the default recap of a 500-post event (model load excluded), by dtype (float32, auto, bfloat16, int8) and beams.

    python scripts/bench_speed.py [--model PATH] [--dtypes float32 auto int8] [--posts 500] [--repeats 3] [--beams 4 1]
    python scripts/bench_speed.py --dtypes float32 auto --beams 4 --vocab trimmed full   # the output vocabulary

The event is the first N posts of a real crisis stream (`../shared/data/dutta/test.jsonl`),
summarised with the default settings (automatic length, one pass over the selected posts)
unless --hierarchical. All rows come from one run, so their ratios are comparable. It times the model's
writing (`--writer model`): under the default `--writer auto` the shipped model leaves broadcast streams like
this one to extraction (`--writer auto` times that). `--vocab full` times `--full-vocab` (every token scored at
each step; the default scores the model's target vocabulary and the posts' tokens, `summarizer.vocab`).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/dutta/test.jsonl"))
    ap.add_argument("--posts", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtypes", nargs="+", default=["float32", "auto", "int8"])
    ap.add_argument("--beams", nargs="+", type=int, default=[4, 1])
    ap.add_argument("--vocab", nargs="+", default=["trimmed"], choices=["trimmed", "full"])
    ap.add_argument("--min-ratio", type=float, default=None,
                    help="length floor (default: the recap default); 1.0 makes every row write the same length")
    ap.add_argument("--hierarchical", action="store_true")
    ap.add_argument("--writer", default="model", help="model (default: time the model's writing) | auto | extract")
    args = ap.parse_args()
    from summarizer import GenerationSettings, load_summarizer
    from summarizer.eventio import iter_event_lines

    event = next(itertools.islice(iter_event_lines(args.data), 1))
    event = replace(event, posts=event.posts[: args.posts])
    floor = {} if args.min_ratio is None else {"min_ratio": args.min_ratio}
    for dtype, beams, vocab in itertools.product(args.dtypes, args.beams, args.vocab):
        s = load_summarizer(args.model, threads=args.threads, dtype=dtype, hierarchical=args.hierarchical,
                            settings=GenerationSettings(num_beams=beams, full_vocab=vocab == "full", **floor),
                            writer=args.writer)
        s.summarize(event)  # warm-up
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            r = s.summarize(event)
            times.append(time.perf_counter() - t)
        name = dtype if s.loaded.dtype == dtype else f"{dtype}={s.loaded.dtype}"  # what "auto" chose here
        if len(args.vocab) > 1:
            name += f" {vocab}"
        print(f"{name:>8} beam {beams}: {len(event.posts)} posts -> {len(r.recap.split())} words in "
              f"{statistics.median(times):.2f}s (median of {args.repeats}; hierarchical={r.hierarchical}; "
              f"writer={r.stats['writer']}; the model wrote {len(r.raw.split())} words)")
        print(f"          {r.recap[:300]}")

if __name__ == "__main__":
    main()
