#!/usr/bin/env python
"""Would choosing among the beam's candidates the one the guard accepts give better chat recaps? (Tried, not kept.)

Beam search ends with `num_beams` candidates; the recap takes the best-scored one, and the guard then rejects what
it cannot trace. This generates the 4 best beams of each event once (`--cache`, JSONL `{"id", "raws"}`), guards
each with the current code, and scores four ways to choose:

  top1         the best beam (what `recap summarize` does)
  first-clean  the first candidate with no rejected sentence, else the best beam
  min-share    the candidate that avoids the extractive fallback and has the smallest share of rejected sentences
  no-fallback  the first candidate that avoids the fallback, else the best beam

    python scripts/candidate_probe.py ../shared/data/samsum/dev.jsonl --cache runs/cand/samsum-dev.jsonl
    python scripts/candidate_probe.py ../shared/data/samsum/dev.jsonl --cache runs/cand/samsum-dev.jsonl \
        --show 12 --seed 18    # the chats of 12 events min-share changes, with the sentences it newly keeps

ROUGE alone would pick min-share; reading what it newly keeps is what decides (model card, "Session 18").
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.harness import load_rouge, ref_words  # noqa: E402
from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.modeling import GenerationSettings, generate_candidates  # noqa: E402
from summarizer.recap import Recap, load_summarizer  # noqa: E402

POLICIES = ("top1", "first-clean", "min-share", "no-fallback")


def choose(policy: str, recaps: list[Recap]) -> int:
    """The index of the candidate `policy` takes (0: the best beam)."""
    guard = [r.stats.get("guard", {}) for r in recaps]
    if policy == "first-clean":
        return next((j for j, g in enumerate(guard) if g.get("unsupported_sentences", 1) == 0), 0)
    if policy == "no-fallback":
        return next((j for j, g in enumerate(guard) if not g.get("extractive_fallback")), 0)
    if policy == "min-share":
        return min(range(len(recaps)), key=lambda j: (bool(guard[j].get("extractive_fallback")),
                                                      guard[j].get("unsupported_sentences", 0)
                                                      / max(1, guard[j].get("generated_sentences", 1)), j))
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--cache", type=Path, required=True, help="the candidates, generated when absent")
    ap.add_argument("--model", default=None)
    ap.add_argument("--k", type=int, default=4, help="candidates per event (at most the beam size, 4)")
    ap.add_argument("--show", type=int, default=0, help="print N events min-share changes (seeded sample)")
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()

    events = [e for e in iter_event_lines(args.data) if any(r.strip() for r in e.references)]
    s = load_summarizer(args.model, settings=GenerationSettings(num_beams=4, min_ratio=0.8),
                        words_by_id={e.id: ref_words(e) for e in events}, writer="model", lazy=True)
    plans = [s._plan(e) for e in events]
    if any(len(p.segments) > 1 or p.sections for p in plans):
        raise SystemExit(f"{args.data}: events longer than one model input; this probe handles single inputs only")
    if not args.cache.exists():
        todo = [i for i, p in enumerate(plans) if p.segments]
        outs = generate_candidates(s.loaded, [plans[i].segments[0].text for i in todo], s.settings,
                                   [plans[i].words for i in todo], args.k)
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        args.cache.write_text("".join(json.dumps({"id": events[i].id, "raws": o}) + "\n"
                                      for i, o in zip(todo, outs, strict=True)))
    cands = {r["id"]: r["raws"] for r in map(json.loads, args.cache.read_text().splitlines())}
    guarded = [[s._finish(p, raw) for raw in cands.get(e.id, [""])] for p, e in zip(plans, events, strict=True)]
    if args.show:
        changed = [(e, rs, choose("min-share", rs)) for e, rs in zip(events, guarded, strict=True)]
        changed = [c for c in changed if c[2]]
        for e, rs, j in random.Random(args.seed).sample(changed, min(args.show, len(changed))):
            before = {c.text for c in rs[0].sentences if not c.replaced}
            print(f"=== {e.id} (candidate {j + 1})")
            for p in e.posts:
                print(f"  {p.author or '?'}: {p.text}")
            for c in rs[j].sentences:
                if not c.replaced and c.text not in before:
                    print(f"  -> {c.text}")
        return
    rouge = load_rouge()
    refs = [[r for r in e.references if r.strip()] for e in events]
    print(f"{args.data}: {len(events)} events, {args.k} candidates each")
    for policy in POLICIES:
        picks = [rs[choose(policy, rs)] for rs in guarded]
        out = rouge.compute(predictions=[r.recap for r in picks], references=refs, bootstrap=1000, seed=0,
                            rouge_types=["rouge1", "rouge2"])
        ci = out["rouge2"]["fmeasure_ci"]
        g = [r.stats.get("guard", {}) for r in picks]
        print(f"  {policy:<12} R-1 {100 * out['rouge1']['fmeasure']:.2f}  R-2 {100 * out['rouge2']['fmeasure']:.2f} "
              f"[{100 * ci[0]:.2f}, {100 * ci[1]:.2f}]  fallbacks {sum(bool(x.get('extractive_fallback')) for x in g)}"
              f"  rejected {sum(x.get('unsupported_sentences', 0) for x in g)}"
              f"  changed {sum(choose(policy, rs) != 0 for rs in guarded)}")


if __name__ == "__main__":
    main()
