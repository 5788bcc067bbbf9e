"""Clean tweet noise into `clean_text`, keeping the raw `text` untouched beside it.

What it does, in order: decode HTML entities; drop a leading `RT @user:`; split glued
hashtags and mentions (`@Gavin#IfGdata` → `@Gavin #IfGdata`); remove links, including
truncated ones (`instituteforgovernment.org.u…`); space an ampersand glued between words
(`1am&amp;rely` → `1am & rely`; `AT&T` stays); drop emoji; turn curly quotes and dashes
into ASCII; collapse whitespace; read `?.` as `?` (a chat's "shelter?." quoted in a recap).
Mentions and hashtags are kept: they carry attribution.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import emoji

from .post import Post

RT_PREFIX = re.compile(r"^\s*RT\s+@(\w{1,30})\s*:?\s*", re.IGNORECASE)
_TLDS = ("com|org|net|gov|edu|io|co|uk|us|ly|me|info|eu|de|fr|nl|be|es|it|ch|at|au|ca|in|ai|tv|fm|do|gl|gd|to|app"
         "|news|live|link|tech|dev|ie|nz|jp|cn|ru|br|int|social|site|online|page|mil")
LINK = re.compile(
    r"(?:https?://|www\.)\S+"                                   # scheme or www links
    r"|(?:[a-z0-9-]+\.)+(?:" + _TLDS + r")(?:/\S*)?"             # bare domain with a known TLD
    r"|(?:[a-z0-9-]+\.)+[a-z0-9-]+/\S*",                        # any domain with a path
    re.IGNORECASE,
)
_EDGE = "()[]<>\"',;:!?."
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_GLUED = re.compile(r"(?<=[\w…])([#@])(?=\w)")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ",
                         "\u200b": "", "\u200d": "", "\ufe0f": ""})
_SPACE = re.compile(r"\s+")
_SPACE_PUNCT = re.compile(r"\s+([,.;:!?])")
_GLUED_AMP = re.compile(r"(\w+)&(\w+)")
_INITIALS = re.compile(r"[A-Z]{1,3}")  # AT&T, R&D, Q&A, H&M: an ampersand inside an abbreviation
_MARK_DOT = re.compile(r"([?!])\.(?!\.)")
MENTION = re.compile(r"(?<![\w@])@(\w{1,30})")
HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)")


def retweet_source(text: str) -> str | None:
    """The handle a `RT @handle: …` post copies, if it is a retweet."""
    m = RT_PREFIX.match(text)
    return m.group(1) if m else None


def is_link(token: str) -> bool:
    """A whitespace token that is a link, also one a copy-paste cut short (`example.org.u…`)."""
    core = token.strip(_EDGE)
    if "@" in core or not ("." in core or "/" in core):
        return False
    if core.endswith("…"):
        return True
    return LINK.fullmatch(core) is not None


def remove_links(text: str) -> str:
    """Token by token: a regex scan over every word boundary was the slowest step at 100k posts."""
    if "." not in text and "/" not in text:
        return text
    return " ".join(t for t in text.split() if not is_link(t))


def clean_text(text: str) -> str:
    t = html.unescape(html.unescape(text)) if "&" in text else text
    if t[:3].upper() == "RT ":
        t = RT_PREFIX.sub("", t)
    t = t.translate(_QUOTES)
    if ("#" in t or "@" in t) and not ("@" in t and _EMAIL.search(t)):
        t = _GLUED.sub(r" \1", t)
    t = remove_links(t)
    if "&" in t:  # after the links, whose query strings glue words with "&" too
        t = _GLUED_AMP.sub(_spaced_amp, t)
    if not t.isascii():  # emoji's scanner is slow; most posts are plain ASCII
        t = emoji.replace_emoji(t, replace=" ")
    t = _SPACE.sub(" ", t).strip()
    t = _SPACE_PUNCT.sub(r"\1", t)
    if "." in t:
        t = _MARK_DOT.sub(r"\1", t)
    return t.strip(" -|:")


def _spaced_amp(m: re.Match) -> str:
    """A tweet's `&amp;` between two words is the word "and" written short; inside an abbreviation it is not."""
    left, right = m.group(1), m.group(2)
    if _INITIALS.fullmatch(left) and _INITIALS.fullmatch(right):
        return m.group(0)
    return f"{left} & {right}"


def clean_posts(posts: list[Post]) -> list[Post]:
    return [replace(p, clean_text=clean_text(p.text)) for p in posts]
