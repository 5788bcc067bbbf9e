"""Read posts from the formats people actually have; the format is detected from content.

`read_events(path)` always returns events: an event JSONL file gives many, every other
format gives one event named after the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..eventio import event_from_dict, parse_object_line
from ..post import Event, Post
from .fields import post_from_record
from .plaintext import read_text
from .social import bluesky, mastodon, twitter_archive, twitter_v2
from .tabular import looks_like_csv, read_csv

FORMATS = ("auto", "text", "jsonl", "csv", "twitter-v2", "twitter-archive", "mastodon", "bluesky")


@dataclass
class ReadResult:
    events: list[Event]
    format: str
    skipped: int = 0


def decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"cannot decode byte 0x{data[exc.start]:02x} as UTF-8 (save the file as UTF-8)",
                         path, line) from None


def detect_format(text: str, path: str = "") -> str:
    s = text.lstrip()
    suffix = Path(path).suffix.lower()
    if s.startswith("window.YTD."):
        return "twitter-archive"
    if s[:1] in "{[":
        try:
            obj = json.loads(s)
        except json.JSONDecodeError:
            return "jsonl"
        return _json_shape(obj)
    if suffix in (".csv", ".tsv") or looks_like_csv(s.split("\n", 1)[0]):
        return "csv"
    return "text"


def _json_shape(obj: Any) -> str:
    if isinstance(obj, dict):
        if "data" in obj and ("includes" in obj or "meta" in obj or _items_have(obj["data"], "text")):
            return "twitter-v2"
        if _items_have(obj.get("posts"), "record") or _items_have(obj.get("feed"), "post"):
            return "bluesky"
        return "jsonl"  # a single event object or a single post
    if isinstance(obj, list):
        if _items_have(obj, "account") and _items_have(obj, "content"):
            return "mastodon"
        if _items_have(obj, "tweet"):
            return "twitter-archive"
    return "jsonl"


def _items_have(items: Any, key: str) -> bool:
    return isinstance(items, list) and bool(items) and isinstance(items[0], dict) and key in items[0]


def read_events(path: str | Path, format: str = "auto", skip_bad: bool = False) -> ReadResult:
    """Read one file into events. Raises `InputError` naming the file and line on bad input."""
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None
    text = decode(data, path)
    if not text.strip():
        raise InputError("the file is empty: no posts to read", path)
    fmt = detect_format(text, path) if format == "auto" else format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", path)
    stats: dict[str, int] = {}
    stem = Path(path).stem
    if fmt == "text":
        events = [Event(id=stem, posts=read_text(text))]
    elif fmt == "csv":
        events = [Event(id=stem, posts=read_csv(text, path, skip_bad, stats))]
    elif fmt == "jsonl":
        events = _read_json_lines(text, path, stem, skip_bad, stats)
    else:
        obj = _load_json(text, path, archive=fmt == "twitter-archive")
        reader = {"twitter-v2": twitter_v2, "twitter-archive": twitter_archive, "mastodon": mastodon,
                  "bluesky": bluesky}[fmt]
        try:
            posts = reader(obj)
        except (AttributeError, TypeError) as exc:
            raise InputError(f"not a valid {fmt} export: {exc}", path) from None
        events = [Event(id=stem, posts=posts)]
    events = [replace(e, posts=_unique_ids(e.posts)) for e in events]
    if not any(e.posts for e in events):
        raise InputError(f"no posts found (read as {fmt})", path)
    return ReadResult(events=events, format=fmt, skipped=stats.get("skipped", 0))


def _load_json(text: str, path: str, archive: bool) -> Any:
    body = text
    if archive:
        eq = text.find("=")
        if eq < 0 or not text.lstrip().startswith("window.YTD"):
            body = text
        else:
            body = text[eq + 1:].strip().rstrip(";")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        offset = len(text) - len(body) if archive else 0
        line = text[: offset + exc.pos].count("\n") + 1
        raise InputError(f"invalid JSON: {exc.msg}", path, line) from None


def _read_json_lines(text: str, path: str, stem: str, skip_bad: bool, stats: dict) -> list[Event]:
    """Event JSONL, a single event/post-list JSON document, or one post object per line."""
    stripped = text.strip()
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and "posts" in whole:
        return [_event(whole, path, 1, stem)]
    if isinstance(whole, list):
        return [Event(id=stem, posts=_posts_from_records(whole, path, skip_bad, stats, lines=None))]
    events: list[Event] = []
    records: list[tuple[int, dict]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = parse_object_line(line)
        except ValueError as exc:
            if skip_bad:
                stats["skipped"] = stats.get("skipped", 0) + 1
                continue
            raise InputError(f"malformed JSON line: {exc}", path, lineno) from None
        if "posts" in obj:
            try:
                events.append(_event(obj, path, lineno, stem))
            except InputError:
                if not skip_bad:
                    raise
                stats["skipped"] = stats.get("skipped", 0) + 1
        else:
            records.append((lineno, obj))
    if records:
        events.append(Event(id=stem, posts=_posts_from_records([r for _, r in records], path, skip_bad, stats,
                                                              lines=[n for n, _ in records])))
    return events


def _event(obj: dict, path: str, lineno: int, stem: str) -> Event:
    try:
        return event_from_dict(obj, f"{stem}-{lineno}")
    except (ValueError, TypeError) as exc:
        raise InputError(f"malformed event: {exc}", path, lineno) from None


def _posts_from_records(recs: list, path: str, skip_bad: bool, stats: dict, lines: list[int] | None) -> list[Post]:
    posts = []
    for i, rec in enumerate(recs):
        try:
            if not isinstance(rec, dict):
                raise ValueError("expected a JSON object")
            posts.append(post_from_record(rec, len(posts)))
        except ValueError as exc:
            if skip_bad:
                stats["skipped"] = stats.get("skipped", 0) + 1
                continue
            raise InputError(str(exc), path, lines[i] if lines else None) from None
    return posts


def _unique_ids(posts: list[Post]) -> list[Post]:
    """Post ids must be unique within an event: repeated source ids get a `#n` suffix."""
    seen: set[str] = set()
    out = []
    for p in posts:
        pid = p.id
        n = 1
        while pid in seen:
            n += 1
            pid = f"{p.id}#{n}"
        seen.add(pid)
        out.append(p if pid == p.id else replace(p, id=pid))
    return out
