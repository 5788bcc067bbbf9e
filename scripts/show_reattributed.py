#!/usr/bin/env python
"""List the sentences the attribution fixes changed in an eval run (a subject traced to its speaker, a participant
listed twice completed by the unnamed author), to read them against the posts.

    python scripts/show_reattributed.py runs/eval/samsum-test ../shared/data/samsum/test.jsonl [--sample 14 --seed 0]
    python scripts/show_reattributed.py runs/eval12/samsum-test ../shared/data/samsum/test.jsonl --kind list

Reads each recap's JSON under RUN/systems/model_*/ (written by `recap eval`), prints the model's sentence, the
rewritten one, the post it was traced to and the event's first reference; with --sample, a random draw of them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.faithfulness import doubled_name  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("data", type=Path)
    ap.add_argument("--sample", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kind", choices=["all", "subject", "list"], default="all",
                    help="subject: traced to its speaker; list: a participant listed twice, completed")
    args = ap.parse_args()
    events = {e.id: e for e in iter_event_lines(args.data, skip_bad=True)}
    rows, recaps = [], 0
    for f in sorted(args.run.glob("systems/model_*/*.json")):
        d = json.loads(f.read_text())
        recaps += 1
        ev = events.get(d["id"])
        for s in d["sentences"]:
            if s.get("reattributed_from") and ev:
                posts = {p.id: p for p in ev.posts}
                post = posts.get(s["support"][0]) if s["support"] else None
                rows.append((d["id"], s["reattributed_from"], s["text"],
                             f"{post.author}: {post.text}" if post else "?", ev.references[0]))
    lists = sum(1 for r in rows if doubled_name(r[1]))
    print(f"{len(rows)} reattributed sentences in {recaps} recaps ({lists} lists completed, "
          f"{len(rows) - lists} subjects traced)")
    if args.kind != "all":
        rows = [r for r in rows if bool(doubled_name(r[1])) == (args.kind == "list")]
    if args.sample is not None:
        rows = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
    for i, (eid, was, now, post, ref) in enumerate(rows, 1):
        print(f"\n{i}. {eid}\n   model: {was}\n   fixed: {now}\n   post:  {post}\n   ref:   {ref}")


if __name__ == "__main__":
    main()
