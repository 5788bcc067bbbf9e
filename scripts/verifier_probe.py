#!/usr/bin/env python
"""Can a small cross-encoder learn who did what in a chat? A FactCC-style probe (Kryscinski et al., 2020).

    python scripts/verifier_probe.py train --minutes 30 --out runs/verifier        # background, 2 cores
    python scripts/verifier_probe.py score --model runs/verifier/final \
        --labels eval/labels/samsum-dev-who-did-what.jsonl --data ../shared/data/samsum/dev.jsonl
    python scripts/verifier_probe.py swap \
        --labels eval/labels/samsum-dev-who-did-what.jsonl --data ../shared/data/samsum/dev.jsonl
    # the same checker trained longer on a lent GPU (session 20): pack here, train there, assemble here
    python scripts/verifier_probe.py pack --rounds 8 --labels eval/labels/samsum-dev-who-did-what*.jsonl \
        --out .accel/verifier
    python scripts/verifier_probe.py accel --pack .accel/verifier --out "$OUT" --budget-s 400   # on the GPU
    python scripts/verifier_probe.py assemble --pack .accel/verifier --run DIR --out runs/verifier-gpu/final
    # what it would add to the guard: the kept sentences it removes on the labelled chats, wrong and ok
    python scripts/verifier_probe.py guarded --max-len 512 --model runs/verifier-gpu/final --labels \
        eval/labels/samsum-dev-who-did-what{,-s19,-s6-blind}.jsonl --data ../shared/data/samsum/dev.jsonl \
        --cache runs/ga15/samsum-dev.jsonl

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
MAX_LEN = 256  # session 17's CPU recipe: (sentence, chat) pairs cut to this many tokens
ACCEL_MAX_LEN = 512  # the GPU path's (`pack`/`accel`): BERT's whole window, so long chats keep their end


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


def transplant(sentence: str, its_authors: list[str], authors: list[str], rng: random.Random) -> str | None:
    """A sentence of another chat's reference with its participants renamed as this chat's: names that fit and
    content the chat never had (the model's errors that are not about who)."""
    named = [a for a in its_authors if re.search(rf"\b{re.escape(a)}\b", sentence)]
    if not named:
        return None
    cast = dict(zip(named, rng.sample(authors, min(len(authors), len(named))), strict=False))
    if len(cast) < len(named):
        return None
    return re.sub(r"\b(" + "|".join(map(re.escape, named)) + r")\b", lambda m: cast[m.group(1)], sentence)


def chats(split: str, limit: int | None) -> list[tuple[str, list[str], list[str]]]:
    """(chat text, its participants, its first reference's sentences) for each SAMSum chat of two or more."""
    from summarizer.eventio import iter_event_lines
    from summarizer.pipeline import prepare
    from summarizer.postprocess import split_sentences

    out = []
    for e in list(iter_event_lines(DATA / "samsum" / f"{split}.jsonl"))[:limit]:
        posts = prepare(e).posts
        authors = sorted({p.author for p in posts if p.author})
        if len(authors) >= 2 and e.references:
            out.append((chat_text(posts), authors, split_sentences(e.references[0])))
    return out


def pairs(data: list[tuple[str, list[str], list[str]]], rng: random.Random, transplanted: float = 0.0,
          ) -> list[tuple[str, int, int]]:
    """(sentence, chat index, label) pairs: each reference sentence true, one wrong-person version of it false, and
    with probability `transplanted` another chat's sentence recast with this chat's participants false too."""
    all_authors = sorted({a for _, authors, _ in data for a in authors})
    out = []
    for i, (_, authors, sents) in enumerate(data):
        for sent in sents:
            out.append((sent, i, 1))
            if (bad := corrupt(sent, authors, rng.sample(all_authors, 3), rng)) and bad != sent:
                out.append((bad, i, 0))
            if transplanted and rng.random() < transplanted:
                _, other_authors, other = data[rng.randrange(len(data))]
                if other and (moved := transplant(rng.choice(other), other_authors, authors, rng)):
                    out.append((moved, i, 0))
    return out


def build(split: str, limit: int | None, rng: random.Random) -> list[tuple[str, str, int]]:
    data = chats(split, limit)
    out = [(s, data[i][0], lab) for s, i, lab in pairs(data, rng)]
    rng.shuffle(out)
    return out


def read_labels(paths: list[str]) -> list[dict]:
    """Labelled model sentences from several files, each (event, sentence) once: the first file's label wins."""
    seen: dict[tuple[str, str], dict] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                seen.setdefault((r["id"], r["sentence"]), r)
    return list(seen.values())


def _encode(tok, texts: list[str], cap: int) -> tuple[np.ndarray, np.ndarray]:
    ids = [x[:cap] for x in tok(texts, add_special_tokens=False)["input_ids"]]
    return np.asarray([t for x in ids for t in x], dtype=np.uint16), np.asarray([len(x) for x in ids], dtype=np.int32)


def pack(args) -> None:
    """Everything the GPU run needs as token ids (the lent machine has no preprocessing deps): the chats once,
    `rounds` draws of corrupted pairs, the synthetic dev pairs, the hand-labelled model sentences, and
    all-MiniLM-L6-v2 in bf16."""
    from transformers import AutoTokenizer

    from summarizer.bert2bert import minilm_path
    from summarizer.eventio import iter_event_lines
    from summarizer.pipeline import prepare

    rng = random.Random(0)
    base = minilm_path()
    tok = AutoTokenizer.from_pretrained(str(base))
    train_chats = chats("train", None)
    dev_chats = chats("dev", 400)
    labels = read_labels(args.labels)
    ids = {r["id"] for r in labels}
    label_chat = {e.id: chat_text(prepare(e).posts) for e in iter_event_lines(DATA / "samsum" / "dev.jsonl")
                  if e.id in ids}
    labels = [r for r in labels if r["id"] in label_chat]
    label_ids = {e: k for k, e in enumerate(sorted(label_chat))}
    all_chats = [c for c, _, _ in train_chats] + [c for c, _, _ in dev_chats] + [label_chat[i] for i in label_ids]
    train_rows = [r for k in range(args.rounds) for r in pairs(train_chats, random.Random(k), args.transplanted)]
    rng.shuffle(train_rows)
    off_dev, off_lab = len(train_chats), len(train_chats) + len(dev_chats)
    dev_rows = [(s, off_dev + i, lab) for s, i, lab in pairs(dev_chats, random.Random(99), args.transplanted)]
    kind = {"ok": 0, "actor": 1, "other": 2}
    lab_rows = [(r["sentence"], off_lab + label_ids[r["id"]], kind[r["label"]]) for r in labels]
    write_pack(Path(args.out), tok, all_chats, {"train": train_rows, "dev": dev_rows, "labelled": lab_rows}, base)
    pos = sum(r[2] for r in train_rows)
    print(f"packed {len(train_rows)} train pairs ({pos} true), {len(dev_rows)} dev, {len(lab_rows)} labelled "
          f"({sum(r[2] == 1 for r in lab_rows)} wrong-person) over {len(all_chats)} chats into {args.out}")


def write_pack(out: Path, tok, all_chats: list[str], splits: dict[str, list[tuple[str, int, int]]],
               base: Path) -> None:
    """Chats once, each split's (sentence, chat index, label) rows as uint16 token ids, xz-compressed; the base
    model's weights in bf16 and its tokenizer. Written to a temporary folder, then renamed."""
    import io
    import lzma
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    arrays = {}
    arrays["chat"], arrays["chat_len"] = _encode(tok, all_chats, 509)
    for name, rows in splits.items():
        arrays[f"{name}_sent"], arrays[f"{name}_sent_len"] = _encode(tok, [r[0] for r in rows], 64)
        arrays[f"{name}_chat"] = np.asarray([r[1] for r in rows], dtype=np.int32)
        arrays[f"{name}_label"] = np.asarray([r[2] for r in rows], dtype=np.uint8)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "init").mkdir(parents=True)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    (tmp / "data.npz.xz").write_bytes(lzma.compress(buf.getvalue(), preset=6))
    weights = {k: v.to(torch.bfloat16) for k, v in load_file(str(base / "model.safetensors")).items()}
    save_file(weights, str(tmp / "init" / "model.safetensors"))
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (base / f).exists():
            shutil.copy(base / f, tmp / "init" / f)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def load_pack(folder: Path) -> dict:
    import io
    import lzma

    with np.load(io.BytesIO(lzma.decompress((folder / "data.npz.xz").read_bytes()))) as npz:
        z = {k: npz[k] for k in npz.files}  # an NpzFile re-reads an array on every access

    def split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        return np.split(flat.astype(np.int64), np.cumsum(lengths)[:-1])

    out = {"chat": split(z["chat"], z["chat_len"])}
    for name in ("train", "dev", "labelled"):
        sents = split(z[f"{name}_sent"], z[f"{name}_sent_len"])
        out[name] = list(zip(sents, z[f"{name}_chat"].tolist(), z[f"{name}_label"].tolist(), strict=True))
    return out


def collate(rows, chats_ids, max_len: int = ACCEL_MAX_LEN):
    """[CLS] sentence [SEP] chat [SEP], the chat cut to fit, as BERT's sentence-pair input."""
    import torch

    seqs, types = [], []
    for sent, ci, _ in rows:
        chat = chats_ids[ci][:max_len - len(sent) - 3]
        seqs.append(np.concatenate([[101], sent, [102], chat, [102]]))
        types.append(np.concatenate([np.zeros(len(sent) + 2), np.ones(len(chat) + 1)]))
    n = max(len(x) for x in seqs)
    ids = torch.zeros(len(rows), n, dtype=torch.long)
    tt = torch.zeros(len(rows), n, dtype=torch.long)
    mask = torch.zeros(len(rows), n, dtype=torch.long)
    for i, (x, t) in enumerate(zip(seqs, types, strict=True)):
        ids[i, :len(x)] = torch.from_numpy(x.astype(np.int64))
        tt[i, :len(t)] = torch.from_numpy(t.astype(np.int64))
        mask[i, :len(x)] = 1
    return {"input_ids": ids, "token_type_ids": tt, "attention_mask": mask}


def length_batches(rows, chat_ids, size: int, rng: random.Random, window: int = 50) -> list[list[int]]:
    """Shuffled batches of similar length (sorted within windows of `window` batches): less padding per step."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    out = []
    for w in range(0, len(order), size * window):
        chunk = sorted(order[w:w + size * window], key=lambda j: len(chat_ids[rows[j][1]]))
        out += [chunk[i:i + size] for i in range(0, len(chunk) - size + 1, size)]
    rng.shuffle(out)
    return out


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by ranks (ties averaged): the GPU machine's scikit-learn is not needed for one number."""
    from scipy.stats import rankdata

    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if not pos or not neg:
        return float("nan")
    return float((rankdata(score)[y.astype(bool)].sum() - pos * (pos + 1) / 2) / (pos * neg))


def p_true(model, rows, chat_ids, device: str, bs: int = 128) -> np.ndarray:
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(rows), bs):
            batch = {k: v.to(device) for k, v in collate(rows[i:i + bs], chat_ids).items()}
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(**batch).logits
            out.append(torch.softmax(logits.float(), -1)[:, 1].cpu().numpy())
    model.train()
    return np.concatenate(out) if out else np.zeros(0)


def accel(args) -> None:
    """Train the checker from a pack on whatever device there is (the GPU; the CPU in tests), a time budget with
    warmup and linear decay; log synthetic dev loss/AUC and the labelled sentences' AUC as it goes; the final
    weights come back as bf16 shards."""
    import torch
    from transformers import AutoModelForSequenceClassification

    sys.path.insert(0, str(ROOT / "scripts"))
    from train_accel import write_shards

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    folder, out = Path(args.pack), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_pack(folder)
    model = AutoModelForSequenceClassification.from_pretrained(str(folder / "init"), num_labels=2,
                                                               dtype=torch.float32, use_safetensors=True).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    train_rows, chat_ids = data["train"], data["chat"]
    log = open(out / "log.jsonl", "a")  # noqa: SIM115 — appended to for the whole run

    def evaluate(step: int, seconds: float, loss: float | None) -> None:
        dev_y = np.array([r[2] for r in data["dev"]])
        p = p_true(model, data["dev"], chat_ids, device)
        lab = np.array([r[2] for r in data["labelled"]])
        q = p_true(model, data["labelled"], chat_ids, device)
        rec = {"step": step, "seconds": round(seconds, 1), "loss": loss and round(loss, 4),
               "dev_auc": round(_auc(dev_y, p), 4), "dev_acc": round(float(np.mean((p > 0.5) == dev_y)), 4),
               "labelled_auc_actor": round(_auc(lab == 1, -q), 4), "labelled_auc_any": round(_auc(lab > 0, -q), 4)}
        log.write(json.dumps(rec) + "\n")
        log.flush()
        print(json.dumps(rec), flush=True)

    t0, step, ema, next_eval = time.time(), 0, None, args.eval_every_s
    evaluate(0, 0.0, None)
    steps_cap = args.max_steps or 10**9
    rng = random.Random(0)
    while True:
        for idx in length_batches(train_rows, chat_ids, args.batch, rng):
            progress = (time.time() - t0) / args.budget_s
            if progress >= 1.0 or step >= steps_cap:
                break
            for g in opt.param_groups:
                g["lr"] = args.lr * min(1.0, (step + 1) / args.warmup_steps) * (1 - progress)
            rows = [train_rows[j] for j in idx]
            batch = {k: v.to(device, non_blocking=True) for k, v in collate(rows, chat_ids).items()}
            labels = torch.tensor([r[2] for r in rows], device=device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(**batch).logits
            loss = torch.nn.functional.cross_entropy(logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            if step % 50 == 0 or step == 1:
                ema = loss.item() if ema is None else 0.9 * ema + 0.1 * loss.item()
            if time.time() - t0 >= next_eval:
                next_eval += args.eval_every_s
                evaluate(step, time.time() - t0, ema)
        else:
            continue
        break
    evaluate(step, time.time() - t0, ema)
    write_shards(dict(model.state_dict()), out, {"steps": step, "examples": step * args.batch,
                                                 "seconds": round(time.time() - t0), "device": device})


def assemble(args) -> None:
    """Shards from the GPU run -> a Hugging Face classifier directory `score` can load."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    sys.path.insert(0, str(ROOT / "scripts"))
    from train_accel import read_shards

    init = Path(args.pack) / "init"
    model = AutoModelForSequenceClassification.from_pretrained(str(init), num_labels=2, dtype=torch.float32,
                                                               use_safetensors=True)
    model.load_state_dict({k: v.float() for k, v in read_shards(Path(args.run)).items()})
    model.to(torch.bfloat16).save_pretrained(args.out)
    AutoTokenizer.from_pretrained(str(init)).save_pretrained(args.out)
    print(f"assembled {args.run} into {args.out}")


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
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bs = 16
    total = min(len(examples) // bs, int(args.minutes * 60 * 1.2))  # linear decay over a rough step estimate
    step = fit_pairs(model, tok, examples, lr=args.lr, minutes=args.minutes, total=total, warmup=100, floor=0.05,
                     max_len=MAX_LEN, bs=bs, log_every=100)
    model.eval()
    probs = predict(model, tok, [(s, c) for s, c, _ in dev])
    y = np.array([lab for *_, lab in dev])
    from sklearn.metrics import roc_auc_score

    print(f"trained {step} steps; synthetic dev AUC {roc_auc_score(y, probs):.3f} "
          f"accuracy {np.mean((probs > 0.5) == y):.3f}", flush=True)
    model.save_pretrained(out / "final")
    tok.save_pretrained(out / "final")


def fit_pairs(model, tok, examples: list[tuple[str, str, int]], *, lr: float, minutes: float, total: int,
              warmup: int, floor: float, max_len: int, bs: int = 16, log_every: int = 100) -> int:
    """Fine-tune a (sentence, chat) classifier on the CPU in order over `examples` (sentence, chat text, label) until
    they run out or `minutes` pass: AdamW, linear warmup over `warmup` steps, then linear decay over `total` steps
    to `floor` times `lr`; bf16 autocast. Returns the steps made."""
    import torch

    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    deadline, t0, step, losses = time.time() + 60 * minutes, time.time(), 0, []
    model.train()
    for start in range(0, len(examples), bs):
        if time.time() > deadline:
            break
        batch = examples[start:start + bs]
        enc = tok([b[0] for b in batch], [b[1] for b in batch], truncation="only_second", max_length=max_len,
                  padding=True, return_tensors="pt")
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, (step + 1) / warmup) * max(floor, 1 - step / max(1, total))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(**enc).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), torch.tensor([b[2] for b in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
        step += 1
        if step % log_every == 0:
            print(f"step {step}/{total} loss {np.mean(losses[-log_every:]):.4f} {time.time() - t0:.0f}s", flush=True)
    return step


def predict(model, tok, pairs, bs: int = 32, max_len: int = MAX_LEN) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(pairs), bs):
            chunk = pairs[i:i + bs]
            enc = tok([p[0] for p in chunk], [p[1] for p in chunk], truncation="only_second", max_length=max_len,
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
    rows = read_labels(args.labels)
    ids = {r["id"] for r in rows}
    texts = {e.id: chat_text(prepare(e).posts) for e in iter_event_lines(args.data) if e.id in ids}
    p = predict(model, tok, [(r["sentence"], texts[r["id"]]) for r in rows], max_len=args.max_len)
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


def guarded(args) -> None:
    """What the checker would add to the guard: on the labelled chats, re-guard the shipped model's cached sentences
    (`who_did_what.decisions`) and count, per threshold, the kept sentences it would remove, wrong and ok."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    sys.path.insert(0, str(ROOT / "scripts"))
    from who_did_what import decisions

    labels = {(r["id"], r["sentence"]): r["label"] for r in read_labels(args.labels)}
    ids = sorted({i for i, _ in labels})
    rows = [(sent, dec, labels[(e.id, sent)], chat_text(posts))
            for e, posts, decs in decisions(Path(args.data), Path(args.cache), ids, 0, 0, args.recap_model)
            for sent, dec, _ in decs if (e.id, sent) in labels]
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, use_safetensors=True).eval()
    p = predict(model, tok, [(r[0], r[3]) for r in rows], max_len=args.max_len)
    kept = np.array([r[1] == "kept" for r in rows])
    lab = np.array([r[2] for r in rows])
    print(f"{len(rows)} labelled sentences in {len(ids)} chats, {kept.sum()} kept by the guard, "
          f"{(kept & (lab != 'ok')).sum()} of them wrong; AUC on the kept: wrong-person "
          f"{_auc((lab == 'actor')[kept], -p[kept]):.3f}, any error {_auc((lab != 'ok')[kept], -p[kept]):.3f}")
    for t in (0.05, 0.1, 0.2, 0.3, 0.5):
        f = kept & (p < t)
        print(f"  p(true) < {t}: removes {f.sum()} kept — {(f & (lab != 'ok')).sum()} wrong "
              f"({(f & (lab == 'actor')).sum()} wrong-person), {(f & (lab == 'ok')).sum()} ok")
    for r, x in sorted(zip(rows, p, strict=True), key=lambda t: t[1]):
        if r[1] == "kept" and x < 0.2:
            print(f"  {x:.2f} {r[2]:<6} {r[0]}")


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
    b.add_argument("--labels", required=True, nargs="+", help="label files (an event's sentence once)")
    b.add_argument("--data", required=True)
    b.add_argument("--max-len", type=int, default=MAX_LEN,
                   help=f"tokens of each pair: {MAX_LEN} for `train`'s checkers, {ACCEL_MAX_LEN} for `accel`'s")
    c = sub.add_parser("swap")
    c.add_argument("--model", default=None, help="the recap model (default: the shipped one)")
    c.add_argument("--labels", required=True)
    c.add_argument("--data", required=True)
    g = sub.add_parser("guarded", help="the kept sentences a checker would remove, on the labelled chats")
    g.add_argument("--model", required=True, help="the checker")
    g.add_argument("--labels", required=True, nargs="+", help="labels of the recap model's sentences")
    g.add_argument("--data", required=True)
    g.add_argument("--cache", required=True, help="the recap model's raw generations (guard_ablation.py --cache)")
    g.add_argument("--recap-model", default=None, help="the recap model (default: the shipped one)")
    g.add_argument("--max-len", type=int, default=MAX_LEN,
                   help=f"tokens of each pair: {MAX_LEN} for `train`'s checkers, {ACCEL_MAX_LEN} for `accel`'s")
    d = sub.add_parser("pack", help="token ids and bf16 weights for the GPU run")
    d.add_argument("--rounds", type=int, default=8, help="draws of corrupted pairs (one per epoch)")
    d.add_argument("--transplanted", type=float, default=0.3,
                   help="share of reference sentences that also give another chat's sentence, recast, as false")
    d.add_argument("--labels", nargs="+", required=True, help="hand-labelled model sentences to report AUC on")
    d.add_argument("--out", default=".accel/verifier")
    e = sub.add_parser("accel", help="train from a pack (on the lent GPU)")
    e.add_argument("--pack", default=".accel/verifier")
    e.add_argument("--out", default="runs/verifier-accel")
    e.add_argument("--budget-s", type=float, default=400)
    e.add_argument("--batch", type=int, default=64)
    e.add_argument("--lr", type=float, default=5e-5)
    e.add_argument("--warmup-steps", type=int, default=200)
    e.add_argument("--eval-every-s", type=float, default=60)
    e.add_argument("--max-steps", type=int, default=None)
    f = sub.add_parser("assemble", help="shards of an accel run -> a model directory")
    f.add_argument("--pack", default=".accel/verifier")
    f.add_argument("--run", required=True)
    f.add_argument("--out", required=True)
    args = ap.parse_args()
    {"train": train, "score": score, "swap": swap, "pack": pack, "accel": accel, "assemble": assemble,
     "guarded": guarded}[args.cmd](args)


if __name__ == "__main__":
    main()
