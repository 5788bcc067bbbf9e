"""ORACLE: greedy selection of posts that maximises ROUGE-2 F1 against the references (an upper bound)."""

from __future__ import annotations

from collections import Counter

from .base import Baseline, register


def _bigrams(tokens: list[str]) -> Counter:
    return Counter(zip(tokens, tokens[1:], strict=False))


def _f(overlap: int, pred: int, ref: int) -> float:
    if not overlap or not pred or not ref:
        return 0.0
    p, r = overlap / pred, overlap / ref
    return 2 * p * r / (p + r)


@register
class Oracle(Baseline):
    name = "oracle"
    description = "greedy ROUGE-2 oracle against the references (uses the answers: an upper bound)"
    needs_references = True

    def rank(self, posts, words, references=()):
        from eval.tokenize import RecapTokenizer

        tok = RecapTokenizer(True)
        refs = [_bigrams(tok.tokenize(r)) for r in references if r.strip()] or [Counter()]
        ref_sizes = [sum(r.values()) for r in refs]
        unit_bg = [_bigrams(tok.tokenize(p.display_text)) for p in posts]
        unit_sizes = [sum(u.values()) for u in unit_bg]
        chosen: list[int] = []
        cur: Counter = Counter()
        overlaps = [0] * len(refs)
        n_pred = 0
        cur_words = 0
        best_score = 0.0
        remaining = set(range(len(posts)))
        while remaining and cur_words < words:
            best, best_val, best_ov = None, best_score, None
            for i in remaining:
                u = unit_bg[i]
                # overlap grows only through the unit's own bigrams: O(|unit|) per candidate
                ovs = [ov + sum(min(cur[b] + c, r[b]) - min(cur[b], r[b]) for b, c in u.items() if b in r)
                       for ov, r in zip(overlaps, refs, strict=True)]
                val = max(_f(o, n_pred + unit_sizes[i], rs) for o, rs in zip(ovs, ref_sizes, strict=True))
                if val > best_val:
                    best, best_val, best_ov = i, val, ovs
            if best is None:
                break
            chosen.append(best)
            remaining.discard(best)
            cur.update(unit_bg[best])
            overlaps = best_ov
            n_pred += unit_sizes[best]
            cur_words += len(posts[best].display_text.split())
            best_score = best_val
        return chosen  # stop when no post raises ROUGE-2: padding would only lower the bound
