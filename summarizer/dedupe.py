"""Remove exact copies, retweets, truncated copies and near-duplicates in (near-)linear time.

Posts must already be in chronological order: the earliest member of a cluster is kept as
its representative (a truncated copy only when nothing fuller exists) and the cluster's
other ids and authors are recorded on it: cluster size is a salience signal and the
authors are provenance for attribution.

Near-duplicates use MinHash signatures over word 3-shingles with LSH banding. Signatures
are computed for all posts at once with numpy (datasketch's per-object API is ~50x slower
at 100k posts); candidate pairs from a shared band are verified by estimated Jaccard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from .clean import RT_PREFIX, remove_links, retweet_source
from .post import Post

_NONWORD = re.compile(r"[^\w]+")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*$")
_PREFIX = 24  # characters of normalised text used to find the full version of a truncated copy
MIN_WORDS = 3  # shorter posts are never treated as copies


@dataclass(frozen=True)
class DedupeResult:
    posts: list[Post]                      # representatives, in input order, with `duplicates` set
    dropped: list[tuple[str, str]]         # (duplicate id, representative id)


def key_and_truncation(text: str) -> tuple[str, bool]:
    """The comparison key (no RT prefix, links, case, punctuation or extra spaces), and
    whether the post was cut short with an ellipsis (a truncated copy)."""
    body = remove_links(RT_PREFIX.sub("", text))
    return _NONWORD.sub(" ", body.lower()).strip(), bool(_ELLIPSIS_END.search(body))


def normalize(text: str) -> str:
    return key_and_truncation(text)[0]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the earlier post becomes the root


def dedupe(posts: list[Post], near_threshold: float | None = 0.7, num_perm: int = 32) -> DedupeResult:
    """Cluster copies; `near_threshold=None` turns near-duplicate detection off."""
    n = len(posts)
    keys, truncated = zip(*(key_and_truncation(p.text) for p in posts), strict=True) if posts else ((), ())
    uf = _UnionFind(n)
    first_by_key: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k.count(" ") < MIN_WORDS - 1:  # "ok", "yes!": two replies, not a copy
            continue
        j = first_by_key.setdefault(k, i)
        if j != i:
            uf.union(j, i)
    by_prefix: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if not truncated[i] and len(k) >= _PREFIX and first_by_key.get(k) == i:
            by_prefix.setdefault(k[:_PREFIX], []).append(i)
    for i, k in enumerate(keys):
        if truncated[i] and len(k) >= _PREFIX:
            stem = k.rsplit(" ", 1)[0] if " " in k else k  # the last word may be cut mid-way
            for j in by_prefix.get(k[:_PREFIX], ()):
                if j != i and keys[j].startswith(stem):
                    uf.union(j, i)
                    break
    if near_threshold is not None and n > 1:
        reps = [i for i in range(n) if uf.find(i) == i and keys[i].count(" ") >= MIN_WORDS - 1]
        for a, b in near_duplicate_pairs([keys[i] for i in reps], near_threshold, num_perm):
            uf.union(reps[a], reps[b])
    return _collect(posts, uf, truncated)


def _collect(posts: list[Post], uf: _UnionFind, truncated) -> DedupeResult:
    clusters: dict[int, list[int]] = {}
    for i in range(len(posts)):
        clusters.setdefault(uf.find(i), []).append(i)
    kept: list[tuple[int, Post]] = []
    dropped: list[tuple[str, str]] = []
    for members in clusters.values():
        full = [i for i in members if not truncated[i]]
        rep = (full or members)[0]
        others = [i for i in members if i != rep]
        authors = []
        for i in members:
            a = posts[i].author or retweet_source(posts[i].text)
            if a and a not in authors:
                authors.append(a)
        p = posts[rep]
        kept.append((rep, replace(p, duplicates=tuple(posts[i].id for i in others), duplicate_authors=tuple(authors))
                     if others else p))
        dropped.extend((posts[i].id, p.id) for i in others)
    kept.sort(key=lambda x: x[0])
    return DedupeResult(posts=[p for _, p in kept], dropped=dropped)


def minhash_signatures(texts: list[str], num_perm: int = 32, seed: int = 1) -> np.ndarray:
    """(len(texts), num_perm) MinHash signatures over word 3-shingles (single words for short texts).

    Words become integer ids once; shingle hashes and all permutations are then numpy
    array arithmetic, so the per-post Python work is one `split` and a dict lookup per word.
    """
    rng = np.random.RandomState(seed)
    a = (rng.randint(1, 1 << 31, size=num_perm) | 1).astype(np.uint32)
    b = rng.randint(0, 1 << 31, size=num_perm).astype(np.uint32)
    vocab: dict[str, int] = {}
    ids: list[int] = []
    lengths = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        words = t.split() or [""]
        lengths[i] = len(words)
        ids.extend([vocab.setdefault(w, len(vocab)) for w in words])
    w = (np.asarray(ids, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(97)) & np.uint64(0xFFFFFFFF)
    owner = np.repeat(np.arange(len(texts)), lengths)
    ends = np.cumsum(lengths)
    pos_end = ends[owner]                       # end (exclusive) of each position's text
    j = np.arange(len(w))
    tri = j + 2 < pos_end                        # a full 3-shingle starts here
    short = lengths[owner] < 3                   # short texts: every word is a shingle
    w1 = np.concatenate([w[1:], [0]]).astype(np.uint64)
    w2 = np.concatenate([w[2:], [0, 0]]).astype(np.uint64)
    sh = np.where(tri, (w * np.uint64(1000003) + w1 * np.uint64(10007) + w2) & np.uint64(0xFFFFFFFF), w)
    keep = tri | short
    sh, own = sh[keep].astype(np.uint32), owner[keep]
    starts = np.searchsorted(own, np.arange(len(texts)))
    sig = np.empty((len(texts), num_perm), dtype=np.uint32)
    chunk = 20000
    for c0 in range(0, len(texts), chunk):
        c1 = min(c0 + chunk, len(texts))
        s0 = starts[c0]
        s1 = starts[c1] if c1 < len(texts) else len(sh)
        h = sh[s0:s1]
        # (a*h + b) mod 2^32 — uint32 overflow wraps exactly — for every permutation at once
        perm = h[:, None] * a[None, :] + b[None, :]
        sig[c0:c1] = np.minimum.reduceat(perm, starts[c0:c1] - s0, axis=0)
    return sig


def near_duplicate_pairs(texts: list[str], threshold: float, num_perm: int = 32) -> list[tuple[int, int]]:
    """Pairs (earlier, later) whose estimated Jaccard similarity is at least `threshold`."""
    if len(texts) < 2:
        return []
    sig = minhash_signatures(texts, num_perm)
    rows = 4
    bands = num_perm // rows
    pairs: set[tuple[int, int]] = set()
    weights = np.array([1, 1000003, 998244353, 1000000007], dtype=np.uint64)[:rows]
    for band in range(bands):
        block = sig[:, band * rows:(band + 1) * rows].astype(np.uint64)
        bucket = (block * weights).sum(axis=1)
        _, inverse, counts = np.unique(bucket, return_inverse=True, return_counts=True)
        shared = np.nonzero(counts[inverse] > 1)[0]
        if not len(shared):
            continue
        firsts: dict[int, int] = {}
        for i in shared.tolist():
            f = firsts.setdefault(int(inverse[i]), i)
            if f != i:
                pairs.add((f, i))
    return [(i, j) for i, j in sorted(pairs) if float(np.mean(sig[i] == sig[j])) >= threshold]
