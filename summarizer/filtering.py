"""Drop housekeeping and noise posts, each with a reason, so nothing disappears silently."""

from __future__ import annotations

import re

from .clean import HASHTAG, MENTION
from .post import Post

_R = re.IGNORECASE
# (pattern, reason, gate words): a pattern only runs on posts containing one of its gate words,
# because scanning every post with every pattern was the slowest step at 100k posts.
HOUSEKEEPING: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"\b(?:will |to )?(?:start|begin)s?(?:ing)? (?:in \d+\s*(?:min|minutes|mins|hours?)|shortly|soon)\b", _R),
     "housekeeping: start announcement", ("start", "begin")),
    (re.compile(r"\b(?:watch|tune in|join us|follow)\b.{0,40}\b(?:live ?stream|live now|livestream|live at|stream)\b", _R),
     "housekeeping: stream announcement", ("stream", "live")),
    (re.compile(r"\b(?:live ?stream|watch live|watch it live)\b.{0,20}(?:https?://|\w+\.\w+/|here|below|now)", _R),
     "housekeeping: stream announcement", ("stream", "watch")),
    (re.compile(r"\b(?:submit|send|post|ask) (?:your |us your |in your )?questions?\b|\bvia (?:sli\.?do|slido)\b"
                r"|\bsli\.do\b|\bq ?& ?a (?:is )?(?:open|now open)\b", _R),
     "housekeeping: questions call", ("question", "slido", "sli.do", "q&a", "q & a")),
    (re.compile(r"\b(?:register|sign up|book) (?:now|here|today|your (?:place|seat|ticket))\b|\blink in bio\b", _R),
     "housekeeping: registration", ("register", "sign up", "book", "link in bio")),
    (re.compile(r"\b(?:slides|recording|video) (?:will be|are|is) (?:available|posted|shared|online|up)\b", _R),
     "housekeeping: materials notice", ("slides", "recording", "video")),
    (re.compile(r"\b(?:that'?s all for (?:our|the|today)|thanks? (?:you )?(?:all |so much )?for following"
                r"(?: along)?(?: our (?:live )?coverage)?)\b", _R),
     "housekeeping: sign-off", ("that's all", "thats all", "that’s all", "thank")),
]
SPAM = re.compile(
    r"\b(?:follow (?:me|back)|free followers|giveaway|click (?:here|the link)|dm (?:me|us) for|buy now|promo code"
    r"|check out my|earn \$?\d+|work from home|crypto signals?|onlyfans)\b", _R)
_WORD = re.compile(r"[^\W_]{2,}")
# Cheap substring gate for the spam pattern.
_SPAM_WORDS = ("follow", "giveaway", "click", "dm ", "buy now", "promo", "check out my", "earn", "work from home",
               "crypto", "onlyfans")


def _has_content(text: str) -> bool:
    plain = 0
    for tok in text.split():
        if tok[0] not in "@#" and tok.isalpha():
            plain += 1
            if plain >= 2:
                return True
    content = HASHTAG.sub(" ", MENTION.sub(" ", text))
    return bool(_WORD.search(content))


def drop_reason(post: Post) -> str | None:
    """Why a post should be dropped, or None to keep it."""
    text = post.clean_text if post.clean_text or not post.text.strip() else post.text
    if not _has_content(text):
        return "no content: only links, mentions, hashtags or symbols" if post.text.strip() else "empty post"
    lower = post.text.lower()
    for pattern, reason, gate in HOUSEKEEPING:
        if any(w in lower for w in gate) and pattern.search(post.text):
            return reason
    if any(w in lower for w in _SPAM_WORDS) and SPAM.search(text):
        return "spam"
    return None


def filter_posts(posts: list[Post]) -> tuple[list[Post], list[tuple[str, str]]]:
    kept: list[Post] = []
    dropped: list[tuple[str, str]] = []
    for p in posts:
        reason = drop_reason(p)
        if reason is None:
            kept.append(p)
        else:
            dropped.append((p.id, reason))
    return kept, dropped
