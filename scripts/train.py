#!/usr/bin/env python
"""Train the embedded default model: BERT2BERT warm-started from all-MiniLM-L6-v2.

    python scripts/train.py --config models/recap-minilm/train_config.json --out runs/recap-minilm
    python scripts/train.py ... --resume            # continue from runs/recap-minilm/checkpoint
    python scripts/train.py ... --export models/recap-minilm   # write the HF model dir at the end
    python scripts/train.py ... --init models/recap-minilm     # continue from the shipped weights

Training inputs are built by the project's own preprocessing (`prepare`) and input
construction (`build_input`), so the model sees at training time exactly what it sees at
inference. Plain PyTorch loop: length-grouped batches, AdamW + linear warmup/decay, bf16
autocast on CPU, label smoothing, safetensors checkpoints and a JSONL log with loss and dev ROUGE.
A config with `time_budget_minutes` decays the learning rate on the clock and stops when the time is up
(`train_config_cpu.json`: the one-run CPU recipe).
"""

from __future__ import annotations

import argparse
import io
import json
import lzma
import random
import shutil
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainloop import batches, collate, example_cost, load_unique, loss_fn, swapped, unique_state  # noqa: E402

from summarizer.augment import livetweet, streamify  # noqa: E402
from summarizer.bert2bert import build_bert2bert, minilm_path, unshare  # noqa: E402
from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.inputs import build_input, post_line, tokenizer_counter  # noqa: E402
from summarizer.modeling import native_bf16, writable_words  # noqa: E402
from summarizer.pipeline import prepare  # noqa: E402
from summarizer.recap import fallback_units, sections_for, time_sections  # noqa: E402
from summarizer.vocab import write_target_vocab  # noqa: E402


def load_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


def reference_text(ref: str) -> str:
    return " ".join(ref.split())


def extract_target(posts, reference: str, words: int) -> str:
    """The sentences of the model's input that best match the reference (greedy ROUGE-2 oracle), in time order.

    Why: a background summary or a match report is mostly *not* in the posts (6 nats per token of dev loss), so
    a model trained to write it from the posts learns to make things up ("Manchester United claimed a 1-0 defeat
    to Manchester United."). Its best extract from the very posts the model sees is a target the model can write
    faithfully, and it still says what the reference found worth saying. Units are the extractive recap's
    sentences (`fallback_units`), so what the model learns to write is what the tool would otherwise extract."""
    from eval.baselines.oracle import Oracle

    units, _ = fallback_units(list(posts))
    chosen: list[int] = []
    total = 0
    for i in Oracle().rank(units, words, [reference]):  # best first; never past `words` (a truncated target
        n = len(units[i].display_text.split())          # teaches no end of sequence), except a lone first sentence
        if chosen and total + n > words:
            continue
        chosen.append(i)
        total += n
    return " ".join(units[i].display_text for i in sorted(chosen))


def extract_pairs(prepared, reference: str, cfg: dict, count) -> list[tuple[str, str]]:
    """(source, extract target) pairs for one event, laid out as `Summarizer._plan` lays out the request.

    A reference longer than the model writes in one go (`LoadedModel.max_words`) is asked of it, at inference,
    one time section at a time (`time_sections`): so here each section is an example of its own, its target the
    section's best extract against the whole reference. The length bucket is the requested length, as at
    inference; the extract may be shorter (the oracle stops when no sentence adds to ROUGE-2)."""
    budget = cfg["max_source_tokens"]
    cap = writable_words(cfg["max_target_tokens"])
    words = len(reference.split())
    parts, per_words = [list(prepared.posts)], words
    if words > cap and len(prepared.posts) > 1:
        k, per_words = sections_for(words, cap, len(prepared.posts))
        parts = time_sections(prepared.posts, count([post_line(p) for p in prepared.posts]), k)
    out = []
    for part in parts:
        shown = build_input(prepared, per_words, budget, count, posts=part, view=cfg.get("speaker_view", "as_written"))
        if target := extract_target(shown.selection.posts, reference, min(cap, per_words)):
            out.append((shown.text, target))
    return out


def build_examples(cfg: dict, split_key: str, tok, rng: random.Random, limits: dict | None = None,
                   augment: float = 0.0) -> list[dict]:
    """(source, target) pairs built through the real preprocessing and input construction.

    Per dataset in the mixture: `split`, `max_events`, `repeat`, `all_references`, `exclude_id_prefixes`,
    `livetweet` (the share of events retold as one reporter's live-tweets, `augment.livetweet`) and `target`:
    `"reference"` (the default) or `"extract"` (`extract_target`; also used for that dataset's dev rows)."""
    data_dir = Path(cfg["data_dir"])
    count = tokenizer_counter(tok)
    out = []
    names = limits or cfg["mixture"]
    for name, spec in names.items():
        target_kind = cfg["mixture"].get(name, {}).get("target", "reference")
        split = spec["split"] if isinstance(spec, dict) else split_key
        path = data_dir / name / f"{split}.jsonl"
        events = list(iter_event_lines(path, skip_bad=True))
        if isinstance(spec, dict) and spec.get("exclude_id_prefixes"):  # e.g. topics held out for evaluation
            events = [e for e in events if not e.id.startswith(tuple(spec["exclude_id_prefixes"]))]
        rng.shuffle(events)
        cap = spec.get("max_events") if isinstance(spec, dict) else spec
        if cap:
            events = events[:cap]
        repeat = spec.get("repeat", 1) if isinstance(spec, dict) else 1
        all_refs = spec.get("all_references", False) if isinstance(spec, dict) else False
        retell = spec.get("livetweet", 0.0) if isinstance(spec, dict) else 0.0  # dialogue -> one reporter's posts
        for r in range(repeat):
            for ev in tqdm(events, desc=f"{name} x{r + 1}", leave=False):
                if not ev.posts or not ev.references:
                    continue
                if retell and rng.random() < retell:
                    ev = livetweet(ev, rng)
                if augment and rng.random() < augment:
                    ev = streamify(ev, rng)
                prepared = prepare(ev)
                if not prepared.posts:
                    continue
                refs = ev.references if all_refs else [ev.references[0]]
                for ref in refs:
                    target = reference_text(ref)
                    if not target:
                        continue
                    pairs = extract_pairs(prepared, target, cfg, count) if target_kind == "extract" else \
                        [(build_input(prepared, len(target.split()), cfg["max_source_tokens"], count,
                                      view=cfg.get("speaker_view", "as_written")).text, target)]
                    authors = sorted({p.author for p in prepared.posts if p.author})
                    out.extend({"source": src, "target": tgt, "dataset": name, "id": ev.id, "authors": authors,
                                "references": [reference_text(x) for x in ev.references]} for src, tgt in pairs)
    return out


def encode(examples: list[dict], tok, cfg: dict) -> list[dict]:
    """Token ids; with `contrast_weight` in the config, each example whose target names a participant also gets
    `neg`, one wrong-person version of it (`trainloop.swapped`, drawn by a seed made of the example's text)."""
    srcs = tok([e["source"] for e in examples], truncation=True, max_length=cfg["max_source_tokens"])["input_ids"]
    m = cfg["max_target_tokens"] - 1

    def target_ids(text: str) -> list[int]:
        t = tok(text, add_special_tokens=False)["input_ids"]
        return [tok.cls_token_id] + (t[:m] + [tok.sep_token_id] if len(t) < m else t[:m])  # no EOS if truncated

    out = []
    for e, s in zip(examples, srcs, strict=True):
        row = {"src": s, "tgt": target_ids(e["target"]), "dataset": e.get("dataset")}
        if cfg.get("contrast_weight") and (wrong := swapped(e["target"], e.get("authors", []))):
            row["neg"] = target_ids(random.Random(e["id"] + e["target"]).choice(wrong))
        out.append(row)
    return out


@torch.no_grad()
def dev_rouge(model, tok, dev: list[dict], cfg: dict, bf16: bool) -> dict:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    model.eval()
    by_ds: dict[str, list[tuple[float, float]]] = {}
    for i in range(0, len(dev), 16):
        chunk = dev[i:i + 16]
        enc = tok([e["source"] for e in chunk], truncation=True, max_length=cfg["max_source_tokens"],
                  padding=True, return_tensors="pt")
        enc.pop("token_type_ids", None)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model.generate(**enc, num_beams=1, max_new_tokens=cfg["generation"]["max_new_tokens"],
                                 no_repeat_ngram_size=3)
        for e, ids in zip(chunk, out, strict=True):
            hyp = tok.decode(ids, skip_special_tokens=True)
            best = max((scorer.score(r, hyp) for r in e["references"]), key=lambda s: s["rouge2"].fmeasure)
            by_ds.setdefault(e["dataset"], []).append((best["rouge1"].fmeasure, best["rouge2"].fmeasure))
    model.train()
    return {ds: {"r1": round(100 * sum(a for a, _ in v) / len(v), 2), "r2": round(100 * sum(b for _, b in v) / len(v), 2),
                 "n": len(v)} for ds, v in by_ds.items()}


def save_checkpoint(ckpt: Path, model, opt, sched, step: int, rng_state, elapsed: float = 0.0) -> None:
    tmp = ckpt.with_name(ckpt.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tensors, aliases = unique_state(model)  # shared tensors: each storage once, aliases restore the sharing
    save_file(tensors, str(tmp / "model.safetensors"))
    torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp / "optim.pt")
    (tmp / "state.json").write_text(json.dumps({"step": step, "aliases": aliases, "rng": rng_state,
                                                         "elapsed": round(elapsed, 1)}))
    shutil.rmtree(ckpt, ignore_errors=True)
    tmp.rename(ckpt)


def export(model, tok, out: Path, cfg: dict, extra: dict, target_ids: set[int] | None = None) -> None:
    """The HF model directory, plus `target_vocab.json` (the tokens of the training targets: generation scores
    only those and the source's, `summarizer.vocab`) when `target_ids` is given."""
    plain = unshare(model).to(torch.bfloat16)
    gen = plain.generation_config
    for k, v in cfg["generation"].items():
        setattr(gen, k, v)
    tmp = out.with_name(out.name + ".export-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    plain.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    (tmp / "training_summary.json").write_text(json.dumps(extra, indent=2))
    # what inference must reproduce: the input budget the model was trained with
    (tmp / "recap_config.json").write_text(json.dumps({"name": cfg.get("name", out.name),
                                                       "max_source_tokens": cfg["max_source_tokens"],
                                                       "max_target_tokens": cfg["max_target_tokens"],
                                                       **({"speaker_view": cfg["speaker_view"]}
                                                          if cfg.get("speaker_view", "as_written") != "as_written"
                                                          else {})}, indent=2))
    if target_ids:
        write_target_vocab(tmp, target_ids, {"from": "the training targets", "mixture": sorted(cfg["mixture"])})
    out.mkdir(parents=True, exist_ok=True)
    for f in tmp.iterdir():
        shutil.move(str(f), str(out / f.name))
    shutil.rmtree(tmp, ignore_errors=True)


def write_pack(out: Path, model, tok, cfg: dict, data: dict) -> None:
    """Everything `train_accel.py` needs, as plain arrays and safetensors (no pickles, no text to re-tokenize).

    Token ids fit uint16 (vocab 30,522); xz and bf16 weights keep the folder small enough to travel."""
    import numpy as np

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "init").mkdir(parents=True)
    names = sorted(cfg["mixture"])
    for split, rows in (("train", data["train"]), ("dev_loss", data.get("dev_loss", []))):
        ds = [names.index(r["dataset"]) if r.get("dataset") in names else 255 for r in rows]
        arrays = {"ds": np.asarray(ds, dtype=np.uint8)}
        for key in ("src", "tgt", "neg"):  # "neg": the wrong-person targets of a contrast config, else empty
            arrays[key] = np.asarray([t for r in rows for t in r.get(key, ())], dtype=np.uint16)
            arrays[key + "_len"] = np.asarray([len(r.get(key, ())) for r in rows], dtype=np.int32)
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # xz with a 64 MiB window also squeezes out the repeated (re-augmented) events
        (tmp / f"{split}.npz.xz").write_bytes(lzma.compress(buf.getvalue(), preset=9))
    tensors, aliases = unique_state(model)
    # a model loaded with from_pretrained grows an unused, untrained encoder pooler: not part of the seq2seq
    tensors = {k: v for k, v in tensors.items() if not k.startswith("encoder.pooler.")}
    aliases = {k: v for k, v in aliases.items() if not k.startswith("encoder.pooler.")}
    save_file({k: v.to(torch.bfloat16) for k, v in tensors.items()}, str(tmp / "init" / "model.safetensors"))
    (tmp / "init" / "aliases.json").write_text(json.dumps(aliases))
    model.config.save_pretrained(str(tmp / "init"))
    model.generation_config.save_pretrained(str(tmp / "init"))
    (tmp / "train_config.json").write_text(json.dumps({**cfg, "datasets": names}, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="models/recap-minilm/train_config.json")
    ap.add_argument("--out", default="runs/recap-minilm")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--export", default=None, help="write the final HF model directory here")
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--tiny", action="store_true", help="randomly initialised 2-layer model (smoke tests)")
    ap.add_argument("--pack", default=None, help="write the encoded data, the initial weights and the config to "
                    "this folder for scripts/train_accel.py (a GPU machine without the preprocessing deps), then stop")
    ap.add_argument("--init", default=None, help="start from an exported model dir (e.g. models/recap-minilm): "
                    "its copies of shared layers are identical, so re-sharing restores the trained model")
    args = ap.parse_args()
    cfg = json.loads(Path(args.config).read_text())
    if args.max_steps is not None:
        cfg["max_steps"] = args.max_steps
    torch.set_num_threads(cfg.get("threads", 2))
    torch.manual_seed(cfg["seed"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "log.jsonl", "a")  # noqa: SIM115 — appended to for the whole run
    tok = load_tokenizer()
    rng = random.Random(cfg["seed"])

    cache = out / "data.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        t0 = time.time()
        train = build_examples(cfg, "train", tok, rng, augment=cfg.get("augment_probability", 0.0))
        dev = build_examples(cfg, "dev", tok, random.Random(1), limits=cfg["dev"])
        data = {"train": encode(train, tok, cfg), "dev": dev,
                "dev_loss": encode(build_examples(cfg, "dev", tok, random.Random(2), limits=cfg["dev_loss"]), tok, cfg)
                if cfg.get("dev_loss") else [],
                "counts": {ds: sum(1 for e in train if e["dataset"] == ds) for ds in cfg["mixture"]}}
        cache.write_text(json.dumps(data))
        print(f"built {len(train)} train / {len(dev)} dev examples in {time.time() - t0:.0f}s", flush=True)
    train, dev = data["train"], data["dev"]

    if args.tiny:
        from transformers import BertConfig

        model = build_bert2bert(config=BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2,
                                                  num_attention_heads=2, intermediate_size=64),
                                share=cfg["share_encoder_decoder"])
    elif args.init:
        from transformers import EncoderDecoderModel

        from summarizer.bert2bert import share_layers

        model = EncoderDecoderModel.from_pretrained(args.init, dtype=torch.float32, use_safetensors=True)
        if cfg["share_encoder_decoder"]:
            model = share_layers(model)
    else:
        model = build_bert2bert(minilm_path(), share=cfg["share_encoder_decoder"])
    if args.pack:
        write_pack(Path(args.pack), model, tok, cfg, data)
        print(f"packed {len(train)} train / {len(data.get('dev_loss', []))} dev-loss examples into {args.pack}")
        return
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg["learning_rate"])
    total, warm = cfg["max_steps"], cfg["warmup_steps"]
    # With `time_budget_minutes` the decay runs on the clock instead of the step count, so the same config ends
    # on time on a slower or faster machine (`max_steps` is then only an upper bound); the step count varies.
    budget_s = 60 * cfg["time_budget_minutes"] if cfg.get("time_budget_minutes") else None
    clock = {"elapsed": 0.0}

    def lr_factor(s: int) -> float:
        ramp = min(1.0, (s + 1) / warm)
        if budget_s:
            return ramp * max(0.0, 1.0 - clock["elapsed"] / budget_s)
        return ramp * max(0.0, (total - s) / max(1, total - warm)) if s >= warm else ramp

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    step = 0
    ckpt = out / "checkpoint"
    if args.resume and ckpt.exists():
        st = json.loads((ckpt / "state.json").read_text())
        load_unique(model, load_file(str(ckpt / "model.safetensors")), st["aliases"])
        o = torch.load(ckpt / "optim.pt", weights_only=True)
        opt.load_state_dict(o["opt"])
        sched.load_state_dict(o["sched"])
        step = st["step"]
        clock["elapsed"] = st.get("elapsed", 0.0)
        print(f"resumed at step {step}", flush=True)

    bf16 = cfg["bf16_autocast"]
    if bf16 == "auto":
        bf16 = native_bf16()
        print(f"bf16 autocast: {'on' if bf16 else 'off'} (this CPU {'has' if bf16 else 'lacks'} bf16 instructions)")
    epoch = step * cfg["batch_size"] // max(1, len(train))
    bar = tqdm(total=total, initial=step, desc="train", dynamic_ncols=True)
    t_start, ema = time.time(), None
    elapsed0 = clock["elapsed"]
    seen_examples = 0

    def out_of_time() -> bool:
        return budget_s is not None and clock["elapsed"] >= budget_s

    while step < total and not out_of_time():
        order = batches([example_cost(x["src"], x["tgt"]) for x in train], cfg["batch_size"],
                        cfg["group_by_length_window"], random.Random(cfg["seed"] + epoch))
        skip = step - epoch * len(order) if step > epoch * len(order) else 0
        for b in order[skip:]:
            batch = collate([train[i] for i in b])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model, batch, cfg["label_smoothing"], contrast=cfg.get("contrast_weight", 0.0))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen_examples += len(b)
            clock["elapsed"] = elapsed0 + time.time() - t_start
            last = step >= total or out_of_time()
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            bar.update(1)
            bar.set_postfix(loss=f"{ema:.3f}", lr=f"{sched.get_last_lr()[0]:.2e}")
            rec = None
            if step % 50 == 0:
                rec = {"step": step, "loss": round(ema, 4), "lr": sched.get_last_lr()[0],
                       "ex_per_s": round(seen_examples / (time.time() - t_start), 2),
                       "minutes": round(clock["elapsed"] / 60, 1)}
            if step % cfg["eval_every"] == 0 or last:
                rec = rec or {"step": step, "loss": round(ema, 4), "lr": sched.get_last_lr()[0],
                              "minutes": round(clock["elapsed"] / 60, 1)}
                rec["dev"] = dev_rouge(model, tok, dev, cfg, bf16)
            if rec:
                log.write(json.dumps(rec) + "\n")
                log.flush()
            if step % cfg["checkpoint_every"] == 0 or last:
                save_checkpoint(ckpt, model, opt, sched, step, None, clock["elapsed"])
                if "dev" in (rec or {}):
                    export(model, tok, out / f"model-step{step}", cfg, {"step": step, "dev": rec["dev"]})
            if last:
                break
        epoch += 1
    bar.close()
    if args.export:
        export(model, tok, Path(args.export), cfg, {"steps": step, "config": cfg, "train_counts": data["counts"],
                                                    "train_seconds": round(clock["elapsed"])},
               target_ids={t for e in train for t in e["tgt"]})
        print(f"exported to {args.export}", flush=True)


if __name__ == "__main__":
    main()
