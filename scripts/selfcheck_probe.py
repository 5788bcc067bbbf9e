#!/usr/bin/env python
"""Does the model repeat its true sentences more often than its false ones? A SelfCheck-style probe.

SelfCheckGPT (Manakul et al., 2023) flags a generated sentence as likely false when sampled generations for the
same input do not say it again. Here: for each hand-labelled chat (`eval/labels/samsum-dev-who-did-what*.jsonl`),
draw `--samples` recaps from the shipped model (nucleus sampling, top-p 0.9, temperature 1, the input the recap
was written from), then score each labelled sentence the guard keeps by

  words     the share of its content words found in the most similar sentence of a sample, averaged over samples
  name      the same, counting only sample sentences that name the participant it names (who did it)
  margin    `name` for its participant minus the best `name` for any other participant of the chat

and print ROC AUC for "wrong person" and "any error" (lower score = flagged), and what a threshold on `words`,
chosen on the first half of the chats, removes in the second half.

    python scripts/selfcheck_probe.py --samples runs/selfcheck/samples.json   # draws (≈4 min on 2 cores), scores
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

LABELS = [f"eval/labels/samsum-dev-who-did-what{s}.jsonl" for s in ("", "-s19", "-s6-blind", "-s21-blind")]
def draw(data: Path, cache: Path, labels: list[str], n: int, seed: int) -> dict:
    """The labelled sentences the guard keeps or rejects, and `n` sampled recaps of each of their chats."""
    import torch
    from verifier_probe import read_labels
    from who_did_what import decisions

    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.modeling import GenerationSettings
    from summarizer.recap import load_summarizer

    lab = {(r["id"], r["sentence"]): r["label"] for r in read_labels(labels)}
    ids = sorted({i for i, _ in lab})
    rows = [(e.id, sent, dec, lab[(e.id, sent)]) for e, _, decs in decisions(data, cache, ids, 0, 0, None)
            for sent, dec, _ in decs if (e.id, sent) in lab]
    events = {e.id: e for e in iter_event_lines(data) if e.id in set(ids)}
    s = load_summarizer(None, settings=GenerationSettings(num_beams=4, min_ratio=0.8),
                        words_by_id={i: ref_words(e) for i, e in events.items()}, writer="model")
    tok, model = s.loaded.tokenizer, s.loaded.model
    torch.manual_seed(seed)
    samples, authors = {}, {}
    for eid in sorted({r[0] for r in rows}):
        plan = s._plan(events[eid])
        authors[eid] = sorted({p.author.lower() for p in plan.prepared.posts if p.author})
        enc = tok([plan.segments[0].text], truncation=True, max_length=s.loaded.max_source_tokens,
                  return_tensors="pt")
        enc.pop("token_type_ids", None)
        with torch.inference_mode():
            out = model.generate(**enc, num_beams=1, do_sample=True, top_p=0.9, temperature=1.0,
                                 num_return_sequences=n, max_new_tokens=int(plan.words * 1.6) + 8,
                                 no_repeat_ngram_size=3)
        samples[eid] = tok.batch_decode(out, skip_special_tokens=True)
    return {"rows": rows, "samples": samples, "authors": authors}


def scores(sentence: str, samples: list[str], names: list[str]) -> tuple[float, float, float]:
    """(words, name, margin) of one sentence against the sampled recaps (see the module docstring); words are the
    guard's content words (`faithfulness.content_words`), the participants' names counted apart."""
    from summarizer.faithfulness import content_words
    from summarizer.postprocess import split_sentences

    said = set(content_words(sentence))
    content = said - set(names) or said
    sampled = [[set(content_words(x)) for x in split_sentences(t)] for t in samples]

    def support(name: str | None) -> float:
        return float(np.mean([max([len(content & t) / len(content) for t in sents if name is None or name in t]
                                  or [0.0]) for sents in sampled]))

    mine = [n for n in names if n in said]
    if not mine:
        return support(None), float("nan"), float("nan")
    own = float(np.mean([support(n) for n in mine]))
    others = [support(n) for n in names if n not in mine]
    return support(None), own, own - (max(others) if others else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/samsum/dev.jsonl")
    ap.add_argument("--cache", type=Path, default=ROOT / "runs/ga15/samsum-dev.jsonl",
                    help="the shipped model's raw generations (scripts/guard_ablation.py --cache)")
    ap.add_argument("--labels", nargs="+", default=[str(ROOT / p) for p in LABELS])
    ap.add_argument("--samples", type=Path, required=True, help="sampled recaps; drawn when the file is missing")
    ap.add_argument("-n", type=int, default=10, help="samples per chat")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from verifier_probe import _auc

    if not args.samples.exists():
        args.samples.parent.mkdir(parents=True, exist_ok=True)
        args.samples.write_text(json.dumps(draw(args.data, args.cache, args.labels, args.n, args.seed)))
    d = json.loads(args.samples.read_text())
    rows = [r for r in d["rows"] if r[2] == "kept"]
    x = np.array([scores(sent, d["samples"][eid], d["authors"][eid]) for eid, sent, _, _ in rows])
    lab = np.array([r[3] for r in rows])
    chats = sorted({r[0] for r in rows})
    print(f"{len(rows)} labelled sentences the guard keeps in {len(chats)} chats: {(lab != 'ok').sum()} wrong, "
          f"{(lab == 'actor').sum()} of them the wrong person; {len(d['samples'][chats[0]])} samples per chat")
    for j, name in enumerate(("words", "name", "margin")):
        m = ~np.isnan(x[:, j])
        print(f"  {name:<7} ({m.sum()} sentences) AUC wrong-person {_auc((lab == 'actor')[m], -x[m, j]):.3f}, "
              f"any error {_auc((lab != 'ok')[m], -x[m, j]):.3f}")
    first = np.array([r[0] in set(chats[: len(chats) // 2]) for r in rows])
    wrong = lab != "ok"
    for t in (0.15, 0.2, 0.25, 0.3):
        a, b = first & (x[:, 0] < t), ~first & (x[:, 0] < t)
        print(f"  words < {t}: first half removes {a.sum()} ({(a & wrong).sum()} wrong), second half {b.sum()} "
              f"({(b & wrong).sum()} wrong, {(b & (lab == 'actor')).sum()} wrong-person) of "
              f"{(~first).sum()} kept ({(~first & wrong).sum()} wrong)")


if __name__ == "__main__":
    main()
