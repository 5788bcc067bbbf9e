"""Words the model made up: a recap word that neither the posts, the model's own vocabulary nor English know.

An uncased WordPiece model that half-remembers a name spells it in pieces ("Reynold" → "reynody", "rey ##no ##dy";
"wucinth", "mattyta"). The casing step capitalises only names it finds in the posts, so such a word stays lowercase
and the item check (names must be in the posts) never sees it. A real word the posts do not use is an English word
(pyspellchecker's word list, shipped inside that package), one vocabulary token ("lol"), a vocabulary word with an
inflection ("snow ##ing") or a compound of vocabulary words ("stomach ##ache"); what is none of these is taken as
invented (session 19, measured in the model card).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

# what an English word adds to a stem the vocabulary holds whole ("snowing", "rescheduled", "unfollow")
SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "less", "able", "ing", "ers", "est", "ful", "ies", "ied",
            "ish", "ed", "er", "es", "ly", "s", "d", "y")
PREFIXES = ("over", "out", "pre", "dis", "mis", "re", "un")
# words of chats and support threads newer than the word list and split by the vocabulary ("send the url")
WEB_WORDS = frozenset({"url", "urls", "instagram", "whatsapp", "wifi", "emoji", "emojis", "selfie", "selfies",
                       "tiktok", "snapchat", "iphone", "gif", "gifs", "meme", "memes", "airbnb", "uber"})
MIN_LETTERS = 3  # "szy" is one; "im", "ok" and other chat spellings are shorter
_MARKERS = re.compile(r"^(?:##|▁|Ġ)")  # WordPiece continuation, SentencePiece and byte-level BPE word starts
LOWER_WORD = re.compile(rf"(?<![\w'’-])[a-z]{{{MIN_LETTERS},}}(?=(?:['’]s)?(?![\w'’-]))")  # "reynody's" too


@cache
def english() -> frozenset[str]:
    """pyspellchecker's English word list (about 160,000 words, lowercase), read once."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary) | WEB_WORDS


class Lexicon:
    """Whether a lowercase word is English or one a tokenizer's vocabulary holds (whole, inflected, or as a
    compound)."""

    def __init__(self, tokenizer: Any):
        self._tokenize = tokenizer.tokenize
        self.pieces = lru_cache(maxsize=65536)(self._pieces)

    def _pieces(self, word: str) -> tuple[str, ...]:
        return tuple(p for p in (_MARKERS.sub("", t) for t in self._tokenize(" " + word)) if p)

    def whole(self, word: str) -> bool:
        return len(self.pieces(word)) == 1

    def knows(self, word: str) -> bool:
        """A whole vocabulary word, or one with a prefix ("re-schedule"), a suffix ("snow-ing", "schedul(e)-ed",
        "sit(t)-ing", "part(y)-ies") or both, or a compound of whole words ("stomach-ache", "sight-see-ing"); else
        an English word ("postpone", "diarrhea")."""
        if self._base(word):
            return True
        for suffix in SUFFIXES:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= MIN_LETTERS - 1:
                bases = [base, base + "e", base + "y"] + ([base[:-1]] if base[-1] == base[-2:-1] else [])
                if any(self._base(b) for b in bases):
                    return True
        return word in english()  # last: the word list is read on first use (0.1 s)

    def _base(self, word: str) -> bool:
        if self.whole(word):
            return True
        # two whole words ("stomach|ache", "sight|see"), the first of four letters or more: "rey|nod" is no compound
        halves = range(MIN_LETTERS + 1, len(word) - MIN_LETTERS + 1)
        if any(self.whole(word[:i]) and self.whole(word[i:]) for i in halves):
            return True
        return any(word.startswith(p) and len(word) - len(p) >= MIN_LETTERS and self.whole(word[len(p):])
                   for p in PREFIXES)


def invented_words(sentence: str, in_posts: Callable[[str], bool], lexicon: Lexicon) -> list[str]:
    """The lowercase words of `sentence` that the posts do not have (`in_posts`) and `lexicon` does not know."""
    return list(dict.fromkeys(w for w in LOWER_WORD.findall(sentence) if not in_posts(w) and not lexicon.knows(w)))
