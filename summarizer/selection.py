"""Choose the most salient, non-redundant posts that fit a model's input budget.

Salience = centrality (cosine to the event centroid, TF-IDF by default or MiniLM
embeddings) + a bonus for the size of a post's duplicate cluster (many people repeating a
line marks it as important). Posts are then picked by maximal marginal relevance, with a
small penalty for authors already chosen so one voice does not fill the recap, until the
token budget is full. The chosen posts come back in chronological order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .post import Post

TokenCounter = Callable[[Sequence[str]], list[int]]


def whitespace_tokens(texts: Sequence[str]) -> list[int]:
    """A tokenizer-free estimate: subword tokenizers give ~1.3 tokens per word on tweets."""
    return [math.ceil(len(t.split()) * 1.3) + 1 for t in texts]


@dataclass(frozen=True)
class Selection:
    posts: list[Post]            # chosen, chronological
    left_out: list[str]          # ids not chosen
    tokens: int                  # tokens used by the chosen posts
    budget: int


def embed_tfidf(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        m = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    except ValueError:  # empty vocabulary (only stop words)
        return np.zeros((len(texts), 1))
    return m  # sparse, rows L2-normalised


def centrality(vectors) -> np.ndarray:
    """Each row's cosine-like closeness to the event's centroid (rows are L2-normalised)."""
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    return np.asarray(vectors @ (centroid / norm)).ravel()


def salience(posts: Sequence[Post], vectors) -> np.ndarray:
    central = centrality(vectors)
    dup_bonus = np.array([0.1 * math.log1p(len(p.duplicates)) for p in posts])
    return central + dup_bonus


def select_posts(posts: Sequence[Post], budget: int, count_tokens: TokenCounter = whitespace_tokens,
                 texts: Sequence[str] | None = None, diversity: float = 0.3, author_penalty: float = 0.05,
                 embed: Callable[[Sequence[str]], object] = embed_tfidf, max_candidates: int = 3000,
                 scores: np.ndarray | None = None) -> Selection:
    """MMR selection under a token budget. `texts` are what the model will see for each post; `scores`, when
    given, replace the centrality salience (a learned one, `summarizer.learned_salience`)."""
    texts = list(texts) if texts is not None else [p.display_text for p in posts]
    lengths = count_tokens(texts)
    total = sum(lengths)
    if total <= budget:
        return Selection(list(posts), [], total, budget)
    vectors = embed(texts)
    sal = salience(posts, vectors) if scores is None else np.asarray(scores, dtype=float)
    candidates = list(np.argsort(-sal, kind="stable")[:max_candidates])
    chosen: list[int] = []
    used = 0
    max_sim = np.zeros(len(posts))
    author_count: dict[str, int] = {}
    remaining = set(int(i) for i in candidates)
    while remaining and used < budget:
        best, best_score = -1, -math.inf
        for i in remaining:
            if used + lengths[i] > budget:
                continue
            pen = author_penalty * author_count.get(posts[i].author or "", 0) if posts[i].author else 0.0
            score = (1 - diversity) * sal[i] - diversity * max_sim[i] - pen
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        remaining.discard(best)
        chosen.append(best)
        used += lengths[best]
        if posts[best].author:
            author_count[posts[best].author] = author_count.get(posts[best].author, 0) + 1
        sims = np.asarray(vectors @ vectors[best].T.toarray().ravel() if hasattr(vectors, "toarray")
                          else vectors @ vectors[best]).ravel()
        max_sim = np.maximum(max_sim, sims)
    chosen.sort()
    chosen_set = set(chosen)
    return Selection([posts[i] for i in chosen], [posts[i].id for i in range(len(posts)) if i not in chosen_set],
                     used, budget)
