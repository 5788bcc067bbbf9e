"""The output vocabulary: generation scores only the tokens a recap can use.

Why: at every decoding step the LM head multiplies the hidden states by the whole embedding matrix (30,522 x 384
for the default model), nearly half of the weights the decoder reads per step; on a CPU one event's decoding is
bound by those reads. A recap uses the words its model learned to write (the tokens of its training references,
shipped as `target_vocab.json` beside the weights) and names and numbers copied from the posts (the tokens of the
source). Scoring only that union, every other token at -inf, makes one event's float32 recap faster (model card,
"Speed"; `modeling.trims_vocab` says when it applies).

It is not exact: beam search normalises the scores over the tokens it sees, so removing tokens raises every
allowed token's log-probability by the excluded mass, which differs a little from beam to beam; near-ties can
then go the other way. The card gives the share of recaps that change and the ROUGE with and without it;
`--full-vocab` scores every token.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from .errors import ModelError

TARGET_VOCAB_FILE = "target_vocab.json"


def write_target_vocab(model_dir: str | Path, token_ids: Iterable[int], sources: dict[str, Any]) -> Path:
    """Write the token ids of a model's training targets (and where they came from) into its directory."""
    ids = sorted({int(i) for i in token_ids})
    path = Path(model_dir) / TARGET_VOCAB_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"sources": sources, "size": len(ids), "ids": ids}, separators=(",", ":")))
    tmp.replace(path)
    return path


def load_target_vocab(model_dir: str | Path, vocab_size: int) -> frozenset[int] | None:
    """The ids in `target_vocab.json`, or None where the model ships none (every token is then scored)."""
    path = Path(model_dir) / TARGET_VOCAB_FILE
    if not path.exists():
        return None
    try:
        ids = json.loads(path.read_text())["ids"]
        vocab = frozenset(int(i) for i in ids)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: not a target vocabulary ({exc})") from None
    if not vocab or min(vocab) < 0 or max(vocab) >= vocab_size:
        raise ModelError(f"{path}: ids must lie in 0..{vocab_size - 1} (the model's vocabulary)")
    return vocab


def allowed_ids(target_vocab: frozenset[int], input_ids: Any, special_ids: Iterable[int]) -> list[int]:
    """What one batch may write: the model's target vocabulary, every token of the batch's sources, and the
    special tokens (start, end, padding)."""
    return sorted(target_vocab | set(input_ids.flatten().tolist()) | set(special_ids))


def _head_slot(model) -> tuple[Any, str] | None:
    """(parent module, attribute) of the LM head, when it is a plain Linear over the vocabulary."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if type(head) is not torch.nn.Linear:  # int8-quantised or custom heads keep the full vocabulary
        return None
    for name, module in model.named_modules():
        if module is head and name:
            parent, _, attr = name.rpartition(".")
            return model.get_submodule(parent), attr  # "" is the model itself (BART's and T5's lm_head)
    return None


class SubsetHead(torch.nn.Module):
    """The LM head's rows for `ids`; every other logit is -inf."""

    def __init__(self, head: torch.nn.Linear, ids: list[int]) -> None:
        super().__init__()
        self.ids = torch.tensor(ids, dtype=torch.long)
        self.weight_rows = head.weight.detach()[self.ids].contiguous()
        self.bias_rows = None if head.bias is None else head.bias.detach()[self.ids].contiguous()
        self.vocab = head.weight.shape[0]

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        logits = torch.nn.functional.linear(hidden, self.weight_rows, self.bias_rows)
        out = hidden.new_full((*hidden.shape[:-1], self.vocab), float("-inf"))
        out[..., self.ids] = logits
        return out


@contextmanager
def restricted_head(model, ids: list[int] | None) -> Iterator[bool]:
    """Within the block the model scores only `ids`; yields whether it could (a plain Linear LM head)."""
    slot = _head_slot(model) if ids is not None else None
    if slot is None:
        yield False
        return
    parent, attr = slot
    full = getattr(parent, attr)
    setattr(parent, attr, SubsetHead(full, ids))
    try:
        yield True
    finally:
        setattr(parent, attr, full)
