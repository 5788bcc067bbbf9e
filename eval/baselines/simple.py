"""RANDOM and LEAD."""

from __future__ import annotations

import random

from .base import Baseline, register


@register
class Random(Baseline):
    name = "random"
    description = "random posts (seeded), shown in chronological order"

    def rank(self, posts, words, references=()):
        idx = list(range(len(posts)))
        random.Random(self.seed).shuffle(idx)
        return idx


@register
class Lead(Baseline):
    name = "lead"
    description = "the first posts in chronological order"

    def rank(self, posts, words, references=()):
        return list(range(len(posts)))
