#!/usr/bin/env python
"""Can a small cross-encoder learn who did what in a chat? A FactCC-style probe (Kryscinski et al., 2020).

    python scripts/verifier_probe.py train --minutes 30 --out runs/verifier        # background, 2 cores
    python scripts/verifier_probe.py score --model runs/verifier/final \
        --labels eval/labels/samsum-dev-who-did-what.jsonl --data ../shared/data/samsum/dev.jsonl
    python scripts/verifier_probe.py swap \
        --labels eval/labels/samsum-dev-who-did-what.jsonl --data ../shared/data/samsum/dev.jsonl

The model's chat recaps name the wrong person in about a third of their sentences (`scripts/who_did_what.py`),
and the rule-based guard removes few of them. This probe fine-tunes all-MiniLM-L6-v2 as a (sentence, chat)
classifier on SAMSum training references: each reference sentence is a positive; negatives are made from it the way
the model errs — a participant swapped for another (or the two exchanged), another participant added as a
co-subject, a name from another chat put in. `score` reports how well its probability separates the hand-labelled
model sentences (ROC AUC, wrong-person vs the rest and any error vs ok) and what a threshold would remove.

`swap` asks the recap model itself instead: for each labelled sentence that names a participant, the sentence's
log-probability (given the event's model input) against the best version with that participant swapped for another;
a sentence that names the wrong person should lose to its swap.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
MAX_LEN = 256


def chat_text(posts) -> str:
    return " | ".join(f"{p.author}: {p.display_text}" if p.author else p.display_text for p in posts)


def corrupt(sentence: str, authors: list[str], strangers: list[str], rng: random.Random) -> str | None:
    """One wrong-person version of a true sentence, or None when none applies."""
    present = [a for a in authors if re.search(rf"\b{re.escape(a)}\b", sentence)]
    absent = [a for a in authors if a not in present]
    if not present:
        return None
    kind = rng.random()
    a = rng.choice(present)
    if kind < 0.45 and absent:  # swapped for another participant
        return re.sub(rf"\b{re.escape(a)}\b", rng.choice(absent), sentence)
    if kind < 0.65 and len(present) >= 2:  # two participants exchanged, unless listed together ("A and B")
        b = next(x for x in present if x != a)
        if re.search(rf"\b(?:{re.escape(a)}|{re.escape(b)})\s*(?:,|and|&)\s*(?:{re.escape(a)}|{re.escape(b)})\b",
                     sentence):
            return None
        return re.sub(rf"\b({re.escape(a)}|{re.escape(b)})\b", lambda m: b if m.group(1) == a else a, sentence)
    if kind < 0.85 and absent and sentence.startswith(a + " ") and not re.match(rf"{re.escape(a)}\s+(?:and|,)",
                                                                               sentence):
        return f"{a} and {rng.choice(absent)}{sentence[len(a):]}"  # a co-subject who did not do it
    if strangers:
        return re.sub(rf"\b{re.escape(a)}\b", rng.choice(strangers), sentence)
    return None


def build(split: str, limit: int | None, rng: random.Random) -> list[tuple[str, str, int]]:
    from summarizer.eventio import iter_event_lines
    from summarizer.pipeline import prepare
    from summarizer.postprocess import split_sentences

    events = list(iter_event_lines(DATA / "samsum" / f"{split}.jsonl"))[:limit]
    all_authors = sorted({p.author for e in events for p in e.posts if p.author})
    out = []
    for e in events:
        posts = prepare(e).posts
        authors = sorted({p.author for p in posts if p.author})
        if len(authors) < 2:
            continue
        chat = chat_text(posts)
        for ref in e.references[:1]:
            for sent in split_sentences(ref):
                out.append((sent, chat, 1))
                if (bad := corrupt(sent, authors, rng.sample(all_authors, 3), rng)) and bad != sent:
                    out.append((bad, chat, 0))
    rng.shuffle(out)
    return out


def train(args) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from summarizer.bert2bert import minilm_path

    torch.set_num_threads(2)
    torch.manual_seed(0)
    rng = random.Random(0)
    path = str(minilm_path())
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2, use_safetensors=True)
    examples = build("train", None, rng)
    dev = build("validation" if (DATA / "samsum/validation.jsonl").exists() else "dev", 400, random.Random(1))
    print(f"{len(examples)} train, {len(dev)} dev pairs", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + 60 * args.minutes
    bs, step, losses = 16, 0, []
    total = min(len(examples) // bs, int(args.minutes * 60 * 1.2))  # linear decay over a rough step estimate
    model.train()
    for start in range(0, len(examples), bs):
        if time.time() > deadline:
            break
        batch = examples[start:start + bs]
        enc = tok([b[0] for b in batch], [b[1] for b in batch], truncation="only_second", max_length=MAX_LEN,
                  padding=True, return_tensors="pt")
        labels = torch.tensor([b[2] for b in batch])
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 100) * max(0.05, 1 - step / max(1, total))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(**enc).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
        step += 1
        if step % 100 == 0:
            print(f"step {step} loss {np.mean(losses[-100:]):.4f} {time.strftime('%H:%M:%S')}", flush=True)
    model.eval()
    probs = predict(model, tok, [(s, c) for s, c, _ in dev])
    y = np.array([lab for *_, lab in dev])
    from sklearn.metrics import roc_auc_score

    print(f"trained {step} steps; synthetic dev AUC {roc_auc_score(y, probs):.3f} "
          f"accuracy {np.mean((probs > 0.5) == y):.3f}", flush=True)
    model.save_pretrained(out / "final")
    tok.save_pretrained(out / "final")


def predict(model, tok, pairs, bs: int = 32) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(pairs), bs):
            chunk = pairs[i:i + bs]
            enc = tok([p[0] for p in chunk], [p[1] for p in chunk], truncation="only_second", max_length=MAX_LEN,
                      padding=True, return_tensors="pt")
            out.append(torch.softmax(model(**enc).logits.float(), -1)[:, 1].numpy())
    return np.concatenate(out) if out else np.zeros(0)


def score(args) -> None:
    from sklearn.metrics import roc_auc_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from summarizer.eventio import iter_event_lines
    from summarizer.pipeline import prepare

    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, use_safetensors=True).eval()
    rows = [json.loads(line) for line in Path(args.labels).read_text().splitlines() if line.strip()]
    ids = {r["id"] for r in rows}
    chats = {e.id: chat_text(prepare(e).posts) for e in iter_event_lines(args.data) if e.id in ids}
    p = predict(model, tok, [(r["sentence"], chats[r["id"]]) for r in rows])
    actor = np.array([r["label"] == "actor" for r in rows])
    wrong = np.array([r["label"] != "ok" for r in rows])
    print(f"{len(rows)} labelled sentences: AUC wrong-person vs rest {roc_auc_score(actor, -p):.3f}, "
          f"any error vs ok {roc_auc_score(wrong, -p):.3f}")
    for t in (0.1, 0.2, 0.3, 0.5):
        flagged = p < t
        print(f"  p(true) < {t}: flags {flagged.sum()} — {int((flagged & wrong).sum())} wrong "
              f"({int((flagged & actor).sum())} wrong-person), {int((flagged & ~wrong).sum())} ok")
    for r, x in sorted(zip(rows, p, strict=True), key=lambda t: t[1])[:15]:
        print(f"  {x:.2f} {r['label']:<6} {r['sentence']}")


def swap(args) -> None:
    from model_salience_probe import sentence_logprobs
    from sklearn.metrics import roc_auc_score

    from eval.harness import ref_words
    from summarizer.eventio import iter_event_lines
    from summarizer.inputs import build_input
    from summarizer.pipeline import prepare
    from summarizer.recap import load_summarizer

    rows = [json.loads(line) for line in Path(args.labels).read_text().splitlines() if line.strip()]
    ids = {r["id"] for r in rows}
    events = {e.id: e for e in iter_event_lines(args.data) if e.id in ids}
    loaded = load_summarizer(args.model).loaded
    margins, actor = [], []
    for eid in dict.fromkeys(r["id"] for r in rows):
        prepared = prepare(events[eid])
        source = build_input(prepared, ref_words(events[eid]), loaded.max_source_tokens, loaded.count_tokens).text
        authors = sorted({p.author for p in prepared.posts if p.author})
        for r in (r for r in rows if r["id"] == eid):
            cands = [r["sentence"]] + [re.sub(rf"\b{re.escape(a)}\b", b, r["sentence"]) for a in authors
                                       if re.search(rf"\b{re.escape(a)}\b", r["sentence"]) for b in authors if b != a]
            if len(cands) == 1:
                continue
            lengths = np.array([len(loaded.tokenizer(c, add_special_tokens=False)["input_ids"]) for c in cands])
            total = sentence_logprobs(loaded, source, cands) * lengths
            margins.append(float(total[1:].max() - total[0]))
            actor.append(r["label"] == "actor")
    print(f"{len(margins)} labelled sentences that name a participant ({sum(actor)} wrong-person): ROC AUC of "
          f"(best swap - sentence) log-probability for wrong-person {roc_auc_score(actor, margins):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("train")
    a.add_argument("--minutes", type=float, default=30)
    a.add_argument("--lr", type=float, default=5e-5)
    a.add_argument("--out", default="runs/verifier")
    b = sub.add_parser("score")
    b.add_argument("--model", required=True)
    b.add_argument("--labels", required=True)
    b.add_argument("--data", required=True)
    c = sub.add_parser("swap")
    c.add_argument("--model", default=None, help="the recap model (default: the shipped one)")
    c.add_argument("--labels", required=True)
    c.add_argument("--data", required=True)
    args = ap.parse_args()
    {"train": train, "score": score, "swap": swap}[args.cmd](args)


if __name__ == "__main__":
    main()
