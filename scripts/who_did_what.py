#!/usr/bin/env python
"""Who did what: a hand-labelled check of the model's sentences on conversations, and of what the guard does.

Names and numbers in a recap can all come from the chat while the sentence still says the wrong person did it
("Hannah will text Betty." when Betty is to text Larry). The faithfulness share counts names, not roles, so this
is measured by hand:

    python scripts/guard_ablation.py ../shared/data/samsum/dev.jsonl --cache runs/ga/samsum-dev.jsonl --variants guard
    python scripts/who_did_what.py sheet ../shared/data/samsum/dev.jsonl --cache runs/ga/samsum-dev.jsonl \
        --n 40 --seed 17 --rows runs/wdw/rows.jsonl > runs/wdw/sheet.txt   # the chats and the model's sentences
    python scripts/who_did_what.py score eval/labels/samsum-dev-who-did-what.jsonl ../shared/data/samsum/dev.jsonl \
        --cache runs/ga/samsum-dev.jsonl

    python scripts/who_did_what.py blind ../shared/data/samsum/dev.jsonl --cache runs/ga/samsum-dev.jsonl \
        --cache-b runs/s6b/ga-samsum-dev.jsonl --model-b runs/s6b/final --exclude eval/labels/*.jsonl \
        --rows runs/wdw/pair.jsonl > runs/wdw/pair.txt           # two models on the same fresh chats, unattributed

`sheet` re-guards the cached raw generations (`scripts/guard_ablation.py --cache` writes them; nothing is
generated) for a seeded sample of events and prints each chat with every sentence the model wrote (after the
guard's fixes: a mended doubled name, a reattributed subject) and what the guard did with it: `kept`, `rejected`
(with its reasons) or `fallback` (the whole recap was replaced by extraction). It also writes the label file's rows
(`id`, `sentence`, `"label": null`). A person fills each label in from the chat:

  ok      the sentence is true of the chat (a vague or incomplete sentence is ok if nothing in it is false)
  actor   a person is wrong: the subject or the object of the act is someone else (who did what to whom)
  other   false in another way: the wrong act, thing, place or time, or nonsense

`score` re-guards the labelled events with the current code (so a guard change is measured on the same labels; a
sentence the current code writes that has no label stops it) and prints, with 95% bootstrap CIs over events: how many of the sentences a reader sees (`kept`) are wrong, by
kind; the guard's recall (of the wrong sentences, the share it rejected or dropped by falling back) and precision
(of the rejected sentences, the share that were wrong).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LABELS = ("ok", "actor", "other")


def decisions(data: Path, cache: Path, ids: list[str] | None, n: int, seed: int, model: str | None,
              exclude: frozenset[str] = frozenset()):
    """(event, its prepared posts, [(sentence, guard decision, reasons)]) for the events `ids` (or a seeded sample
    of `n` not in `exclude`), re-guarding the cached raw generations with the current code."""
    import summarizer.recap as recap_mod
    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.modeling import GenerationSettings

    cached = {r["id"]: r["raw"] for r in map(json.loads, cache.read_text().splitlines())}
    events = [e for e in iter_event_lines(data) if e.id in cached]
    if ids is None:
        events = [e for e in events if e.id not in exclude]
        events = random.Random(seed).sample(events, min(n, len(events)))
    else:
        by_id = {e.id: e for e in events}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise SystemExit(f"{cache}: no cached generation for {', '.join(missing[:5])}")
        events = [by_id[i] for i in ids]
    s = recap_mod.load_summarizer(model, settings=GenerationSettings(num_beams=4, min_ratio=0.8),
                                  words_by_id={e.id: ref_words(e) for e in events}, writer="model", lazy=True)
    checked: list = []
    real_check = recap_mod.check

    def recording_check(sentences, index, *rest):
        report = real_check(sentences, index, *rest)
        checked.extend(report.sentences)
        return report

    recap_mod.check = recording_check
    try:
        for e in events:
            checked.clear()
            plan = s._plan(e)
            fallback = s._finish(plan, cached[e.id]).stats["guard"]["extractive_fallback"]
            yield e, plan.prepared.posts, [
                (c.text, "rejected" if c.unsupported else "fallback" if fallback else "kept", c.unsupported)
                for c in checked]
    finally:
        recap_mod.check = real_check


def _read_labels(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _variant(name: str) -> None:
    import guard_ablation

    guard_ablation.variant(name)


def flagged(args, exclude: frozenset[str]):
    """`decisions` narrowed to the sentences that `args.flagged_by` rejects and `args.flagged_base` keeps: what a
    candidate guard rule would newly remove, for labelling it on chats it was not tuned on. A seeded sample of
    `args.n` such sentences, over every event not in `exclude`."""
    everything = 1 << 30
    _variant(args.flagged_base)
    kept = {(e.id, t) for e, _, ss in decisions(args.data, args.cache, None, everything, 0, args.model, exclude)
            for t, g, _ in ss if g == "kept"}
    _variant(args.flagged_by)
    found = [(e, posts, [x for x in ss if x[1] == "rejected" and (e.id, x[0]) in kept])
             for e, posts, ss in decisions(args.data, args.cache, None, everything, 0, args.model, exclude)]
    pairs = [(i, j) for i, (_, _, ss) in enumerate(found) for j in range(len(ss))]
    chosen = set(random.Random(args.seed).sample(pairs, min(args.n, len(pairs))))
    print(f"{len(pairs)} sentences {args.flagged_by} rejects and {args.flagged_base} keeps; {len(chosen)} shown",
          file=sys.stderr)
    for i, (e, posts, ss) in enumerate(found):
        if picked := [x for j, x in enumerate(ss) if (i, j) in chosen]:
            yield e, posts, picked


def sheet(args) -> None:
    rows = []
    exclude = frozenset(r["id"] for f in args.exclude for r in _read_labels(f))
    known = {(r["id"], r["sentence"]): r["label"] for r in _read_labels(args.events_of)} if args.events_of else {}
    ids = list(dict.fromkeys(i for i, _ in known)) if args.events_of else None
    chosen = flagged(args, exclude) if args.flagged_by else \
        decisions(args.data, args.cache, ids, args.n, args.seed, args.model, exclude)
    for e, posts, sentences in chosen:
        print(f"=== {e.id}")
        for p in posts:
            print(f"  {p.author or '?'}: {p.display_text}")
        for text, guard, why in sentences:
            label = known.get((e.id, text))
            print(f"  -> [{guard}{' ' + '; '.join(why) if why else ''}]{f' (labelled {label})' if label else ''} {text}")
            rows.append({"id": e.id, "sentence": text, "label": label})
        print()
    if args.rows:
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text("".join(json.dumps(r) + "\n" for r in rows))


def blind(args) -> None:
    """Two models' sentences on the same fresh chats, pooled, deduplicated and shuffled, with neither the model nor
    the guard's decision shown: labelled so, one file scores both (`score LABELS DATA --cache A --model A`, then B),
    and the labeller cannot favour either."""
    exclude = frozenset(r["id"] for f in args.exclude for r in _read_labels(f))
    first = list(decisions(args.data, args.cache, None, args.n, args.seed, args.model, exclude))
    ids = [e.id for e, _, _ in first]
    second = {e.id: ss for e, _, ss in decisions(args.data, args.cache_b, ids, 0, 0, args.model_b)}
    rng, rows = random.Random(args.seed), []
    for e, posts, ss in first:
        pooled = list(dict.fromkeys(t for t, _, _ in ss + second[e.id]))
        rng.shuffle(pooled)
        print(f"=== {e.id}")
        for p in posts:
            print(f"  {p.author or '?'}: {p.display_text}")
        for text in pooled:
            print(f"  -> {text}")
            rows.append({"id": e.id, "sentence": text, "label": None})
        print()
    args.rows.parent.mkdir(parents=True, exist_ok=True)
    args.rows.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _ci(values_by_event: list[tuple[float, float]], n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Ratio of sums (numerator, denominator per event) with a bootstrap CI that resamples events."""
    arr = np.asarray(values_by_event, dtype=float)
    if not len(arr) or arr[:, 1].sum() == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n):
        s = arr[rng.integers(0, len(arr), len(arr))]
        if s[:, 1].sum():
            boots.append(s[:, 0].sum() / s[:, 1].sum())
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return arr[:, 0].sum() / arr[:, 1].sum(), float(lo), float(hi)


def score(args) -> None:
    labelled = _read_labels(args.labels)
    labels: dict[tuple[str, str], str] = {}
    for i, r in enumerate(labelled, 1):
        if r.get("label") not in LABELS:
            raise SystemExit(f"{args.labels}:{i}: label {r.get('label')!r} is not one of {', '.join(LABELS)}")
        labels[(r["id"], r["sentence"])] = r["label"]
    ids = list(dict.fromkeys(r["id"] for r in labelled))
    if args.variant != "guard":  # a guard variant of scripts/guard_ablation.py, e.g. without one rule
        _variant(args.variant)
    rows, unlabelled = [], []
    for e, _, sentences in decisions(args.data, args.cache, ids, 0, 0, args.model):
        for text, guard, _ in sentences:
            if (e.id, text) in labels:
                rows.append({"id": e.id, "guard": guard, "label": labels[(e.id, text)]})
            else:
                unlabelled.append(f"{e.id}: {text}")
    if unlabelled and not args.partial:  # the code writes a sentence nobody labelled (a fix rewrote it): label it
        raise SystemExit(f"{len(unlabelled)} sentences the current code writes have no label in {args.labels}:\n  "
                         + "\n  ".join(unlabelled))
    by_event: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_event[r["id"]].append(r)
    events = list(by_event.values())

    def line(name, num, den):
        pairs = [(sum(map(num, ev)), sum(map(den, ev))) for ev in events]  # (numerator, denominator) per event
        value, lo, hi = _ci(pairs)
        n, d = sum(x for x, _ in pairs), sum(y for _, y in pairs)
        print(f"  {name:<52} {n:>3}/{d:<3} {100 * value:5.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]")

    print(f"{args.labels}: {len(rows)} model sentences in {len(events)} events "
          f"({sum(r['guard'] == 'kept' for r in rows)} kept, {sum(r['guard'] == 'rejected' for r in rows)} rejected, "
          f"{sum(r['guard'] == 'fallback' for r in rows)} dropped by a fallback)")
    print("what a reader sees (kept sentences):")
    line("wrong person (actor)", lambda r: r["guard"] == "kept" and r["label"] == "actor", lambda r: r["guard"] == "kept")
    line("false otherwise (other)", lambda r: r["guard"] == "kept" and r["label"] == "other",
         lambda r: r["guard"] == "kept")
    print("what the model wrote (all sentences):")
    line("wrong person (actor)", lambda r: r["label"] == "actor", lambda r: True)
    line("false otherwise (other)", lambda r: r["label"] == "other", lambda r: True)
    print("the guard:")
    line("recall: wrong-person sentences removed", lambda r: r["label"] == "actor" and r["guard"] != "kept",
         lambda r: r["label"] == "actor")
    line("recall: any wrong sentence removed", lambda r: r["label"] != "ok" and r["guard"] != "kept",
         lambda r: r["label"] != "ok")
    line("precision: rejected sentences that were wrong", lambda r: r["guard"] == "rejected" and r["label"] != "ok",
         lambda r: r["guard"] == "rejected")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("sheet", help="print chats and model sentences to label; write unlabelled rows")
    a.add_argument("data", type=Path)
    a.add_argument("--cache", type=Path, required=True, help="raw generations (scripts/guard_ablation.py --cache)")
    a.add_argument("--model", default=None)
    a.add_argument("--n", type=int, default=40)
    a.add_argument("--seed", type=int, default=17)
    a.add_argument("--rows", type=Path, help="write the unlabelled label rows here (JSONL)")
    a.add_argument("--exclude", type=Path, nargs="*", default=[], help="label files whose events to leave out")
    a.add_argument("--events-of", type=Path, help="list this label file's events instead of a sample (e.g. with "
                   "another model's generations); sentences it labels already are shown and written with their label")
    a.add_argument("--flagged-by", metavar="VARIANT", help="list only a seeded sample of --n sentences that this guard "
                   "variant rejects and --flagged-base keeps, over all events (a candidate rule's removals)")
    a.add_argument("--flagged-base", metavar="VARIANT", default="guard", help="see --flagged-by (default: as shipped)")
    c = sub.add_parser("blind", help="two models' sentences on the same fresh chats, pooled and unattributed")
    c.add_argument("data", type=Path)
    c.add_argument("--cache", type=Path, required=True, help="model A's raw generations")
    c.add_argument("--model", default=None, help="model A (default: the shipped model)")
    c.add_argument("--cache-b", type=Path, required=True, help="model B's raw generations")
    c.add_argument("--model-b", default=None, help="model B (default: the shipped model, e.g. for a cache of another dtype)")
    c.add_argument("--n", type=int, default=40)
    c.add_argument("--seed", type=int, default=17)
    c.add_argument("--rows", type=Path, required=True, help="write the unlabelled label rows here (JSONL)")
    c.add_argument("--exclude", type=Path, nargs="*", default=[], help="label files whose events to leave out")
    b = sub.add_parser("score", help="rates from a labelled file, with the current code's guard decisions")
    b.add_argument("labels", type=Path)
    b.add_argument("data", type=Path)
    b.add_argument("--cache", type=Path, required=True)
    b.add_argument("--model", default=None)
    b.add_argument("--variant", default="guard",
                   help="score a guard variant of scripts/guard_ablation.py (e.g. guard-no-opener); default: as shipped")
    b.add_argument("--partial", action="store_true", help="the labels cover some sentences only (a --flagged-by "
                   "sheet): score those, leave the rest out")
    args = ap.parse_args()
    {"sheet": sheet, "blind": blind, "score": score}[args.cmd](args)


if __name__ == "__main__":
    main()
