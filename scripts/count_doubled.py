#!/usr/bin/env python
"""Count reference sentences that list one name twice, the pattern the guard treats as a decoding failure.

    python scripts/count_doubled.py ../shared/data/{samsum,dialogsum,tweetsumm,background,goal}/train.jsonl

Why: `faithfulness.doubled_name` rejects (and `attribution.complete_list` mends) "Tina and Tina keep talking"; how
often human summaries write the same pattern says what the rule costs on good text. Prints each match and the total.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.faithfulness import doubled_name  # noqa: E402
from summarizer.postprocess import split_sentences  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, nargs="+", help="event JSONL files; every reference of every event is read")
    args = ap.parse_args()
    total = hits = 0
    for path in args.data:
        for event in iter_event_lines(path, skip_bad=True):
            for ref in event.references:
                for sentence in split_sentences(" ".join(ref.split())):
                    total += 1
                    if name := doubled_name(sentence):
                        hits += 1
                        print(f"{path.parent.name}\t{name}\t{sentence}")
    print(f"{hits} of {total} reference sentences list a name twice")


if __name__ == "__main__":
    main()
