#!/usr/bin/env python
"""Count reference sentences with the patterns the guard treats as decoding failures: one name twice in a list
("Tina and Tina keep talking") or on both sides of one clause ("Martha owes Martha 100 quid").

    python scripts/count_doubled.py ../shared/data/{samsum,dialogsum,tweetsumm,background,goal}/train.jsonl

Why: `faithfulness.doubled_name` rejects (and `attribution.complete_list` mends) the first, `self_relation` rejects
the second; how often human summaries write them says what the rules cost on good text. Prints each match, totals.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.faithfulness import doubled_name, self_relation  # noqa: E402
from summarizer.postprocess import split_sentences  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, nargs="+", help="event JSONL files; every reference of every event is read")
    args = ap.parse_args()
    total = hits = selfs = 0
    for path in args.data:
        for event in iter_event_lines(path, skip_bad=True):
            for ref in event.references:
                for sentence in split_sentences(" ".join(ref.split())):
                    total += 1
                    if name := doubled_name(sentence):
                        hits += 1
                        print(f"{path.parent.name}\tdoubled\t{name}\t{sentence}")
                    elif name := self_relation(sentence, {p.author.lower() for p in event.posts if p.author}):
                        selfs += 1
                        print(f"{path.parent.name}\tself\t{name}\t{sentence}")
    print(f"{hits} of {total} reference sentences list a name twice; {selfs} more put one on both sides of a clause")


if __name__ == "__main__":
    main()
