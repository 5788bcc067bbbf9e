#!/usr/bin/env python
"""Benchmark the preprocessing stage on synthetic live-post streams.

    python scripts/bench_prep.py --sizes 1000 10000 100000 [1000000]

Each size runs in a fresh subprocess (so peak RSS is that size's own) over a generated
post-per-line JSONL stream with realistic duplication: 25% retweets, 8% exact copies,
4% truncated copies, 4% near-duplicates, 3% housekeeping posts, links and glued hashtags.
Reports seconds, posts/s and RSS after each stage (read → order → dedupe → clean → filter).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ["minister", "council", "budget", "data", "sharing", "vote", "schools", "transit", "goal", "striker", "keeper", "penalty", "launch", "product", "battery", "price", "market", "survey", "riders", "funding", "policy", "health", "trust", "public", "pandemic", "lessons", "report", "panel", "question", "audience", "climate", "energy", "housing", "rent", "wages", "jobs", "growth", "inflation", "bank", "rate", "tax", "city"]
NAMES = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea", "Max", "Nia", "Oto", "Pia", "Raj", "Sol", "Tia", "Uma", "Vic", "Wen", "Xia", "Yul", "Zed"]


def generate(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    t0 = datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    posts: list[dict] = []
    originals: list[dict] = []
    for i in range(n):
        r = rng.random()
        t = (t0 + timedelta(seconds=rng.uniform(0, 7200))).isoformat()
        user = f"user{rng.randint(1, max(10, n // 20))}"
        if originals and r < 0.25:
            o = rng.choice(originals)
            text = f"RT @{o['username']}: {o['text']}"
        elif originals and r < 0.33:
            text = rng.choice(originals)["text"]
        elif originals and r < 0.37:
            o = rng.choice(originals)["text"]
            text = o[: max(20, len(o) // 2)] + "…"
        elif originals and r < 0.41:
            words = rng.choice(originals)["text"].split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            text = " ".join(words)
        elif r < 0.44:
            text = f"Our session starts in {rng.randint(2, 30)} minutes! Watch the livestream example.org/live #Ev"
        else:
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
            words.insert(0, rng.choice(NAMES))
            if rng.random() < 0.3:
                words.append(f"https://t.co/{rng.randint(10**6, 10**7)}")
            if rng.random() < 0.3:
                words[-1] += "#Ev"
            text = " ".join(words) + rng.choice(("", ".", "!", " &amp; more"))
        post = {"id": str(i), "text": text, "created_at": t, "username": user}
        if not text.startswith("RT ") and r >= 0.41:
            originals.append(post)
        posts.append(post)
    return posts


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def run_one(n: int) -> dict:
    from summarizer.clean import clean_posts
    from summarizer.dedupe import dedupe
    from summarizer.filtering import filter_posts
    from summarizer.order import order_posts
    from summarizer.readers import read_events

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "stream.jsonl"
        with open(path, "w") as f:
            for p in generate(n):
                f.write(json.dumps(p) + "\n")
        stages = {}
        start = time.perf_counter()

        def mark(name: str, t0: float) -> float:
            t1 = time.perf_counter()
            stages[name] = {"seconds": round(t1 - t0, 3), "posts_per_s": round(n / max(t1 - t0, 1e-9)),
                            "rss_mb": round(rss_mb(), 1)}
            return t1

        t = time.perf_counter()
        posts = read_events(path).events[0].posts
        t = mark("read", t)
        posts, _ = order_posts(posts)
        t = mark("order", t)
        dd = dedupe(posts)
        t = mark("dedupe", t)
        cleaned = clean_posts(dd.posts)
        t = mark("clean", t)
        kept, dropped = filter_posts(cleaned)
        t = mark("filter", t)
        total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"posts": n, "total_seconds": round(total, 2), "posts_per_s": round(n / total), "peak_rss_mb": round(peak),
            "kept": len(kept), "duplicates": len(dd.dropped), "filtered": len(dropped), "stages": stages}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        per = "  ".join(f"{k} {v['seconds']:.2f}s" for k, v in r["stages"].items())
        print(f"{n:>9,} posts  {r['total_seconds']:7.2f}s  {r['posts_per_s']:>8,} posts/s  peak {r['peak_rss_mb']:>5} MiB"
              f"  | {per}  (dupes {r['duplicates']:,}, filtered {r['filtered']:,})", flush=True)
    base = rows[0]
    for r in rows[1:]:
        scale = r["posts"] / base["posts"]
        print(f"{r['posts']:,} vs {base['posts']:,}: {scale:.0f}x posts -> {r['total_seconds'] / base['total_seconds']:.1f}x time")


if __name__ == "__main__":
    main()
