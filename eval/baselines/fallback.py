"""CENTRAL: the recap the guard falls back to, scored on its own.

When the guard rejects most of what the model wrote, `recap` prints extracted sentences instead
(`summarizer.recap.extractive_fallback`): a conversation's opening statements (since session 22), a one-voice
stream's most central sentences. Scoring that fallback as a baseline shows how much of a model row comes from
extraction, and what the model adds over it. This baseline ranks a one-voice stream by centrality alone: a model
that ships a learned salience (`summarizer.learned_salience`) ranks a one-voice stream's sentences by it, so on
those streams the model row minus this one is what the learned ranking adds."""

from __future__ import annotations

from .base import Baseline, register


@register
class Central(Baseline):
    name = "central"
    description = ("the guard's fallback: a conversation's opening statements, a one-voice stream's central "
                   "sentences (salience + MMR, no learned ranking), up to the word budget, in time order")

    def summarize(self, posts, words, references=()):
        from summarizer.postprocess import join_sentences
        from summarizer.recap import extractive_fallback

        return join_sentences(s.text for s in extractive_fallback(posts, words))
