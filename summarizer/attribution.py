"""Fix who-did-what in a conversation recap: the subject of a sentence must be the person who said it.

Chat summarizers swap speakers ("Jane will order it online" when David wrote "i'll order it online"); the names
are in the chat, so the faithfulness guard's name check passes them. When a recap sentence opens with one
participant's name, its content comes from one post, and that post is another participant speaking of themself
in the first person — not a question, not addressed to anyone ("you"), not naming the sentence's subject — the
actor is that post's author, and the sentence's subject is rewritten to them. Failing that, the act itself can
name the actor: "Thelma will bring it" when only Louisa says "i can bring …" of herself, and Thelma never does
(`_by_act`), or, in a two-person chat, "Caroline will pick up Laura" when Caroline asked Tom "Can you pick up
Laura?" (`_by_address`). Anything less certain is left alone.

The same model also lists one participant twice and leaves another out ("Ciaran and Ciaran are meeting for a
coffee at 1:15"): when exactly one author of the chat goes unnamed in the sentence, the second mention is that
author; otherwise the repeat is dropped where the sentence stays well formed (`complete_list`), and the guard rejects
what is left (`faithfulness.doubled_name`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .faithfulness import _DOUBLED_APART, _WORDS, _reporting_stems, _stem, content_stems, doubled_match
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


# The act a sentence's subject performs: "Thelma will bring it" -> "bring" (after any auxiliaries), and the same act
# said by a speaker of themself: "ok i can bring you my red velvet dress" (Louisa). Session 17: a sentence whose
# subject never says that act of themself, while exactly one other participant does ("I'll bring", "I can bring"),
# names the wrong person. In 80 hand-labelled samsum/dev chats it rewrote 7 wrong-person sentences, each to the
# right person (`scripts/who_did_what.py score ... --variant guard-no-act` for the comparison; model card).
_AUX = (r"(?:(?:will|would|can|could|is|are|was|has|have|had|needs?\s+to|wants?\s+to|has\s+to|is\s+going\s+to|"
        r"going\s+to|also|just|already|not|n't)\s+)*")
# Session 19: "be" with the word after it is an act too ("Jude will be there in a flash" where Scarlet wrote "I'll be
# there in a flash"; "Shaw will be out in 2 minutes" where Lowe wrote "i'll be out"), after an auxiliary only ("Will
# be home soon." has no subject but Will). On samsum/dev and samsum/test it rewrote 11 sentences the guard kept, read
# against their chats: 8 wrong ones became right, 1 stayed wrong, and 2 wrong ones ("James will be waiting for
# Richard" where Richard wrote "I'll be waiting!") put one participant on both sides and were rejected
# (`scripts/guard_ablation.py … --variants guard-no-act-be guard --show-reattributed`).
ACT_BE = True
_ACT_WORD = r"(be\s+[a-z]+|[a-z]+)"
_ACT = re.compile(r"^(\W*)([A-Z][\w-]*)\s+(" + _AUX + r")(be\s+[a-z]+|[a-z]{3,})\b")
_SAID_OF_SELF = re.compile(r"\b(?:i|i'll|i'm|im|ill)\s+(?:(?:will|would|can|could|am|have\s+to|need\s+to|want\s+to|"
                           r"wanna|gonna|going\s+to|must|should|shall|just|also|already)\s+)*" + _ACT_WORD, re.I)


# The other side of the act rule, in a two-person chat (session 18): "Caroline will pick up Laura from school" where
# Caroline wrote "Can you pick up Laura from school today?" and Tom answered. A subject who asks the act of the other
# ("can you pick up", "could u bring it", "you have to book your plane") and never says it of themself names the
# wrong person: the one asked does it. On samsum/dev it changed 31 sentences, read against their chats: 14 wrong ones
# became right, 6 wrong ones were then rejected by the guard, 10 stayed wrong, 1 true one stayed true; none was made
# wrong (`scripts/guard_ablation.py --variants guard-no-address guard --show-reattributed`; model card, "Session 18").
_SAID_TO_OTHER = re.compile(r"\b(?:you|u)\s+(?:(?:will|would|can|could|should|must|have\s+to|need\s+to|want\s+to|"
                            r"wanna|gonna|going\s+to|have|had|just|also|already|did|didn't|don't|do|never)\s+)*"
                            + _ACT_WORD, re.I)


def reattribute(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
    """The sentence with its subject replaced by the author who said it, or None when it stands (or is unsure):
    traced through the post it takes its words from, else through its act (`_ACT`): said of oneself by another
    participant, or asked of the other one by the subject (`_SAID_TO_OTHER`)."""
    return _by_words(sentence, posts) or _by_act(sentence, posts) or _by_address(sentence, posts)


def _by_act(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
    """The subject replaced by the one other participant who says the sentence's act of themself ("I'll upload it"),
    when the subject never does, nor does any post say it of them by name."""
    found = _subject_act(sentence, posts)
    if found is None:
        return None
    authors, m, subject, act = found
    actors: dict[str, Post] = {}
    for p in posts:
        if p.author and _says(_SAID_OF_SELF, act, p):
            actors.setdefault(p.author.lower(), p)
    if len(actors) != 1 or subject in actors or _named_doing(authors[subject], act, posts):
        return None
    post = next(iter(actors.values()))
    fixed = sentence[: m.start(2)] + post.author + sentence[m.end(2):]
    return Reattribution(sentence, fixed, authors[subject], post.author, post.id)


def _subject_act(sentence: str, posts: Sequence[Post]) -> tuple[dict[str, str], re.Match[str], str, str] | None:
    """(authors by lowercased name, the `_ACT` match, the subject lowercased, the act's stem) when the sentence opens
    with one participant doing something in a chat of several authors; else None."""
    authors = {p.author.lower(): p.author for p in posts if p.author}
    m = _ACT.match(sentence)
    if len(authors) < 2 or not m or m.group(2).lower() not in authors or \
            re.match(r"\s*(?:,|and\b|&|\+|or\b)", sentence[m.end(2):]):  # several subjects: leave it
        return None
    if " " in m.group(4) and not (ACT_BE and m.group(3)):  # "be …" after an auxiliary only
        return None
    return authors, m, m.group(2).lower(), _act_stem(m.group(4))


def _act_stem(act: str) -> str:
    """"bring" → "bring", "be There" → "be there": each word stemmed, so "I'll be out" says "Lowe will be out"."""
    return " ".join(_stem(w) for w in act.lower().split())


def _says(pattern: re.Pattern[str], act: str, post: Post) -> bool:
    return any(_act_stem(x.group(1)) == act for x in pattern.finditer(post.display_text))


def _named_doing(name: str, act: str, posts: Sequence[Post]) -> bool:
    """Whether some post says the act of `name` ("Thelma will bring shoes")."""
    said_of = re.compile(rf"\b{re.escape(name)}\s+" + _AUX + _ACT_WORD, re.I)
    return any(_says(said_of, act, p) for p in posts)


def _by_address(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
    """In a two-person chat, the subject replaced by the other participant when the subject asks the act of them
    ("can you pick up Laura") and never says it of themself, nor does the other ask it back, nor any post say it of
    the subject by name."""
    found = _subject_act(sentence, posts)
    if found is None or len(found[0]) != 2:
        return None
    authors, m, subject, act = found

    def says(pattern: re.Pattern[str], who: str) -> list[Post]:
        return [p for p in posts if (p.author or "").lower() == who and _says(pattern, act, p)]

    other = next(k for k in authors if k != subject)
    asked = says(_SAID_TO_OTHER, subject)
    if not asked or says(_SAID_OF_SELF, subject) or says(_SAID_TO_OTHER, other) or \
            _named_doing(authors[subject], act, posts):
        return None
    fixed = sentence[: m.start(2)] + authors[other] + sentence[m.end(2):]
    return Reattribution(sentence, fixed, authors[subject], authors[other], asked[0].id)


def _by_words(sentence: str, posts: Sequence[Post]) -> Reattribution | None:
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
        if m.re is _DOUBLED_APART:  # "Eve, Rob and Eve": not mended, see faithfulness._DOUBLED_APART
            return None
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
