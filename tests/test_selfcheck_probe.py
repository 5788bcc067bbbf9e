"""The SelfCheck-style probe's scores: what the sampled recaps say again, and who they say does it."""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import selfcheck_probe as sp  # noqa: E402

SAMPLES = ["Louisa will bring her red dress. Thelma is happy.", "Louisa will bring the dress to the party.",
           "Thelma needs a dress. Louisa will bring it."]
NAMES = ["louisa", "thelma"]


def test_a_sentence_the_samples_repeat_scores_above_one_they_do_not():
    said, _, _ = sp.scores("Louisa will bring a dress.", SAMPLES, NAMES)
    unsaid, _, _ = sp.scores("Louisa bought new shoes in Paris.", SAMPLES, NAMES)
    assert said > 0.8 and unsaid == 0.0  # "bring" and "dress" in one sampled sentence twice, apart once


def test_the_name_scores_count_only_samples_that_say_who_does_it():
    right = sp.scores("Louisa will bring a dress.", SAMPLES, NAMES)
    wrong = sp.scores("Thelma will bring a dress.", SAMPLES, NAMES)
    assert right[0] == wrong[0]  # the same words either way
    assert right[1] > wrong[1] and right[2] > 0 > wrong[2]  # but the samples have Louisa bring it
    assert math.isnan(sp.scores("The dress is red.", SAMPLES, NAMES)[1])  # no participant named: no name score
