#!/usr/bin/env python
"""Generate a model's recaps of the hand-labelled events, for labelling what is new (who did what; a probe).

    python scripts/perspective_probe.py ../shared/data/samsum/dev.jsonl --labels eval/labels/samsum-dev-who-did-what.jsonl \
        --view third_person --cache runs/ps/samsum-dev.jsonl          # the shipped weights, shifted input
    python scripts/perspective_probe.py ../shared/data/samsum/dev.jsonl --labels eval/labels/samsum-dev-who-did-what.jsonl \
        --model runs/view-third_person/final --cache runs/vp/third_person.jsonl   # a model trained on that view
    python scripts/perspective_probe.py ../shared/data/samsum/dev.jsonl --labels eval/labels/samsum-dev-who-did-what.jsonl \
        --dtype int8 --cache runs/i8/samsum-dev.jsonl                    # the shipped weights as the CLI runs them
    python scripts/who_did_what.py sheet ../shared/data/samsum/dev.jsonl --cache runs/ps/samsum-dev.jsonl \
        --events-of eval/labels/samsum-dev-who-did-what.jsonl --rows runs/ps/rows.jsonl   # label what is new
    python scripts/guard_ablation.py runs/ps/samsum-dev-events.jsonl --cache runs/ps/samsum-dev.jsonl --variants guard

The model's chat recaps name the wrong person in a third of their sentences (`scripts/who_did_what.py`): a chat
says "i can bring you my red velvet dress", and which of the two "i" is, the model has to work out from the author
tag before it. Dialogue summarizers have been helped by a perspective shift of the input (`summarizer.perspective`:
"Louisa: Louisa can bring Thelma Louisa's red velvet dress"). This generates a model's raw recaps of the labelled
events — with its own speaker view, or `--view` instead — so that `who_did_what.py sheet --events-of` can list
them for labelling against the same chats (the guard reads the posts as written), and writes the events alone
beside the cache (`*-events.jsonl`) for `guard_ablation.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from summarizer.perspective import SPEAKER_VIEWS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--labels", type=Path, required=True, help="generate for the events of this label file")
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--model", default=None)
    ap.add_argument("--view", choices=SPEAKER_VIEWS, help="read the chats this way (default: as the model was trained)")
    ap.add_argument("--dtype", default="float32", help="as `recap summarize --dtype` (auto, float32, bfloat16, int8)")
    args = ap.parse_args()

    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.modeling import GenerationSettings
    from summarizer.recap import load_summarizer

    ids = {json.loads(line)["id"] for line in args.labels.read_text().splitlines() if line.strip()}
    events = [e for e in iter_event_lines(args.data) if e.id in ids]
    s = load_summarizer(args.model, dtype=args.dtype, settings=GenerationSettings(num_beams=4, min_ratio=0.8),
                        words_by_id={e.id: ref_words(e) for e in events}, writer="model")
    if args.view:
        s.loaded.extra["speaker_view"] = args.view
    recaps = s.summarize_many(events)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    args.cache.write_text("".join(json.dumps({"id": e.id, "raw": r.raw}) + "\n"
                                  for e, r in zip(events, recaps, strict=True)))
    subset = args.cache.with_name(args.cache.stem + "-events.jsonl")  # the events alone, for guard_ablation.py
    subset.write_text("".join(line for line in args.data.read_text().splitlines(keepends=True)
                              if line.strip() and json.loads(line)["id"] in ids))
    print(f"{len(events)} events ({s.loaded.speaker_view} view): raw generations in {args.cache}, the events in "
          f"{subset}")


if __name__ == "__main__":
    main()
