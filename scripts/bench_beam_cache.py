#!/usr/bin/env python
"""Beam search with and without reordering the cross-attention cache: same model, same events, same run.

    python scripts/bench_beam_cache.py [--model PATH] [--data ../shared/data/samsum/test.jsonl] [--events 32]

`summarizer.modeling.beam_cache` skips reordering the encoder's keys and values at every beam-search step (they are
identical for all beams of one source). This times `generate_texts` both ways on the same inputs — alternating
rounds, so a busy machine slows both alike — and checks that every output is identical. Batches of
`--batch-size` (`recap eval`/`batch` use 8) and single events (what `recap summarize` does).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/samsum/test.jsonl"))
    ap.add_argument("--events", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import summarizer.modeling as modeling
    from summarizer import GenerationSettings, load_summarizer
    from summarizer.eventio import iter_event_lines

    s = load_summarizer(args.model, threads=args.threads, writer="model",
                        settings=GenerationSettings(num_beams=args.beams, batch_size=args.batch_size))
    events = list(itertools.islice(iter_event_lines(args.data), args.events))
    plans = [s._plan(e) for e in events]
    srcs = [p.segments[0].text for p in plans if p.segments]
    words = [p.words for p in plans if p.segments]
    ours = modeling.beam_cache

    def timed(cache_fn, batch: bool) -> tuple[float, list[str]]:
        modeling.beam_cache = cache_fn
        t = time.perf_counter()
        if batch:
            out = modeling.generate_texts(s.loaded, srcs, s.settings, words)
        else:
            out = [modeling.generate_texts(s.loaded, [x], s.settings, [w])[0] for x, w in zip(srcs, words, strict=True)]
        return time.perf_counter() - t, out

    same = True
    for batch in (True, False):
        times: dict[str, list[float]] = {"reorder": [], "skip": []}
        for _ in range(args.rounds):
            a, out_a = timed(lambda model, beams: {}, batch)
            b, out_b = timed(ours, batch)
            times["reorder"].append(a)
            times["skip"].append(b)
            same &= out_a == out_b
        ra, rb = statistics.median(times["reorder"]), statistics.median(times["skip"])
        label = f"batches of {args.batch_size}" if batch else "one at a time"
        print(f"{len(srcs)} events, beam {args.beams}, {label}: reorder {ra:.2f}s, skip {rb:.2f}s "
              f"(median of {args.rounds}) -> {rb / ra:.2f}x the time", flush=True)
    modeling.beam_cache = ours
    print(f"identical outputs: {same}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
