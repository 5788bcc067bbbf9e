"""The pieces of the training loop that need only torch: batching, loss, shared-weight state.

`train.py` (CPU, builds data with the project's preprocessing) and `train_accel.py` (an accelerator
machine that has torch and transformers but not the project's preprocessing dependencies) both use
them, so the two loops batch, pad and score exactly alike.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import torch
import torch.nn.functional as F


def batches(lengths: Sequence[int], bs: int, window: int, rng: random.Random) -> list[list[int]]:
    """Length-grouped batches: sort within random windows of `window` batches, then shuffle.

    `lengths[i]` is example i's cost (source + 2 x target tokens); grouping similar lengths wastes
    less on padding, the random windows keep batches from being ordered by length."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out = []
    for w in range(0, len(idx), bs * window):
        chunk = sorted(idx[w:w + bs * window], key=lambda i: lengths[i])
        out.extend(chunk[i:i + bs] for i in range(0, len(chunk), bs))
    rng.shuffle(out)
    return out


def example_cost(src: Sequence[int], tgt: Sequence[int]) -> int:
    return len(src) + 2 * len(tgt)


def collate(items: list[dict], pad: int = 0) -> dict[str, torch.Tensor]:
    """Pad a batch of {"src", "tgt"} token lists; `tgt` starts with the decoder start token."""
    ls = max(len(x["src"]) for x in items)
    lt = max(len(x["tgt"]) for x in items) - 1
    src = torch.full((len(items), ls), pad, dtype=torch.long)
    dec = torch.full((len(items), lt), pad, dtype=torch.long)
    lab = torch.full((len(items), lt), -100, dtype=torch.long)
    for i, x in enumerate(items):
        src[i, : len(x["src"])] = torch.as_tensor(x["src"], dtype=torch.long)
        t = torch.as_tensor(x["tgt"], dtype=torch.long)
        dec[i, : len(t) - 1] = t[:-1]
        lab[i, : len(t) - 1] = t[1:]
    return {"input_ids": src, "attention_mask": (src != pad).long(), "decoder_input_ids": dec,
            "decoder_attention_mask": (dec != pad).long() | (lab != -100).long(), "labels": lab}


def loss_fn(model, batch: dict, smoothing: float, reduction: str = "mean") -> torch.Tensor:
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                decoder_input_ids=batch["decoder_input_ids"], decoder_attention_mask=batch["decoder_attention_mask"])
    logits = out.logits.float()
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), batch["labels"].reshape(-1),
                           ignore_index=-100, label_smoothing=smoothing, reduction=reduction)


def unique_state(model) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The state dict with each shared storage once, plus the aliases that restore the sharing."""
    seen: dict[int, str] = {}
    tensors: dict[str, torch.Tensor] = {}
    aliases: dict[str, str] = {}
    for k, v in model.state_dict().items():
        ptr = v.data_ptr()
        if ptr in seen:
            aliases[k] = seen[ptr]
        else:
            seen[ptr] = k
            tensors[k] = v.detach().contiguous()
    return tensors, aliases


def load_unique(model, tensors: dict[str, torch.Tensor], aliases: dict[str, str]) -> None:
    """Inverse of `unique_state` (strict: a missing or unknown tensor is an error, not a silent re-init)."""
    full = dict(tensors)
    for k, src in aliases.items():
        full[k] = full[src]
    model.load_state_dict(full, strict=True)


def linear_warmup_decay(progress: float, step: int, warmup: int) -> float:
    """LR factor: linear warmup over `warmup` steps, then linear decay to 0 as `progress` goes 0 -> 1."""
    up = min(1.0, (step + 1) / max(1, warmup))
    return up * max(0.0, 1.0 - progress)
