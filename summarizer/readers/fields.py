"""Find the text/time/author/id of a post in loosely named records (CSV rows, JSON objects)."""

from __future__ import annotations

import re
from typing import Any

from ..post import Post
from ..timeparse import parse_time, snowflake_time

TEXT_KEYS = ("text", "fulltext", "content", "tweet", "tweettext", "body", "message", "post", "posttext")
TIME_KEYS = ("createdat", "datecreated", "time", "timestamp", "date", "datetime", "postedat", "publishedat",
             "tweetdate", "created")
AUTHOR_KEYS = ("username", "author", "screenname", "user", "handle", "authorhandle", "authorusername",
               "from", "fromuser", "name", "speaker", "account")
ID_KEYS = ("id", "tweetid", "idstr", "postid", "statusid", "tweetidstr")
MINUTE_KEYS = ("minute", "matchminute")


def norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def pick(keys: dict[str, str], wanted: tuple[str, ...]) -> str | None:
    """The original column name for the first wanted normalised name present."""
    for w in wanted:
        if w in keys:
            return keys[w]
    return None


_COLUMN_CACHE: dict[tuple[str, ...], dict[str, str | None]] = {}


def columns_for(rec: dict[str, Any]) -> dict[str, str | None]:
    """Which field holds text/time/author/id; cached per key set (records of one export share it)."""
    sig = tuple(rec)
    cols = _COLUMN_CACHE.get(sig)
    if cols is None:
        keys = {norm_key(k): k for k in rec}
        cols = {"text": pick(keys, TEXT_KEYS), "time": pick(keys, TIME_KEYS), "author": pick(keys, AUTHOR_KEYS),
                "id": pick(keys, ID_KEYS), "minute": pick(keys, MINUTE_KEYS)}
        if len(_COLUMN_CACHE) < 1024:
            _COLUMN_CACHE[sig] = cols
    return cols


def post_from_record(rec: dict[str, Any], index: int, columns: dict[str, str | None] | None = None) -> Post:
    cols = columns or columns_for(rec)
    if cols["text"] is None:
        raise ValueError(f"no text field (looked for {', '.join(TEXT_KEYS)})")
    text = rec.get(cols["text"])
    text = "" if text is None else str(text)
    author = rec.get(cols["author"]) if cols["author"] else None
    if isinstance(author, dict):
        author = author.get("username") or author.get("screen_name") or author.get("handle") or author.get("name")
    raw_id = rec.get(cols["id"]) if cols["id"] else None
    time = parse_time(rec.get(cols["time"])) if cols["time"] else None
    meta: dict[str, Any] = {}
    if raw_id not in (None, ""):
        meta["source_id"] = str(raw_id)
        if time is None and snowflake_time(raw_id) is not None:
            meta["snowflake"] = True
    if cols.get("minute") and rec.get(cols["minute"]) not in (None, ""):
        meta["minute"] = str(rec[cols["minute"]])
    pid = str(raw_id) if raw_id not in (None, "") else str(index)
    return Post(id=pid, text=text, time=time, author=str(author) if author not in (None, "") else None, meta=meta)
