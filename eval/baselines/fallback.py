"""CENTRAL: the recap the guard falls back to, scored on its own.

When the guard rejects most of what the model wrote, `recap` prints the event's central sentences instead
(`summarizer.recap.extractive_fallback`). Scoring that fallback as a baseline shows how much of a model
row comes from extraction, and what the model adds over it."""

from __future__ import annotations

from .base import Baseline, register


@register
class Central(Baseline):
    name = "central"
    description = "the guard's fallback: central sentences (salience + MMR) up to the word budget, in time order"

    def summarize(self, posts, words, references=()):
        from summarizer.postprocess import join_sentences
        from summarizer.recap import extractive_fallback

        return join_sentences(s.text for s in extractive_fallback(posts, words))
