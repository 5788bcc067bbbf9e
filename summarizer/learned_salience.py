"""A learned salience score for the extractive recap: which sentences of a stream its report would repeat.

Why: on one-voice streams (match commentary, news, live-tweeted panels) the default model's own sentences rarely
pass the guard, so the recap is extraction, and centrality alone is no better there than taking the first posts
(GOAL train: central 8.21, LEAD 8.38 R-2). What a report keeps is partly a matter of vocabulary ("scores",
"equaliser", "confirms", numbers) and of where in the stream a sentence stands, which a linear model learns from
the one-voice training sets' references in seconds (`scripts/train_salience.py`). It ships beside the weights
as `salience.safetensors` (float32 weights, no pickle) and is used only by models that have one.

Features of a sentence (a *unit*), all computed within its event: hashed word unigrams and bigrams (lowercased,
L2-normalised; `HashingVectorizer` needs no vocabulary file), TF-IDF centrality, the duplicate-cluster bonus
input selection uses, relative position in time and its square, and length, share of numbers and share of
capitalised words. The target is the sentence's stemmed bigram precision against the event's reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError
from .post import Post

SALIENCE_FILE = "salience.safetensors"
HASH_FEATURES = 2 ** 16
DENSE = ("centrality", "duplicates", "position", "position_sq", "length", "numbers", "capitalised")


def _hasher():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=HASH_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2",
                             lowercase=True)


def dense_features(units: Sequence[Post], positions: Sequence[float], vectors=None) -> np.ndarray:
    """One row per unit: the DENSE columns, in that order. `vectors`: the units' `embed_tfidf`, when the caller
    has it already."""
    from .selection import centrality, embed_tfidf

    texts = [u.display_text for u in units]
    central = centrality(embed_tfidf(texts) if vectors is None else vectors)
    rows = []
    for u, text, c, pos in zip(units, texts, central, positions, strict=True):
        words = text.split()
        n = max(1, len(words))
        rows.append((c, math.log1p(len(u.duplicates)), pos, pos * pos, min(n, 60) / 30,
                     sum(any(ch.isdigit() for ch in w) for w in words) / n,
                     sum(w[:1].isupper() for w in words[1:]) / n))
    return np.asarray(rows, dtype=np.float64).reshape(len(units), len(DENSE))


def unit_features(units: Sequence[Post], positions: Sequence[float], vectors=None):
    """The sparse feature matrix (hashed n-grams, then the dense columns) of an event's units."""
    import scipy.sparse as sp

    hashed = _hasher().transform([u.display_text for u in units])
    return sp.hstack([hashed, sp.csr_matrix(dense_features(units, positions, vectors))]).tocsr()


def _unit_scale(v: np.ndarray) -> np.ndarray:
    span = float(v.max() - v.min()) if len(v) else 0.0
    return (v - v.min()) / span if span > 0 else np.zeros(len(v))


@dataclass(frozen=True)
class SalienceModel:
    """A linear model over `unit_features`; `score` returns one number per unit (higher: more report-like)."""

    weights: np.ndarray  # HASH_FEATURES + len(DENSE)
    intercept: float
    blend: float = 1.0  # share of the learned score in `rank_scores`; the rest is centrality

    def score(self, units: Sequence[Post], positions: Sequence[float], vectors=None) -> np.ndarray:
        if not units:
            return np.zeros(0)
        return np.asarray(unit_features(units, positions, vectors) @ self.weights).ravel() + self.intercept

    def rank_scores(self, units: Sequence[Post], positions: Sequence[float]) -> np.ndarray:
        """What the extractive recap ranks by, in [0, 1]: `blend` x the learned score + (1 - `blend`) x the
        centrality salience input selection uses (each scaled to [0, 1] within the event). Centrality keeps the
        recap sensible where the learned words say nothing (a topic unlike the training sets)."""
        if not units:
            return np.zeros(0)
        from .selection import embed_tfidf, salience

        vectors = embed_tfidf([u.display_text for u in units])  # one TF-IDF fit for both scores
        learned = _unit_scale(self.score(units, positions, vectors))
        if self.blend >= 1.0:
            return learned
        central = salience(units, vectors)
        return self.blend * learned + (1 - self.blend) * _unit_scale(central)

    def save(self, model_dir: str | Path, metadata: dict[str, str] | None = None) -> Path:
        from safetensors.numpy import save_file

        path = Path(model_dir) / SALIENCE_FILE
        tmp = path.with_name(path.name + ".tmp")
        save_file({"weights": self.weights.astype(np.float32), "intercept": np.array([self.intercept], np.float32)},
                  str(tmp), metadata={"features": ",".join(DENSE), "hash_features": str(HASH_FEATURES),
                                      "blend": str(self.blend), **(metadata or {})})
        tmp.replace(path)
        return path


def load_salience_model(model_dir: str | Path) -> SalienceModel | None:
    """The model's `salience.safetensors`, or None where it ships none (the extractive recap then uses centrality)."""
    from safetensors import safe_open

    path = Path(model_dir) / SALIENCE_FILE
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            weights, intercept = f.get_tensor("weights"), f.get_tensor("intercept")
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types for a corrupt file
        raise ModelError(f"{path}: not a salience model ({exc})") from None
    expected = HASH_FEATURES + len(DENSE)
    if meta.get("features") != ",".join(DENSE) or weights.shape != (expected,):
        raise ModelError(f"{path}: written for other features ({meta.get('features')!r}, {weights.shape}); "
                         "retrain it with scripts/train_salience.py")
    return SalienceModel(weights.astype(np.float64), float(intercept[0]), float(meta.get("blend", 1.0)))
