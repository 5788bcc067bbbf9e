#!/usr/bin/env python
"""Does the model know *who*? The reference against its wrong-person versions, teacher-forced.

    python scripts/name_choice_probe.py --model models/recap-minilm --data ../shared/data/samsum/dev.jsonl --n 400

The hand labels (`scripts/who_did_what.py`) say a quarter of the chat sentences the guard keeps name the wrong
person, but labelling is slow, so a training change aimed at that error needs a quick automatic reading first.
This one scores each chat's reference and its wrong-person versions (`trainloop.swapped`: two named participants
exchanged, or one replaced by a participant it does not name) with the model, given the chat as the model sees it,
and reports how often the reference is the more probable (`trainloop.pair_margins`, the quantity the contrast
term of `loss_fn` trains). It measures knowledge, not decoding: a model can prefer the right version here and
still write a wrong one after its own earlier mistakes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> None:
    import torch
    from trainloop import collate, pair_margins, swapped

    from summarizer.eventio import iter_event_lines
    from summarizer.inputs import build_input, tokenizer_counter
    from summarizer.pipeline import prepare

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/recap-minilm")
    ap.add_argument("--data", default="../shared/data/samsum/dev.jsonl")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--max-source-tokens", type=int, default=384)
    ap.add_argument("--json", default=None, help="also write the per-position rows here")
    args = ap.parse_args()
    from transformers import AutoTokenizer, EncoderDecoderModel

    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = EncoderDecoderModel.from_pretrained(args.model, dtype=torch.float32, use_safetensors=True).eval()
    count = tokenizer_counter(tok)
    rows = []
    for ev in list(iter_event_lines(args.data, skip_bad=True))[: args.n]:
        prepared = prepare(ev)
        authors = sorted({p.author for p in prepared.posts if p.author})
        target = " ".join(ev.references[0].split()) if ev.references else ""
        variants = swapped(target, authors)
        if not variants:
            continue
        src = build_input(prepared, len(target.split()), args.max_source_tokens, count).text
        src_ids = tok(src, truncation=True, max_length=args.max_source_tokens)["input_ids"]

        def ids(text: str) -> list[int]:
            return [tok.cls_token_id] + tok(text, add_special_tokens=False)["input_ids"][:95] + [tok.sep_token_id]

        batch = collate([{"src": src_ids, "tgt": ids(target), "neg": ids(v)} for v in variants])
        with torch.no_grad():
            margins = pair_margins(model, batch)
        rows.append({"id": ev.id, "n_authors": len(authors), "margins": [round(float(m), 3) for m in margins]})
    pair = np.array([m > 0 for r in rows for m in r["margins"]])
    best = np.array([min(r["margins"]) > 0 for r in rows])
    margin = np.array([m for r in rows for m in r["margins"]])
    two = np.array([r["n_authors"] == 2 for r in rows])
    print(f"{len(rows)} chats with a wrong-person version of the reference, {len(pair)} versions: the reference "
          f"scores higher in {pair.mean():.3f} of pairs, above all its versions in {best.mean():.3f} of chats "
          f"(two-person {best[two].mean():.3f}, more {best[~two].mean():.3f}); median margin "
          f"{np.median(margin):.2f} nats")
    if args.json:
        Path(args.json).write_text("\n".join(json.dumps(r) for r in rows) + "\n")


if __name__ == "__main__":
    main()
