"""Measure the faithfulness guard's rules on an eval set: generate once, then re-guard the same raw output.

The guard decides which generated sentences survive and when the recap falls back to extraction, so its
rules move ROUGE and faithfulness. Generation is the slow part and does not depend on the guard: each
event's raw output is cached in `--cache` (JSONL) and every variant re-runs only post-processing and the
guard. Variants:

  keep                    the model's own writing: no sentence replaced, no fallback (`--on-unsupported keep`)
  no-broadcast-rules      the guard before the broadcast-stream rules, with the five-key-post fallback
  budget-fallback         + the fallback: central sentences (salience + MMR) filling the word budget
  trace=X                 + a broadcast-stream sentence needs X of its content words in its 2 closest posts,
                          and a negation its closest post makes

    python scripts/guard_ablation.py ../shared/data/background/dev.jsonl --skip 15 --limit 20 --cache runs/ga/bg.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import summarizer.faithfulness as faith  # noqa: E402
import summarizer.recap as recap_mod  # noqa: E402
from eval.harness import load_rouge, ref_words  # noqa: E402
from eval.signals import signals  # noqa: E402
from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.modeling import GenerationSettings  # noqa: E402
from summarizer.recap import SentenceCheck, load_summarizer, split_sentences  # noqa: E402

_NEVER = re.compile(r"(?!x)x")
_NEGATION, _FALLBACK = faith._NEGATION, recap_mod.extractive_fallback  # before any variant patches them


def five_key_posts_fallback(posts, words):
    """The fallback before the budget fix: the sentences of the five most central posts, up to `words`."""
    out, used = [], 0
    for p in recap_mod.key_posts(posts):
        for sent in split_sentences(p.display_text):
            if used >= words:
                return out
            out.append(SentenceCheck(sent, (p.id,), (), replaced=True))
            used += len(sent.split())
    return out


def variant(name: str):
    """(MIN_TRACE, negation regex, fallback function) for a variant name."""
    if name in ("keep", "no-broadcast-rules"):
        return 0.0, _NEVER, five_key_posts_fallback
    if name == "budget-fallback":
        return 0.0, _NEVER, _FALLBACK
    if name.startswith("trace="):
        return float(name.split("=", 1)[1]), _NEGATION, _FALLBACK
    raise SystemExit(f"unknown variant {name!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--model", default=None)
    ap.add_argument("--skip", type=int, default=0, help="skip the first N events (e.g. the ones a report uses)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", type=Path, required=True, help="raw generations, reused when present")
    ap.add_argument("--variants", nargs="+",
                    default=["keep", "no-broadcast-rules", "budget-fallback", "trace=0.5", "trace=0.6", "trace=0.7"])
    args = ap.parse_args()

    events = [e for e in iter_event_lines(args.data) if any(r.strip() for r in e.references)]
    events = events[args.skip:][: args.limit]
    budgets = {e.id: ref_words(e) for e in events}
    s = load_summarizer(args.model, settings=GenerationSettings(num_beams=4, min_ratio=0.8), words_by_id=budgets,
                        writer="model")  # the guard's rules are measured on what the model writes
    cached = {}
    if args.cache.exists():
        cached = {r["id"]: r["raw"] for r in map(json.loads, args.cache.read_text().splitlines())}
    todo = [e for e in events if e.id not in cached]
    if todo:
        for e, r in zip(todo, s.summarize_many(todo), strict=True):
            cached[e.id] = r.raw
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        args.cache.write_text("".join(json.dumps({"id": k, "raw": v}) + "\n" for k, v in cached.items()))

    rouge = load_rouge()
    refs = [[r for r in e.references if r.strip()] for e in events]
    plans = [s._plan(e) for e in events]  # preparation and input selection do not depend on the guard: once
    for plan, e in zip(plans, events, strict=True):
        if plan.sections:
            plan.partials = cached[e.id].split("\n")
    broadcast = sum(faith.stream_kind(plan.prepared.posts) == "broadcast" for plan in plans)
    print(f"{args.data} events {args.skip}..{args.skip + len(events)}: {len(events)} ({broadcast} broadcast streams)")
    print(f"{'variant':<20} {'R-1':>6} {'R-2':>6} {'R-2 95% CI':>16} {'faithful':>8} {'fallback':>8} {'rejected':>9}")
    for name in args.variants:
        faith.MIN_TRACE, faith._NEGATION, recap_mod.extractive_fallback = variant(name)
        s.on_unsupported = "keep" if name == "keep" else "extract"
        preds, fallback, rejected, generated, share = [], 0, 0, 0, []
        for plan, e in zip(plans, events, strict=True):
            r = s._finish(plan, cached[e.id])
            preds.append(r.recap)
            g = r.stats["guard"]
            fallback += g["extractive_fallback"]
            rejected += g["unsupported_sentences"]
            generated += g["generated_sentences"]
            share.append(signals(r.recap, plan.prepared.posts)["faithfulness"])
        out = rouge.compute(predictions=preds, references=refs, bootstrap=1000, seed=0,
                            rouge_types=["rouge1", "rouge2"])
        ci = out["rouge2"]["fmeasure_ci"]
        print(f"{name:<20} {100 * out['rouge1']['fmeasure']:6.2f} {100 * out['rouge2']['fmeasure']:6.2f} "
              f"  [{100 * ci[0]:5.2f}, {100 * ci[1]:5.2f}] {np.mean(share):8.3f} {fallback:>5}/{len(events):<3}"
              f" {rejected:>4}/{generated:<4}")


if __name__ == "__main__":
    main()
