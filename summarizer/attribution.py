"""Fix who-did-what in a conversation recap: the subject of a sentence must be the person who said it.

Chat summarizers swap speakers ("Jane will order it online" when David wrote "i'll order it online"); the names
are in the chat, so the faithfulness guard's name check passes them. When a recap sentence opens with one
participant's name, its content comes from one post, and that post is another participant speaking of themself
in the first person — not a question, not addressed to anyone ("you"), not naming the sentence's subject — the
actor is that post's author, and the sentence's subject is rewritten to them. Anything less certain is left alone.

The same model also lists one participant twice and leaves another out ("Ciaran and Ciaran are meeting for a
coffee at 1:15"): when exactly one author of the chat goes unnamed in the sentence, the second mention is that
author; otherwise the repeat is dropped where the sentence stays well formed (`complete_list`), and the guard rejects
what is left (`faithfulness.doubled_name`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .faithfulness import _WORDS, _reporting_stems, _stem, content_stems, doubled_match
from .post import Post

_SUBJECT = re.compile(r"^(\W*)([A-Z][\w-]*)(['’]s\b)?")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i'll|i've|i'd|im|ill|my|me|mine|myself)\b", re.I)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|u|ur|you're|youre|yourself)\b", re.I)
MIN_OVERLAP = 2  # content words the sentence shares with the post it is traced to


@dataclass(frozen=True)
class Reattribution:
    original: str
    text: str
    was: str
    now: str
    post_id: str


def reattribute(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
    """The sentence with its subject replaced by the author who said it, or None when it stands (or is unsure)."""
    authors = {p.author.lower(): p.author for p in posts if p.author}
    m = _SUBJECT.match(sentence)
    if len(authors) < 2 or not m or m.group(2).lower() not in authors:
        return None
    subject = m.group(2).lower()
    rest = sentence[m.end():]
    if re.match(r"\s*(?:,|and\b|&|\+|or\b)", rest):  # "Laura and Linda ...": several subjects, leave it
        return None
    names = {_stem(a) for a in authors}
    stems = content_stems(sentence) - names - _reporting_stems()
    if len(stems) < MIN_OVERLAP:
        return None
    overlaps = [len(stems & (content_stems(p.display_text) - names)) for p in posts]
    best = max(range(len(posts)), key=lambda i: (overlaps[i], -i))
    post = posts[best]
    if overlaps[best] < MIN_OVERLAP or not post.author or post.author.lower() == subject:
        return None
    if sum(o == overlaps[best] for o in overlaps) > 1:  # two posts fit as well: no single speaker to trace
        return None
    own = max((o for o, p in zip(overlaps, posts, strict=True) if (p.author or "").lower() == subject), default=0)
    text = post.display_text
    if (own >= overlaps[best] or "?" in text or not _FIRST_PERSON.search(text) or _SECOND_PERSON.search(text)
            or subject in {w.lower() for w in _WORDS.findall(text)}):
        return None
    now = post.author
    fixed = sentence[: m.start(2)] + now + (m.group(3) or "") + rest
    return Reattribution(sentence, fixed, authors[subject], now, post.id)


def complete_list(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
    """Mend a name listed twice, or None when nothing is doubled or it cannot be mended.

    A participant listed twice while exactly one author goes unnamed in the sentence: the second mention is that
    author ("Ciaran and Ciaran are meeting" -> "Ciaran and Mia are meeting"). Any other doubled name is a stutter
    and loses its repeat ("Cristina, Gaya and Gaya will meet" -> "Cristina and Gaya will meet", "Salma sent Hugh
    and Hugh a video" -> "Salma sent Hugh a video") — unless that leaves one name as the subject of what may be a
    plural verb ("Sus and Sus don't ..."), which the guard then rejects (`faithfulness.doubled_name`)."""
    authors = {p.author.lower(): p.author for p in posts if p.author}
    text, was, now, post_id = sentence, [], [], ""
    while m := doubled_match(text):
        name = m.group(1)
        lower = text.lower()
        missing = [a for k, a in authors.items() if not re.search(rf"(?<!\w){re.escape(k)}(?!\w)", lower)]
        if name.lower() in authors and len(missing) == 1:
            text = text[: m.end() - len(name)] + missing[0] + text[m.end():]
            now.append(missing[0])
            post_id = post_id or next(p.id for p in posts if p.author == missing[0])
        elif (mended := _drop_repeat(text, m)) is not None:
            text = mended
            now.append(name)
        else:
            return None
        was.append(name)
    if not was:
        return None
    return Reattribution(sentence, text, ", ".join(was), ", ".join(now), post_id)


# after a lone subject these read the same in the singular ("Joseph will take ...", "Tom decided ...")
_SINGULAR_OK = re.compile(r"\s+(?:will|would|can|could|should|might|must|may|won't|can't|wouldn't|couldn't|"
                          r"shouldn't|\w+ed)\b", re.I)


def _drop_repeat(text: str, m: re.Match[str]) -> str | None:
    """`text` with the repeat of the doubled name at `m` removed, keeping the list around it well formed."""
    name, before, after = m.group(1), text[: m.start()], text[m.end():]
    sep = text[m.start() + len(name): m.end() - len(name)]  # ", " or " and " between the two mentions
    if sep.strip() == ",":  # "Bruce, Bruce and Oliver"
        return before + name + after
    if before.endswith(", "):  # "Cristina, Gaya and Gaya" -> "Cristina and Gaya"
        return before[:-2] + sep + name + after
    if not before.strip(" \"'“‘") and not _SINGULAR_OK.match(after):  # "Tina and Tina keep talking": no verb fix
        return None
    return before + name + after
