"""One small class per extractive baseline behind one interface, and the registry the CLI lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from summarizer.post import Post


def fill_budget(units: Sequence[str], words: int) -> str:
    """Join units in the given order until `words` words, cutting the last unit at the budget."""
    out: list[str] = []
    for u in units:
        toks = u.split()
        room = words - len(out)
        if room <= 0:
            break
        out.extend(toks[:room])
    return " ".join(out)


class Baseline:
    """Pick posts (the units) for an event; `summarize` fills the word budget with them."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    needs_references: ClassVar[bool] = False

    def __init__(self, seed: int = 0):
        self.seed = seed

    def rank(self, posts: Sequence[Post], words: int, references: Sequence[str] = ()) -> list[int]:
        """Indices of posts, best first."""
        raise NotImplementedError

    def keep_chronological(self) -> bool:
        return True

    def summarize(self, posts: Sequence[Post], words: int, references: Sequence[str] = ()) -> str:
        if not posts:
            return ""
        ranked = self.rank(posts, words, references)
        chosen: list[int] = []
        total = 0
        for i in ranked:
            if total >= words:
                break
            chosen.append(i)
            total += len(posts[i].display_text.split())
        if self.keep_chronological():
            chosen.sort()
        return fill_budget([posts[i].display_text for i in chosen], words)


REGISTRY: dict[str, type[Baseline]] = {}


def register(cls: type[Baseline]) -> type[Baseline]:
    REGISTRY[cls.name] = cls
    return cls


def get_baseline(name: str, seed: int = 0) -> Baseline:
    try:
        return REGISTRY[name.lower()](seed=seed)
    except KeyError:
        raise ValueError(f"unknown system {name!r}; baselines: {', '.join(sorted(REGISTRY))}, or model[:PATH]") \
            from None
