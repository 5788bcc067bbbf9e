#!/usr/bin/env python
"""Does the seq2seq model know which sentences of a one-voice stream belong in its recap?

    python scripts/model_salience_probe.py DATA.jsonl --cache runs/ms/SET.jsonl [--limit N]

The model writes word salad on broadcast streams (model card, "Broadcast streams"), so they get the extractive
recap, ranked by the learned salience. Scoring is not writing, though: this probe asks the model how likely each
candidate sentence is as the recap of the event (mean token log-probability of the sentence as the target, the
event's model input as the source; `cond`), and how likely with the posts left out of the source (`prior`: only the
length bucket and title), so `cond - prior` is what the posts add (`pmi`). Each event's per-sentence scores are
cached (the costly part); the extractive recap (`--words ref` budgets) is then built with each ranking and scored
with stemmed ROUGE-2 F1 against the best reference, paired against the shipped ranking.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sentence_logprobs(loaded, source: str, sentences: list[str], batch: int = 48) -> np.ndarray:
    """Mean log-probability of each sentence's tokens as the target given `source` (one encoder pass)."""
    import torch
    from transformers.modeling_outputs import BaseModelOutput

    tok, model = loaded.tokenizer, loaded.model
    enc = tok([source], truncation=True, max_length=loaded.max_source_tokens, return_tensors="pt")
    out = np.zeros(len(sentences))
    with torch.inference_mode():
        hidden = model.get_encoder()(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])[0]
        for start in range(0, len(sentences), batch):
            chunk = sentences[start:start + batch]
            ids = tok(chunk, add_special_tokens=False, truncation=True, max_length=63)["input_ids"]
            width = max(len(x) for x in ids) + 1
            dec = torch.zeros((len(chunk), width), dtype=torch.long)
            lab = torch.full((len(chunk), width), -100, dtype=torch.long)
            for i, x in enumerate(ids):
                dec[i, 0] = tok.cls_token_id
                dec[i, 1:len(x) + 1] = torch.as_tensor(x)
                lab[i, :len(x)] = torch.as_tensor(x)
            dec = dec[:, :-1]
            lab = lab[:, :-1]
            logits = model(encoder_outputs=BaseModelOutput(last_hidden_state=hidden.expand(len(chunk), -1, -1)),
                           attention_mask=enc["attention_mask"].expand(len(chunk), -1),
                           decoder_input_ids=dec, decoder_attention_mask=(lab != -100).long()).logits.float()
            lp = torch.log_softmax(logits, -1).gather(-1, lab.clamp(min=0).unsqueeze(-1)).squeeze(-1)
            mask = (lab != -100).float()
            out[start:start + len(chunk)] = ((lp * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--model", default=None)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--skip", type=int, default=0)
    args = ap.parse_args()

    from rouge_score import rouge_scorer
    from train_salience import paired  # the same paired bootstrap as the salience's cross-validation

    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.inputs import SEP, build_input, context_line, length_bucket
    from summarizer.learned_salience import _unit_scale
    from summarizer.pipeline import prepare
    from summarizer.postprocess import join_sentences
    from summarizer.recap import extract_ranking, extractive_fallback, fallback_units, load_summarizer

    summ = load_summarizer(args.model)
    loaded = summ.loaded
    cache: dict[str, dict] = {}
    if args.cache.exists():
        cache = {r["id"]: r for r in map(json.loads, args.cache.read_text().splitlines())}
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)

    events = [e for e in iter_event_lines(args.data) if any(r.strip() for r in e.references)]
    events = events[args.skip:][:args.limit] if args.limit else events[args.skip:]
    rows: dict[str, list[float]] = {}
    with args.cache.open("a") as fh:
        for n, event in enumerate(events):
            prepared = prepare(event)
            words = ref_words(event)
            units, positions = fallback_units(prepared.posts)
            if not units or extract_ranking(prepared.posts, loaded.salience) != "learned":
                continue
            texts = [u.display_text for u in units]
            if event.id not in cache:
                source = build_input(prepared, words, loaded.max_source_tokens, loaded.count_tokens).text
                prior = length_bucket(words) + SEP + context_line(prepared)
                cache[event.id] = {"id": event.id, "texts": texts,
                                   "cond": sentence_logprobs(loaded, source, texts).round(4).tolist(),
                                   "prior": sentence_logprobs(loaded, prior, texts).round(4).tolist()}
                fh.write(json.dumps(cache[event.id]) + "\n")
                fh.flush()
            c = cache[event.id]
            assert c["texts"] == texts, event.id
            cond, prior = np.asarray(c["cond"]), np.asarray(c["prior"])
            shipped = loaded.salience.rank_scores(units, positions)
            variants = {"shipped": shipped, "cond": _unit_scale(cond), "pmi": _unit_scale(cond - prior),
                        "shipped+cond": 0.5 * shipped + 0.5 * _unit_scale(cond),
                        "shipped+pmi": 0.5 * shipped + 0.5 * _unit_scale(cond - prior)}
            for name, scores in variants.items():
                ranker = _Fixed(scores)
                text = join_sentences(s.text for s in extractive_fallback(prepared.posts, words, ranker=ranker))
                r2 = 100 * max(scorer.score(r, text)["rouge2"].fmeasure for r in event.references if r.strip())
                rows.setdefault(name, []).append(r2)
            if n % 20 == 0:
                print(f"{n + 1}/{len(events)} " + " ".join(f"{k} {np.mean(v):.2f}" for k, v in rows.items()),
                      file=sys.stderr, flush=True)
    base = np.asarray(rows["shipped"])
    print(f"{args.data} ({len(base)} events), R-2 F1, Δ vs shipped [95% CI]")
    for name, v in rows.items():
        v = np.asarray(v)
        print(f"  {name:14s} {v.mean():6.2f}  {paired(v, base)}")


class _Fixed:
    """A ranker whose scores were computed beforehand (the units are the same ones `extractive_fallback` makes)."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores

    def rank_scores(self, units, positions) -> np.ndarray:
        assert len(units) == len(self.scores)
        return self.scores


if __name__ == "__main__":
    main()
