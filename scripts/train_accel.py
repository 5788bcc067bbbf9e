#!/usr/bin/env python
"""Continue training the default model on an accelerator (one GPU) from a pack written by train.py.

    # here (CPU): inputs built by the real preprocessing, token ids + bf16 weights into a pack
    python scripts/train.py --config models/recap-minilm/train_config_stage4.json --init models/recap-minilm \\
        --out runs/s4 --pack .accel/pack
    # there (GPU): needs only torch, numpy, safetensors and transformers
    python scripts/train_accel.py --pack .accel/pack --out "$OUT"
    # here again: shards back into a Hugging Face model directory
    python scripts/train_accel.py --pack .accel/pack --assemble runs/s4/accel --export runs/s4/final
    # compare exported models on the pack's dev rows (the loss that picks the kept weights)
    python scripts/train_accel.py --pack .accel/pack --dev-loss models/recap-minilm runs/s4/final

Why a second script: the lent GPU machine has torch and transformers but none of the preprocessing
dependencies and no network, so inputs are built here, exactly as at inference, and travel as token ids.
GPU time is lent by the minute, so the schedule is a time budget (warmup, then linear decay to zero at
`budget_s`, or at `max_epochs` if the machine is fast enough to get there first). The dev loss is measured every
`eval_every_s` and the best weights are kept: token-weighted by default, or with `"select": "macro"` the mean over
dev datasets, so a small non-dialogue set weighs as much as SAMSum; `"select": "last"` keeps the schedule's end (a
fine-tune with the contrast term, whose aim the NLL does not measure; `who_error` is logged beside it). The
weights come back as bf16 safetensors shards small enough for the machine's file limits; `--assemble` re-shares
them.
On a machine without a GPU the same loop runs on the CPU (that is how the tests exercise it).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import lzma
import math
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainloop import (  # noqa: E402
    batches,
    collate,
    example_cost,
    linear_warmup_decay,
    load_unique,
    loss_fn,
    pair_margins,
    unique_state,
)

ROOT = Path(__file__).resolve().parents[1]
SHARD_BYTES = 15_000_000  # the lending machine returns files of at most 16 MiB
PART = "@@part"


def _bert2bert():
    """summarizer/bert2bert.py without the package __init__ (which pulls in the preprocessing deps)."""
    spec = importlib.util.spec_from_file_location("bert2bert", ROOT / "summarizer" / "bert2bert.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build_model(init: Path, tensors: dict[str, torch.Tensor] | None = None):
    """The shared BERT2BERT of `init/config.json`, with `tensors` (default: the pack's initial weights)."""
    from transformers import EncoderDecoderConfig, GenerationConfig

    b2b = _bert2bert()
    model = b2b.from_config(EncoderDecoderConfig.from_pretrained(str(init)))
    model.generation_config = GenerationConfig.from_pretrained(str(init))
    b2b.share_layers(model)
    if tensors is None:
        tensors = load_file(str(init / "model.safetensors"))
    load_unique(model, {k: v.float() for k, v in tensors.items()},
                json.loads((init / "aliases.json").read_text()))
    return model


def load_split(pack: Path, split: str) -> list[dict]:
    z = np.load(io.BytesIO(lzma.decompress((pack / f"{split}.npz.xz").read_bytes())))
    src_ends, tgt_ends = np.cumsum(z["src_len"]), np.cumsum(z["tgt_len"])
    src, tgt = z["src"].astype(np.int64), z["tgt"].astype(np.int64)
    rows = [{"src": src[se - sl:se], "tgt": tgt[te - tl:te], "ds": int(d)}
            for se, sl, te, tl, d in zip(src_ends, z["src_len"], tgt_ends, z["tgt_len"], z["ds"], strict=True)]
    if "neg" in z.files:  # packs from before the contrast term have none
        neg, ends = z["neg"].astype(np.int64), np.cumsum(z["neg_len"])
        for row, end, n in zip(rows, ends, z["neg_len"], strict=True):
            row["neg"] = neg[end - n:end]
    return rows


def write_shards(tensors: dict[str, torch.Tensor], out: Path, extra: dict) -> None:
    """bf16 shards of at most SHARD_BYTES; a bigger tensor (the embeddings) is split by rows."""
    pieces: list[tuple[str, torch.Tensor]] = []
    for k, v in tensors.items():
        v = v.detach().to("cpu", torch.bfloat16).contiguous()
        n = v.numel() * 2
        if n <= SHARD_BYTES:
            pieces.append((k, v))
            continue
        parts = math.ceil(n / SHARD_BYTES)
        for i, chunk in enumerate(torch.chunk(v, parts, dim=0)):
            pieces.append((f"{k}{PART}{i}", chunk.contiguous()))
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for k, v in pieces:
        n = v.numel() * 2
        if size + n > SHARD_BYTES and shards[-1]:
            shards.append({})
            size = 0
        shards[-1][k] = v
        size += n
    tmp = out / "weights.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for i, shard in enumerate(shards):
        save_file(shard, str(tmp / f"shard{i}.safetensors"))
    (tmp / "summary.json").write_text(json.dumps({**extra, "shards": len(shards)}, indent=2))
    for old in out.glob("shard*.safetensors"):
        old.unlink()
    for f in tmp.iterdir():
        f.replace(out / f.name)
    tmp.rmdir()


def read_shards(folder: Path) -> dict[str, torch.Tensor]:
    merged: dict[str, torch.Tensor] = {}
    for f in sorted(folder.glob("shard*.safetensors")):
        merged.update(load_file(str(f)))
    parts: dict[str, list[tuple[int, torch.Tensor]]] = {}
    out = {}
    for k, v in merged.items():
        if PART in k:
            base, i = k.split(PART)
            parts.setdefault(base, []).append((int(i), v))
        else:
            out[k] = v
    for base, chunks in parts.items():
        out[base] = torch.cat([v for _, v in sorted(chunks, key=lambda c: c[0])], dim=0)
    return out


@torch.no_grad()
def dev_loss(model, dev: list[dict], device: str, bf16: bool, names: list[str]) -> dict:
    """Token-level NLL (no smoothing) per dataset and overall: the signal that picks the kept weights."""
    model.eval()
    tot: dict[str, list[float]] = {}
    wrong_first = pairs = 0
    for i in range(0, len(dev), 128):
        chunk = dev[i:i + 128]
        for ds in {x["ds"] for x in chunk}:
            items = [x for x in chunk if x["ds"] == ds]
            batch = {k: v.to(device) for k, v in collate(items).items()}
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
                nll = loss_fn(model, batch, 0.0, reduction="sum").item()
                if "neg_rows" in batch:
                    wrong_first += int((pair_margins(model, batch) <= 0).sum())
                    pairs += len(batch["neg_rows"])
            name = names[ds] if ds < len(names) else "other"
            acc = tot.setdefault(name, [0.0, 0.0])
            acc[0] += nll
            acc[1] += int((batch["labels"] != -100).sum())
    model.train()
    res = {k: round(v[0] / max(1.0, v[1]), 4) for k, v in tot.items()}
    res["all"] = round(sum(v[0] for v in tot.values()) / max(1.0, sum(v[1] for v in tot.values())), 4)
    res["macro"] = round(sum(res[k] for k in tot) / max(1, len(tot)), 4)  # every dataset counts the same
    if pairs:  # the share of wrong-person versions the model scores at least as high as the reference
        res["who_error"] = round(wrong_first / pairs, 4)
    return res


def train(pack: Path, out: Path, budget_s: float | None, max_steps: int | None, device: str) -> dict:
    cfg = json.loads((pack / "train_config.json").read_text())
    acc = cfg["accelerator"]
    budget = float(budget_s if budget_s is not None else acc["budget_s"])
    names = cfg.get("datasets", [])
    torch.manual_seed(cfg["seed"])
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "log.jsonl", "a")  # noqa: SIM115 — appended to for the whole run

    def emit(rec: dict) -> None:
        log.write(json.dumps(rec) + "\n")
        log.flush()
        print(json.dumps(rec), flush=True)

    train_rows, dev = load_split(pack, "train"), load_split(pack, "dev_loss")
    if not train_rows:
        raise SystemExit(f"{pack / 'train.npz'}: no training examples")
    model = build_model(pack / "init").to(device)
    model.train()
    bf16 = bool(acc.get("bf16_autocast", True)) and device == "cuda"
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg["weight_decay"]},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=acc["learning_rate"], fused=device == "cuda")
    epochs_cap = acc.get("max_epochs", math.inf) * len(train_rows)
    costs = [example_cost(x["src"], x["tgt"]) for x in train_rows]
    first = dev_loss(model, dev, device, bf16, names) if dev else {}
    emit({"step": 0, "dev_loss": first, "train_examples": len(train_rows), "device": device,
          "gpu": torch.cuda.get_device_name() if device == "cuda" else None})
    select = acc.get("select", "all")  # "all": token-weighted dev NLL; "macro": the mean over dev datasets
    best_loss = first.get(select, math.inf)
    best = {"step": 0, "dev_loss": first}
    step, epoch, seen, ema = 0, 0, 0, None
    t0 = time.time()
    next_eval = acc["eval_every_s"]
    done = False
    while not done:
        for b in batches(costs, acc["batch_size"], cfg["group_by_length_window"], random.Random(cfg["seed"] + epoch)):
            # the schedule ends at the time budget or after max_epochs, whichever comes first
            progress = max((time.time() - t0) / budget, seen / epochs_cap)
            if progress >= 1.0 or (max_steps is not None and step >= max_steps):
                done = True
                break
            lr = acc["learning_rate"] * linear_warmup_decay(progress, step, acc["warmup_steps"])
            for g in opt.param_groups:
                g["lr"] = lr
            batch = {k: v.to(device, non_blocking=True) for k, v in collate([train_rows[i] for i in b]).items()}
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model, batch, cfg["label_smoothing"], contrast=cfg.get("contrast_weight", 0.0))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen += len(b)
            if step % 20 == 0 or step == 1:
                ema = loss.item() if ema is None else 0.9 * ema + 0.1 * loss.item()
            if time.time() - t0 >= next_eval:
                next_eval += acc["eval_every_s"]
                best_loss, best = _evaluate(model, dev, device, bf16, names, step, epoch, seen, t0, ema, lr,
                                            best_loss, best, out, emit, select)
        else:
            epoch += 1
    best_loss, best = _evaluate(model, dev, device, bf16, names, step, epoch, seen, t0, ema, 0.0,
                                best_loss, best, out, emit, select)
    summary = {"steps": step, "examples_seen": seen, "epochs": round(seen / max(1, len(train_rows)), 2),
               "train_seconds": round(time.time() - t0), "best": best, "device": device}
    if not (out / "summary.json").exists():  # nothing beat the initial weights: say so, return no shards
        (out / "summary.json").write_text(json.dumps({**summary, "note": "initial weights were best"}, indent=2))
    emit({"done": summary})
    return summary


def _evaluate(model, dev, device, bf16, names, step, epoch, seen, t0, ema, lr, best_loss, best, out, emit, select):
    res = dev_loss(model, dev, device, bf16, names) if dev else {"all": -step, "macro": -step}
    rec = {"step": step, "epoch": epoch, "seconds": round(time.time() - t0, 1), "loss": ema and round(ema, 4),
           "lr": lr, "ex_per_s": round(seen / max(1e-9, time.time() - t0), 1), "dev_loss": res}
    if select == "last" or res[select] < best_loss:  # "last": the schedule's end, whatever the dev loss
        best_loss, best = res.get(select, best_loss), {"step": step, "dev_loss": res, "selected_by": select}
        tensors, _ = unique_state(model)
        write_shards(tensors, out, {"best": best, "seconds": rec["seconds"]})
        rec["kept"] = True
    emit(rec)
    return best_loss, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", required=True, help="folder written by scripts/train.py --pack")
    ap.add_argument("--out", default="runs/accel", help="log, summary and weight shards go here")
    ap.add_argument("--budget-s", type=float, default=None, help="training seconds (default: the config's)")
    ap.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (smoke tests)")
    ap.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    ap.add_argument("--assemble", default=None, help="shards from a run: rebuild the model instead of training")
    ap.add_argument("--export", default=None, help="with --assemble: write the Hugging Face model directory here")
    ap.add_argument("--dev-loss", nargs="+", default=None, metavar="MODEL_DIR",
                    help="print each exported model's dev loss on the pack's dev set (fp32) instead of training")
    args = ap.parse_args()
    pack = Path(args.pack)
    if args.dev_loss:
        compare_dev_loss(pack, [Path(m) for m in args.dev_loss])
        return
    if args.assemble:
        if not args.export:
            ap.error("--assemble needs --export")
        assemble(pack, Path(args.assemble), Path(args.export))
        return
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    train(pack, Path(args.out), args.budget_s, args.max_steps, device)


def compare_dev_loss(pack: Path, models: list[Path]) -> None:
    """Dev NLL of exported models on one pack's dev rows: the logged step-0 loss of another pack is not
    comparable once the preprocessing that built its inputs has changed."""
    from transformers import EncoderDecoderModel

    names = json.loads((pack / "train_config.json").read_text()).get("datasets", [])
    dev = load_split(pack, "dev_loss")
    for path in models:
        model = EncoderDecoderModel.from_pretrained(str(path), dtype=torch.float32, use_safetensors=True)
        print(json.dumps({"model": str(path), "dev_loss": dev_loss(model, dev, "cpu", False, names)}), flush=True)


def assemble(pack: Path, run: Path, export_to: Path) -> None:
    """Shards + pack config -> the same exported directory train.py writes (tokenizer, recap_config...)."""
    from train import export, load_tokenizer

    cfg = json.loads((pack / "train_config.json").read_text())
    summary = json.loads((run / "summary.json").read_text())
    if not list(run.glob("shard*.safetensors")):
        raise SystemExit(f"{run}: no weight shards (summary says: {summary.get('note', 'nothing')})")
    model = build_model(pack / "init", read_shards(run))
    log = [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines() if x.strip()]
    done = next((r["done"] for r in reversed(log) if "done" in r), {})
    export(model, load_tokenizer(), export_to, cfg, {"accelerator": done, "best": summary.get("best"), "config": cfg},
           target_ids={int(t) for row in load_split(pack, "train") for t in row["tgt"]})
    print(f"exported to {export_to}")


if __name__ == "__main__":
    main()
