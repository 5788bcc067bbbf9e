#!/usr/bin/env python
"""Does telling the model who "I" and "you" are help it say who did what? (a probe; nothing here ships)

    python scripts/perspective_probe.py ../shared/data/samsum/dev.jsonl --labels eval/labels/samsum-dev-who-did-what.jsonl \
        --cache runs/ps/samsum-dev.jsonl
    python scripts/who_did_what.py sheet ../shared/data/samsum/dev.jsonl --cache runs/ps/samsum-dev.jsonl \
        --events-of eval/labels/samsum-dev-who-did-what.jsonl --rows runs/ps/rows.jsonl   # label what is new
    python scripts/guard_ablation.py runs/ps/samsum-dev-events.jsonl --cache runs/ps/samsum-dev.jsonl --variants guard

The model's chat recaps name the wrong person in a third of their sentences (`scripts/who_did_what.py`): a chat
says "i can bring you my red velvet dress", and which of the two "i" is, the model has to work out from the author
tag before it. Dialogue summarizers have been helped by a perspective shift of the input (the speaker's first person
rewritten into their name). This probe rewrites only the model's *input* — "Louisa: Louisa can bring Thelma
Louisa's red velvet dress" — for the shipped weights, trained on the untouched chats, and caches the raw generations
of the labelled events so that `who_did_what.py sheet` can list them for labelling against the same chats (the
guard still reads the original posts).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_FIRST = [(r"\bi\s*['’]?\s*m\b|\bi am\b", "{s} is"), (r"\bi\s*['’]\s*ll\b|\bi will\b", "{s} will"),
          (r"\bi\s*['’]\s*ve\b|\bi have\b", "{s} has"), (r"\bi\s*['’]\s*d\b", "{s} would"), (r"\bi was\b", "{s} was"),
          (r"\bmy\b|\bmine\b", "{s}'s"), (r"\bme\b|\bmyself\b|\bi\b", "{s}")]
_SECOND = [(r"\byou\s*['’]\s*re\b|\byou are\b|\bu r\b", "{l} is"), (r"\byou\s*['’]\s*ll\b", "{l} will"),
           (r"\byou\s*['’]\s*ve\b", "{l} has"), (r"\byour\b|\bur\b|\byours\b", "{l}'s"),
           (r"\byou\b|\bu\b|\byourself\b", "{l}")]


def third_person(text: str, speaker: str, listener: str | None) -> str:
    """`text` with the speaker's first person (and, with one listener, the second person) replaced by names."""
    for pattern, repl in _FIRST + (_SECOND if listener else []):
        text = re.sub(pattern, repl.format(s=speaker, l=listener or ""), text, flags=re.I)
    return text


def shifted(posts):
    authors = sorted({p.author for p in posts if p.author})
    out = []
    for p in posts:
        if not p.author:
            out.append(p)
            continue
        others = [a for a in authors if a != p.author]
        listener = others[0] if len(others) == 1 else None
        out.append(replace(p, clean_text=third_person(p.display_text, p.author, listener)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--labels", type=Path, required=True, help="generate for the events of this label file")
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()

    import summarizer.recap as recap_mod
    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.faithfulness import stream_kind
    from summarizer.modeling import GenerationSettings

    ids = {json.loads(line)["id"] for line in args.labels.read_text().splitlines() if line.strip()}
    events = [e for e in iter_event_lines(args.data) if e.id in ids]
    real_build = recap_mod.build_input

    def build_shifted(prepared, *a, posts=None, **kw):
        source = list(prepared.posts if posts is None else posts)
        if stream_kind(prepared.posts) == "conversation":
            source = shifted(source)
        return real_build(replace(prepared, posts=source), *a, **kw)

    recap_mod.build_input = build_shifted  # the model input only; the guard reads the original posts
    s = recap_mod.load_summarizer(args.model, settings=GenerationSettings(num_beams=4, min_ratio=0.8),
                                  words_by_id={e.id: ref_words(e) for e in events}, writer="model")
    recaps = s.summarize_many(events)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    args.cache.write_text("".join(json.dumps({"id": e.id, "raw": r.raw}) + "\n"
                                  for e, r in zip(events, recaps, strict=True)))
    subset = args.cache.with_name(args.cache.stem + "-events.jsonl")  # the events alone, for guard_ablation.py
    subset.write_text("".join(line for line in args.data.read_text().splitlines(keepends=True)
                              if line.strip() and json.loads(line)["id"] in ids))
    print(f"{len(events)} events: raw generations in {args.cache}, the events in {subset}")


if __name__ == "__main__":
    main()
