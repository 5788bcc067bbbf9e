"""The harness's ROUGE tokenizer: rouge_score's rules, but it keeps non-ASCII letters.

rouge_score's default tokenizer replaces every character outside [a-z0-9] with a space, so
"Zürich" becomes "z rich" and a Greek or Japanese recap scores zero. This tokenizer:
1. lowercases;
2. removes links (http/www and bare domains, via the preprocessing's link detector);
3. drops the `@` of mentions and the `#` of hashtags (`#IfGdata` → `ifgdata`, as rouge_score does);
4. splits on every character that is not a Unicode letter or digit (underscore included);
5. Porter-stems tokens longer than 3 characters that are ASCII (as rouge_score does; the
   stemmer is English-only, so other scripts are kept as they are).
On ASCII text without links it returns exactly rouge_score's tokens (tested).
"""

from __future__ import annotations

import re

from nltk.stem import porter

from summarizer.clean import is_link

_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


class RecapTokenizer:
    def __init__(self, use_stemmer: bool = True):
        self.stemmer = porter.PorterStemmer() if use_stemmer else None
        self._cache: dict[str, str] = {}

    def tokenize(self, text: str) -> list[str]:
        text = " ".join(t for t in (text or "").lower().split() if not is_link(t))
        tokens = [t for t in _SPLIT.split(text) if t]
        if self.stemmer is None:
            return tokens
        out = []
        for t in tokens:
            if len(t) > 3 and t.isascii():
                s = self._cache.get(t)
                if s is None:
                    s = self._cache[t] = self.stemmer.stem(t)
                out.append(s)
            else:
                out.append(t)
        return out
