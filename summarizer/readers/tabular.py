"""CSV/TSV exports from social-media tools: columns are found by their common names."""

from __future__ import annotations

import csv
import io

from ..errors import InputError
from ..post import Post
from .fields import AUTHOR_KEYS, ID_KEYS, MINUTE_KEYS, TEXT_KEYS, TIME_KEYS, norm_key, pick, post_from_record


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def looks_like_csv(first_line: str) -> bool:
    delim = sniff_delimiter(first_line)
    cells = [norm_key(c) for c in first_line.split(delim)]
    return len(cells) > 1 and any(c in TEXT_KEYS for c in cells)


def read_csv(text: str, path: str, skip_bad: bool, stats: dict) -> list[Post]:
    first = text.split("\n", 1)[0]
    delim = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:  # a malformed first line (e.g. a stray carriage return) is bad input, not a crash
        raise InputError(f"CSV error: {exc}", path, 1) from None
    keys = {norm_key(k): k for k in header}
    cols = {"text": pick(keys, TEXT_KEYS), "time": pick(keys, TIME_KEYS), "author": pick(keys, AUTHOR_KEYS),
            "id": pick(keys, ID_KEYS), "minute": pick(keys, MINUTE_KEYS)}
    if cols["text"] is None:
        raise InputError(f"no text column among {header!r} (expected one of: text, full_text, content, …)", path, 1)
    posts: list[Post] = []
    try:
        for row in reader:
            lineno = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                if not skip_bad:
                    raise InputError(f"expected {len(header)} fields, found {len(row)}", path, lineno)
                stats["skipped"] = stats.get("skipped", 0) + 1
                continue
            posts.append(post_from_record(dict(zip(header, row, strict=True)), len(posts), cols))
    except csv.Error as exc:
        raise InputError(f"CSV error: {exc}", path, reader.line_num) from None
    return posts
