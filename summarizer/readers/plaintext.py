"""Plain text: one post per line, or one per blank-line-separated block.

Continuation rule (documented in the README): copy-pasted tweets wrap, so in line mode
1. a line that starts with a bullet or emoji (`📺 Watch…`, `- item`, `• item`) continues the post above
   (unless, in a tagged stream as in rule 2, the post above already ended with its hashtag);
2. when most lines carry a hashtag (a live-tweeted event), a line *without* one is joined with the
   following lines up to and including the next line that has one, as long as the joined post stays
   tweet-sized (≤ 320 characters); live tweets end with the event tag, so a tagless line is unfinished.
"""

from __future__ import annotations

import re

import emoji

from ..post import Post

_BULLET = re.compile(r"^\s*(?:[-•*–▪►▶→✅✔️]\s)")
_HASHTAG = re.compile(r"#\w")
MAX_JOINED = 320


def _starts_with_symbol(line: str) -> bool:
    s = line.lstrip()
    if not s:
        return False
    return bool(_BULLET.match(s)) or emoji.is_emoji(s[0]) or (len(s) > 1 and emoji.is_emoji(s[:2]))


def split_lines(text: str) -> list[tuple[int, str]]:
    """Group lines into posts; returns (first line number, post text) pairs."""
    lines = text.splitlines()
    nonblank = [(i + 1, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    if not nonblank:
        return []
    blank_between = nonblank[-1][0] - nonblank[0][0] + 1 > len(nonblank)  # not just leading/trailing blanks
    if blank_between and _uses_blocks(lines):
        return _blocks(lines)
    return _join_continuations(nonblank)


def _uses_blocks(lines: list[str]) -> bool:
    """Blank-line blocks are meant as posts when at least one block spans several lines."""
    run = 0
    for ln in lines:
        if ln.strip():
            run += 1
            if run > 1:
                return True
        else:
            run = 0
    return False


def _blocks(lines: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    start, buf = 0, []
    for i, ln in enumerate(lines, 1):
        if ln.strip():
            if not buf:
                start = i
            buf.append(ln.strip())
        elif buf:
            out.append((start, " ".join(buf)))
            buf = []
    if buf:
        out.append((start, " ".join(buf)))
    return out


def _join_continuations(nonblank: list[tuple[int, str]]) -> list[tuple[int, str]]:
    tagged = sum(1 for _, ln in nonblank if _HASHTAG.search(ln))
    tag_mode = tagged >= 0.5 * len(nonblank) and len(nonblank) > 2
    out: list[list] = []  # [first line, text, open?]
    for lineno, ln in nonblank:
        closed = tag_mode and out and not out[-1][2]  # a tagged post is finished: a new emoji line starts anew
        if out and not closed and _starts_with_symbol(ln) and len(out[-1][1]) + len(ln) < MAX_JOINED:
            out[-1][1] += " " + ln
            out[-1][2] = out[-1][2] and not _HASHTAG.search(ln)
            continue
        if tag_mode and out and out[-1][2] and len(out[-1][1]) + len(ln) < MAX_JOINED:
            out[-1][1] += " " + ln
            out[-1][2] = not _HASHTAG.search(ln)
            continue
        out.append([lineno, ln, tag_mode and not _HASHTAG.search(ln)])
    return [(n, t) for n, t, _ in out]


def read_text(text: str) -> list[Post]:
    return [Post(id=str(i), text=t, meta={"line": n}) for i, (n, t) in enumerate(split_lines(text))]
