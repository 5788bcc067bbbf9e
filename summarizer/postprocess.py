"""Turn raw decoder output into clean prose: detokenize, truecase, trim, de-duplicate sentences."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Za-z0-9@#£$€])")
_TOKEN = re.compile(r"[@#]?\w+(?:['’]\w+)*|[^\w\s]")
_WORD = re.compile(r"[@#]?\w[\w'’.-]*\w|[@#]?\w")


_NAME_PART = re.compile(r"[^\W_]+|[^\w\s]|_")


def restore_names(text: str, names: Iterable[str]) -> str:
    """Write names with inner punctuation ("#Person1#", "@jo_b", "O'Neil") back as the posts spell them.

    A subword model writes them in pieces ("# person1 #"), and the spacing rules of `detokenize` cannot tell a
    speaker tag from a hashtag: they would glue "#person1 #and". Names without punctuation are left to `truecase`."""
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        parts = _NAME_PART.findall(name)
        if len(parts) < 2 or all(p.isalnum() for p in parts):
            continue
        pattern = r"\s*".join(re.escape(p) for p in parts)
        pattern = (r"\b" if parts[0][0].isalnum() else "") + pattern + (r"\b" if parts[-1][-1].isalnum() else "")
        text = re.sub(pattern, lambda _m, n=name: n, text, flags=re.IGNORECASE)
    return text


def detokenize(text: str) -> str:
    """Fix WordPiece and tokenizer spacing artifacts (`##`, ` ,`, `@ handle`, `it ' s`)."""
    t = re.sub(r"\[(?:unused\d+|UNK|PAD|MASK)\]", " ", text)
    t = t.replace(" ##", "").replace("##", "")
    t = re.sub(r"\s+([.,!?;:%)\]])", r"\1", t)
    t = re.sub(r"([(\[$£€])\s+", r"\1", t)
    t = re.sub(r"(?<![\w#@])([@#])\s+(?=\w)", r"\1", t)  # "# tag" -> "#tag", but not the end of "#Person1# and"
    t = re.sub(r"([\w#])\s*'\s*(s|t|re|ve|ll|d|m)\b", r"\1'\2", t)
    t = re.sub(r"(\d)\s*([.,:])\s*(\d)", r"\1\2\3", t)
    t = re.sub(r"(\d)\s*([ap])\s*\.\s*m\b\s*\.?", r"\1 \2.m.", t, flags=re.IGNORECASE)  # "7 : 30 p. m." -> "7:30 p.m."
    t = re.sub(r"(\d)\s+-\s+(\d)", r"\1-\2", t)
    t = re.sub(r"(?<=\w)\s+-\s+(?=\w)", "-", t)  # "check - up" -> "check-up": 34x a compound for each dash
    t = re.sub(r'"\s+(.*?)\s+"', r'"\1"', t)
    t = re.sub(r"\b(\w+)(?:\s+\1\b)+", r"\1", t, flags=re.IGNORECASE)  # "train train train" -> "train"
    return re.sub(r"\s+", " ", t).strip()


# a title's full stop does not end a sentence ("Mr. White", "Dr. Okafor", "St. Louis") and a name follows it; words
# that often do end one ("No.", "a.m.", "Inc.") are not listed — except "No." or a month before a number ("the
# Interior Department's No. 2 official" in 116 of the 489 background/dev events, `grep -c "No\. [0-9]"`; "Musk says
# sabotage unlikely cause of Sept. 1 explosion" in TSix), which is `_BEFORE_NUMBER`
_TITLES = "Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Gen|Capt|Lt|Sgt|Col|St"
_TITLE_END = re.compile(rf"\b(?:{_TITLES}|vs|e\.g|i\.e)\.$", re.IGNORECASE)
_TITLE_NAME = re.compile(rf"\b({_TITLES})\.\s+(\w)", re.IGNORECASE)
_BEFORE_NUMBER = re.compile(r"\b(?:No|Nos|Vol|Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$")
POSSESSIVE = re.compile(r"['’]s?$")  # "Harrison's", "James'"


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for s in _SENT_SPLIT.split(text):
        s = s.strip()
        if not s:
            continue
        if out and (_TITLE_END.search(out[-1]) or (s[0].isdigit() and _BEFORE_NUMBER.search(out[-1]))):
            out[-1] += " " + s
        else:
            out.append(s)
    return out


_ENDED = re.compile(r"[.!?…][\"'”’)\]]*$|:$")  # ";)" is a wink, not an end


def join_sentences(sentences: Iterable[str]) -> str:
    """One recap text from its sentences; a sentence that does not end like one gets a full stop.

    Sentences the guard takes from the posts often do not ("i used her perfume", "... <file_other>", "... asleep;)"):
    joined bare, the next one reads as their continuation ("i used her perfume The whole house ..."), to readers and
    to `split_sentences`."""
    return " ".join(s if _ENDED.search(s) else s + "." for s in (x.strip() for x in sentences) if s)


def case_table(sources: Iterable[str], names: Iterable[str] = ()) -> dict[str, str]:
    """lowercase word → its most frequent spelling in the posts, preferring non-sentence-initial uses.

    A capitalised function word counts only inside a name or title ("The Room", "Bank of England"): starting a
    sentence or for emphasis in a tweet ("complaining About the update") it says nothing of how to write it;
    two capitals may be an acronym ("US", "IT", "AM") and count; "SHE" or "THE" is shouting.
    `names` (the authors) count whatever they are: a speaker called Will is written "Will"."""
    counts: dict[str, Counter[str]] = {}
    for name in names:
        for w in _WORD.findall(name):
            counts.setdefault(w.lower(), Counter())[w] += 1
    for text in sources:
        for sent in split_sentences(text):
            words = [m.group(0) for m in _WORD.finditer(sent)]
            for i, w in enumerate(words):
                if (w.lower() in ENGLISH_STOP_WORDS and w[0].isupper() and not (len(w) == 2 and w.isupper())
                        and (i == 0 or i + 1 == len(words) or not words[i + 1][0].isupper())):
                    continue
                weight = 1 if i == 0 else 3  # a capital at sentence start says little
                counts.setdefault(w.lower(), Counter())[w] += weight
    return {k: c.most_common(1)[0][0] for k, c in counts.items()}


def truecase(text: str, table: dict[str, str]) -> str:
    """Restore names, acronyms and hashtags as the posts write them; capitalise sentence starts."""
    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if not (w.islower() or w.isupper()):
            return w
        if w.lower() in table:
            return table[w.lower()]
        owner = POSSESSIVE.sub("", w).lower()  # "harrison's" when the posts only say "Harrison"
        if owner != w.lower() and owner in table and owner not in ENGLISH_STOP_WORDS:
            return table[owner] + w[len(owner):]
        return w
    sentences = []
    for s in split_sentences(text):
        s = _WORD.sub(fix, s)
        s = re.sub(r"\bi\b", "I", s)
        s = _TITLE_NAME.sub(lambda m: f"{m[1].capitalize()}. {m[2].upper()}", s)
        for i, ch in enumerate(s):
            if ch.isalpha():
                if s[:i].strip(" \"'(") == "" and not s[i:].startswith(("@", "#")):
                    s = s[:i] + ch.upper() + s[i + 1:]
                break
        sentences.append(s)
    return " ".join(sentences)


def trim_unfinished(text: str) -> str:
    """Drop a last sentence the length limit cut off; a lone sentence gets a full stop instead."""
    sents = split_sentences(text)
    if not sents:
        return ""
    if not re.search(r"[.!?][\"')\]]?$", sents[-1]):
        if len(sents) > 1:
            sents = sents[:-1]
        else:
            sents[-1] = sents[-1].rstrip(",;:- ") + "."
    return " ".join(sents)


def _key(sentence: str) -> set[str]:
    return {w.lower() for w in _TOKEN.findall(sentence) if w[0].isalnum()}


def drop_repeats(text: str, threshold: float = 0.8) -> str:
    """Remove sentences that repeat an earlier one (exactly or with ≥80% of the same words)."""
    kept: list[str] = []
    keys: list[set[str]] = []
    for s in split_sentences(text):
        k = _key(s)
        if any(k and (len(k & o) / max(1, min(len(k), len(o)))) >= threshold for o in keys):
            continue
        kept.append(s)
        keys.append(k)
    return " ".join(kept)


def postprocess(text: str, sources: Iterable[str], uncased: bool = True, names: Iterable[str] = ()) -> str:
    """`names`: the posts' authors, written back as spelled (`restore_names`) and cased as they are."""
    names = list(names)
    t = detokenize(restore_names(text, names))
    if uncased:
        t = truecase(t, case_table(sources, names))
    return drop_repeats(trim_unfinished(t))
