"""Plain data model shared by every stage: a `Post` and an `Event` of posts.

Stages never mutate a post; they return new ones with `dataclasses.replace`, so a
post's raw `text` is always kept beside the `clean_text` that models see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Post:
    """One live post. `time` is timezone-aware when known; `meta` keeps source extras."""

    id: str
    text: str
    time: datetime | None = None
    author: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    clean_text: str = ""
    duplicates: tuple[str, ...] = ()
    duplicate_authors: tuple[str, ...] = ()

    @property
    def display_text(self) -> str:
        """The cleaned text when cleaning has run, the raw text otherwise."""
        return self.clean_text or self.text


@dataclass
class Event:
    """An event: its posts (in source order unless a stage says otherwise) and references."""

    id: str
    posts: list[Post]
    title: str | None = None
    references: list[str] = field(default_factory=list)
    dataset: str | None = None
    split: str | None = None

    @classmethod
    def from_texts(cls, texts: list[str], id: str = "event", title: str | None = None) -> Event:
        """Build an event from bare strings, for users who have posts in memory."""
        return cls(id=id, title=title, posts=[Post(id=str(i), text=t) for i, t in enumerate(texts)])
