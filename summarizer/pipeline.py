"""The preprocessing stage as one pure function: order → dedupe → clean → filter.

`prepare(event)` never loses a post: every input post is either kept or listed under
`dropped` with a reason (`posts_in == posts_kept + len(dropped)`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .clean import HASHTAG, clean_posts
from .dedupe import dedupe
from .filtering import filter_posts
from .order import OrderDecision, order_posts
from .post import Event, Post
from .timeparse import format_time


@dataclass(frozen=True)
class PrepConfig:
    order: str = "auto"
    near_duplicates: float | None = 0.7   # MinHash Jaccard threshold; None turns it off
    filter: bool = True


@dataclass(frozen=True)
class Prepared:
    event: Event
    order: OrderDecision
    posts: list[Post]                                   # kept, chronological, cleaned
    dropped: list[dict[str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def prepare(event: Event, config: PrepConfig = PrepConfig()) -> Prepared:
    ordered, decision = order_posts(event.posts, config.order)
    dd = dedupe(ordered, config.near_duplicates)
    dropped = [{"id": d, "reason": "duplicate", "of": rep} for d, rep in dd.dropped]
    cleaned = clean_posts(dd.posts)
    if config.filter:
        kept, filtered = filter_posts(cleaned)
        dropped += [{"id": i, "reason": r} for i, r in filtered]
    else:
        kept = cleaned
    return Prepared(event, decision, kept, dropped, compute_stats(event.posts, kept, dropped))


def top_hashtags(posts: list[Post], k: int = 10) -> list[list[Any]]:
    """Most used hashtags, counted case-insensitively and shown in their most common spelling."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for p in posts:
        for tag in HASHTAG.findall(p.text.replace("#", " #")):
            key = tag.lower()
            counts[key] += 1
            spellings.setdefault(key, Counter())[tag] += 1
    return [["#" + spellings[k].most_common(1)[0][0], c] for k, c in counts.most_common(k)]


def compute_stats(posts_in: list[Post], kept: list[Post], dropped: list[dict[str, str]]) -> dict[str, Any]:
    authors = {p.author for p in posts_in if p.author}
    times = [p.time for p in posts_in if p.time is not None]
    return {
        "posts_in": len(posts_in),
        "posts_kept": len(kept),
        "duplicates": sum(1 for d in dropped if d["reason"] == "duplicate"),
        "authors": len(authors),
        "start": format_time(min(times)) if times else None,
        "end": format_time(max(times)) if times else None,
        "hashtags": top_hashtags(posts_in),
    }
