"""Read and write the event JSONL schema (see ../shared/data/README.md), the project's interchange format."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InputError
from .post import Event, Post
from .timeparse import format_time, parse_time


def post_from_dict(d: dict[str, Any], index: int) -> Post:
    text = d.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValueError(f"post {index}: 'text' must be a string")
    meta = d.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {"meta": meta}
    author = d.get("author")
    return Post(
        id=str(d.get("id", index)),
        text=text,
        time=parse_time(d.get("time")),
        author=str(author) if author not in (None, "") else None,
        meta=meta,
    )


def event_from_dict(d: dict[str, Any], fallback_id: str) -> Event:
    posts = d.get("posts")
    if not isinstance(posts, list):
        raise ValueError("'posts' must be a list")
    refs = d.get("references") or []
    if isinstance(refs, str):
        refs = [refs]
    return Event(
        id=str(d.get("id") or fallback_id),
        title=d.get("title"),
        posts=[post_from_dict(p if isinstance(p, dict) else {"text": str(p)}, i) for i, p in enumerate(posts)],
        references=[str(r) for r in refs],
        dataset=d.get("dataset"),
        split=d.get("split"),
    )


def post_to_dict(p: Post) -> dict[str, Any]:
    return {"id": p.id, "text": p.text, "time": format_time(p.time), "author": p.author, "meta": p.meta}


def event_to_dict(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "dataset": e.dataset,
        "split": e.split,
        "title": e.title,
        "posts": [post_to_dict(p) for p in e.posts],
        "references": list(e.references),
    }


def parse_object_line(line: str) -> dict[str, Any]:
    """One JSONL line that must hold a JSON object; ValueError otherwise."""
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    return obj


def iter_event_lines(path: str | Path, skip_bad: bool = False, stats: dict | None = None):
    """Stream events from an event JSONL file; malformed lines raise `InputError` with the line."""
    path = str(path)
    with open(path, encoding="utf-8-sig", errors="strict") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield event_from_dict(parse_object_line(line), f"line-{lineno}")
            except (ValueError, TypeError) as exc:
                if not skip_bad:
                    raise InputError(f"malformed event: {exc}", path, lineno) from None
                if stats is not None:
                    stats["skipped"] = stats.get("skipped", 0) + 1


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write via a temp file in the same directory + rename, so a crash never leaves a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_events(path: str | Path, events: Iterable[Event]) -> None:
    atomic_write_text(path, "".join(json.dumps(event_to_dict(e), ensure_ascii=False) + "\n" for e in events))
