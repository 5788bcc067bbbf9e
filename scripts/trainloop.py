"""The pieces of the training loop that need only torch: batching, loss, shared-weight state.

`train.py` (CPU, builds data with the project's preprocessing) and `train_accel.py` (an accelerator
machine that has torch and transformers but not the project's preprocessing dependencies) both use
them, so the two loops batch, pad and score exactly alike.
"""

from __future__ import annotations

import random
import re
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


def _pad_targets(targets: list, rows: int, pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoder inputs (the target shifted right) and labels (-100 past each end) for token lists that start
    with the decoder start token."""
    width = max(len(t) for t in targets) - 1
    dec = torch.full((rows, width), pad, dtype=torch.long)
    lab = torch.full((rows, width), -100, dtype=torch.long)
    for i, x in enumerate(targets):
        t = torch.as_tensor(x, dtype=torch.long)
        dec[i, : len(t) - 1] = t[:-1]
        lab[i, : len(t) - 1] = t[1:]
    return dec, lab


def collate(items: list[dict], pad: int = 0) -> dict[str, torch.Tensor]:
    """Pad a batch of {"src", "tgt"} token lists; `tgt` starts with the decoder start token.

    Items with a non-empty `neg` (a wrong-person version of the target, `swapped`) add `neg_rows` (their
    indices) and the `neg_*` decoder tensors the contrastive term of `loss_fn` scores."""
    ls = max(len(x["src"]) for x in items)
    src = torch.full((len(items), ls), pad, dtype=torch.long)
    for i, x in enumerate(items):
        src[i, : len(x["src"])] = torch.as_tensor(x["src"], dtype=torch.long)
    dec, lab = _pad_targets([x["tgt"] for x in items], len(items), pad)
    out = {"input_ids": src, "attention_mask": (src != pad).long(), "decoder_input_ids": dec,
           "decoder_attention_mask": (dec != pad).long() | (lab != -100).long(), "labels": lab}
    rows = [i for i, x in enumerate(items) if len(x.get("neg", ())) > 1]
    if rows:
        ndec, nlab = _pad_targets([items[i]["neg"] for i in rows], len(rows), pad)
        out.update(neg_rows=torch.tensor(rows, dtype=torch.long), neg_decoder_input_ids=ndec, neg_labels=nlab,
                   neg_decoder_attention_mask=(ndec != pad).long() | (nlab != -100).long())
    return out


def swapped(reference: str, authors: Sequence[str]) -> list[str]:
    """Wrong-person versions of a reference: two named participants exchanged throughout, or one named
    participant replaced throughout by one the reference does not name ("#Person1#" tags count as names)."""
    def pattern(names) -> re.Pattern[str]:
        return re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in names) + r")(?!\w)")

    authors = [a for a in authors if a]
    named = [a for a in authors if pattern([a]).search(reference)]
    unnamed = [a for a in authors if a not in named]

    def sub(mapping: dict[str, str]) -> str:
        return pattern(mapping).sub(lambda m: mapping[m.group(1)], reference)

    out = [sub({a: b, b: a}) for i, a in enumerate(named) for b in named[i + 1:]]
    out += [sub({a: b}) for a in named for b in unnamed]
    return [v for v in dict.fromkeys(out) if v != reference]


def _decode(model, memory: torch.Tensor, mask: torch.Tensor, dec: torch.Tensor, dec_mask: torch.Tensor) -> torch.Tensor:
    return model(encoder_outputs=(memory,), attention_mask=mask, decoder_input_ids=dec,
                 decoder_attention_mask=dec_mask).logits.float()


def _sequence_logprob(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    # logit - logsumexp rather than log_softmax: no second vocabulary-sized tensor kept for the backward pass
    picked = logits.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1)
    return (picked * (labels != -100)).sum(-1)


def _margins(model, batch: dict, memory: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    rows = batch["neg_rows"]
    pos = _sequence_logprob(logits[rows], batch["labels"][rows])
    neg_logits = _decode(model, memory[rows], batch["attention_mask"][rows], batch["neg_decoder_input_ids"],
                         batch["neg_decoder_attention_mask"])
    return pos - _sequence_logprob(neg_logits, batch["neg_labels"])


def _forward(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    memory = model.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    return memory, _decode(model, memory, batch["attention_mask"], batch["decoder_input_ids"],
                           batch["decoder_attention_mask"])


def pair_margins(model, batch: dict) -> torch.Tensor:
    """log p(target) - log p(its wrong-person version), one per `neg_rows` item (teacher-forced)."""
    memory, logits = _forward(model, batch)
    return _margins(model, batch, memory, logits)


def loss_fn(model, batch: dict, smoothing: float, reduction: str = "mean", contrast: float = 0.0) -> torch.Tensor:
    """Token cross-entropy; with `contrast` > 0, plus contrast x softplus(-(log p(target) - log p(wrong-person
    version))) over the batch's `neg_rows`.

    Why the second term: the model's chat recaps often say the wrong person did something, and cross-entropy
    alone never shows it the wrong version. Scoring the same summary with the names swapped and pushing its
    probability below the reference's (a sequence-level contrast, as in CLIFF, Cao and Wang 2021) teaches
    who did what directly; the encoder runs once for both."""
    memory, logits = _forward(model, batch)
    nll = F.cross_entropy(logits.reshape(-1, logits.size(-1)), batch["labels"].reshape(-1),
                          ignore_index=-100, label_smoothing=smoothing, reduction=reduction)
    if not contrast or "neg_rows" not in batch:
        return nll
    return nll + contrast * F.softplus(-_margins(model, batch, memory, logits)).mean()


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
