"""Who "I" and "you" are, written into a chat's posts for the model: the speaker's first person becomes their name.

A chat says "ok i can bring you my red velvet dress"; which of two people "i" is, the model must work out from the
author tag before it, and the default model often gets it wrong (model card, "Session 17"). With the speaker view
`third_person`, the model reads "Louisa: Louisa can bring Thelma Louisa's red velvet dress" — in a two-person chat
the second person becomes the other participant; with more, "you" is left as written (it could be anyone). Only the
model's input changes: the faithfulness guard still reads the posts as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .post import Post

SPEAKER_VIEWS = ("as_written", "third_person")
_FIRST = [(r"\bi\s*['’]?\s*m\b|\bi am\b", "{s} is"), (r"\bi\s*['’]\s*ll\b|\bi will\b", "{s} will"),
          (r"\bi\s*['’]\s*ve\b|\bi have\b", "{s} has"), (r"\bi\s*['’]\s*d\b", "{s} would"), (r"\bi was\b", "{s} was"),
          (r"\bmy\b|\bmine\b", "{s}'s"), (r"\bme\b|\bmyself\b|\bi\b", "{s}")]
_SECOND = [(r"\byou\s*['’]\s*re\b|\byou are\b|\bu r\b", "{l} is"), (r"\byou\s*['’]\s*ll\b", "{l} will"),
           (r"\byou\s*['’]\s*ve\b", "{l} has"), (r"\byour\b|\bur\b|\byours\b", "{l}'s"),
           (r"\byou\b|\bu\b|\byourself\b", "{l}")]
_FIRST_RE = [(re.compile(p, re.I), r) for p, r in _FIRST]
_SECOND_RE = [(re.compile(p, re.I), r) for p, r in _SECOND]


def third_person(text: str, speaker: str, listener: str | None = None) -> str:
    """`text` with the speaker's first person (and, given the one listener, the second person) replaced by names."""
    for pattern, repl in _FIRST_RE + (_SECOND_RE if listener else []):
        text = pattern.sub(repl.format(s=speaker, l=listener or "").replace("\\", r"\\"), text)
    return text


def speaker_view(posts: Sequence[Post], view: str = "as_written") -> list[Post]:
    """The posts as the model reads them under `view` (`SPEAKER_VIEWS`); posts without an author stay as written."""
    if view == "as_written":
        return list(posts)
    if view != "third_person":
        raise ValueError(f"unknown speaker view {view!r}; choose {', '.join(SPEAKER_VIEWS)}")
    authors = sorted({p.author for p in posts if p.author})
    out = []
    for p in posts:
        others = [a for a in authors if a != p.author]
        listener = others[0] if len(others) == 1 else None
        out.append(replace(p, clean_text=third_person(p.display_text, p.author, listener)) if p.author else p)
    return out
