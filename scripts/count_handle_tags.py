#!/usr/bin/env python
"""How many extractive-recap sentences the handle-tag rule touches, per event JSONL file.

    python scripts/count_handle_tags.py ../shared/data/goal/dev.jsonl ../shared/data/background/dev.jsonl ...

`recap._untagged` drops a hashtag glued to a handle mid-sentence ("Councillor @MayaOkafor #TransitFuture opens").
Each event is prepared as at inference and cut into sentences as the extractive recap cuts it; a file where no
sentence matches cannot have moved on any score.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    from summarizer.eventio import iter_event_lines
    from summarizer.pipeline import prepare
    from summarizer.postprocess import split_sentences
    from summarizer.recap import _HANDLE_TAGS

    for path in args.files:
        sentences = touched = events = 0
        for event in iter_event_lines(path):
            cut = [s for p in prepare(event).posts for s in split_sentences(p.display_text)]
            sentences += len(cut)
            n = sum(1 for s in cut if _HANDLE_TAGS.search(s))
            touched += n
            events += n > 0
        print(f"{path}: {sentences} sentences, {touched} touched, in {events} events")


if __name__ == "__main__":
    main()
