"""Put posts in chronological order, and say how that was decided.

Evidence, strongest first: timestamps, tweet snowflake ids, match minutes, and finally
opening/closing cues in the text ("will start in 10 minutes" near the end of a file means the
stream was pasted newest first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .post import Post
from .timeparse import parse_minute, snowflake_time

ORDER_MODES = ("auto", "input", "reverse", "time")

OPENING_CUES = re.compile(
    r"\b(?:(?:will |to )?(?:start|begin|kick off)s? (?:in \d+|shortly|soon)|starting (?:soon|shortly|now|in \d+)"
    r"|about to (?:start|begin|kick off)|welcome (?:to|back to|everyone)|we(?:'re| are) (?:live|underway)"
    r"|good (?:morning|afternoon|evening)|first question|opening (?:remarks|keynote)|kick-?off|line-?ups?"
    r"|team news|hello|hi|hey)\b",
    re.IGNORECASE,
)
CLOSING_CUES = re.compile(
    r"\b(?:final (?:question|whistle|thoughts|word|remarks)|last question|full[- ]time|that'?s all"
    r"|that'?s (?:it|a wrap)|thanks? (?:you )?(?:all |everyone |so much )?for (?:following|watching|joining"
    r"|coming|reading|tuning)|goodbye|bye|see you|closing (?:remarks|thoughts)|to (?:wrap|sum) up"
    r"|in conclusion|wraps? up|(?:event|session|match|game) (?:is )?(?:over|ended|has ended))\b",
    re.IGNORECASE,
)
# Chat small talk: alone it must not flip a stream (one weak cue at the very end scores 0.15 < _DECIDE).
_WEAK = re.compile(r"^(?:hi|hey|hello|bye|see you|that'?s it|good (?:morning|afternoon|evening))$", re.IGNORECASE)
_DECIDE = 0.2
_ENOUGH = 0.8  # share of posts that must carry a time/id for it to decide the order


@dataclass(frozen=True)
class OrderDecision:
    method: str  # time | id | minute | input | reverse
    reason: str


def order_posts(posts: list[Post], mode: str = "auto") -> tuple[list[Post], OrderDecision]:
    """Return the posts in chronological order with the decision; never drops a post."""
    if mode not in ORDER_MODES:
        raise ValueError(f"unknown order mode {mode!r}")
    n = len(posts)
    if mode == "input":
        return list(posts), OrderDecision("input", "input order requested")
    if mode == "reverse":
        return posts[::-1], OrderDecision("reverse", "reverse order requested (newest first)")
    if n < 2:
        return list(posts), OrderDecision("input", "fewer than two posts")
    times = [p.time for p in posts]
    if sum(t is not None for t in times) >= _ENOUGH * n:
        return _sort_by(posts, times), OrderDecision("time", "sorted by post timestamps")
    ids = [_snowflake(p) for p in posts]
    if sum(t is not None for t in ids) >= _ENOUGH * n:
        return _sort_by(posts, ids), OrderDecision("id", "sorted by tweet snowflake ids")
    minutes = [parse_minute(p.meta.get("minute")) for p in posts]
    known = [(i, m) for i, m in enumerate(minutes) if m is not None]
    if len(known) == n:
        order = sorted(range(n), key=lambda i: (minutes[i], i))
        return [posts[i] for i in order], OrderDecision("minute", "sorted by match minute")
    if len(known) >= 2:
        up = sum(1 for (_, a), (_, b) in zip(known, known[1:], strict=False) if b > a)
        down = sum(1 for (_, a), (_, b) in zip(known, known[1:], strict=False) if b < a)
        if down > up:
            return posts[::-1], OrderDecision(
                "minute", f"match minutes decrease along the file ({down} of {up + down} steps): newest first")
        if up > down:
            return list(posts), OrderDecision(
                "minute", f"match minutes increase along the file ({up} of {up + down} steps): oldest first")
    if mode == "time":
        return list(posts), OrderDecision("input", "no timestamps, ids or minutes to sort by: kept input order")
    return _order_by_cues(posts)


def _snowflake(p: Post) -> int | None:
    """The id itself sorts snowflakes (ids minted in the same millisecond stay ordered)."""
    raw = p.meta.get("source_id", p.id)
    return int(str(raw)) if snowflake_time(raw) is not None else None


def _sort_by(posts: list[Post], keys: list) -> list[Post]:
    """Stable sort; a post without a key inherits the key of the post before it."""
    filled: list = []
    last = None
    for k in keys:
        last = k if k is not None else last
        filled.append(last)
    first = next(k for k in filled if k is not None)
    filled = [k if k is not None else first for k in filled]
    order = sorted(range(len(posts)), key=lambda i: (filled[i], i))
    return [posts[i] for i in order]


def cue_score(posts: list[Post]) -> tuple[float, list[str]]:
    """Positive when the text says the stream is newest first; also returns the evidence."""
    n = len(posts)
    score = 0.0
    evidence: list[str] = []
    for i, p in enumerate(posts):
        pos = i / (n - 1) - 0.5  # -0.5 at the first line, +0.5 at the last
        text = p.text
        for cues, sign, kind in ((OPENING_CUES, 1.0, "opening"), (CLOSING_CUES, -1.0, "closing")):
            m = cues.search(text)
            if m:
                weight = 0.3 if _WEAK.match(m.group(0)) else 1.0
                score += sign * pos * weight
                where = "start" if pos < -0.15 else "end" if pos > 0.15 else "middle"
                note = f"{kind} cue '{m.group(0).lower()}' near the {where}"
                if weight == 1.0 and len(evidence) < 4 and note not in evidence:
                    evidence.append(note)
    return score, evidence


def _order_by_cues(posts: list[Post]) -> tuple[list[Post], OrderDecision]:
    score, evidence = cue_score(posts)
    why = "; ".join(evidence)
    if score > _DECIDE:
        return posts[::-1], OrderDecision("reverse", f"newest first: {why}")
    if score < -_DECIDE:
        return list(posts), OrderDecision("input", f"oldest first: {why}")
    if evidence:
        return list(posts), OrderDecision("input", f"cues too weak to reverse ({why}): kept input order")
    return list(posts), OrderDecision("input", "no timestamps, ids, minutes or opening/closing cues: kept input order")
