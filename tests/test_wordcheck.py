"""Made-up words: a recap word neither the posts, the model's vocabulary nor English know (summarizer/wordcheck.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer

from summarizer.faithfulness import SourceIndex, check
from summarizer.post import Post
from summarizer.wordcheck import Lexicon, invented_words

MODEL = Path(__file__).resolve().parents[1] / "models" / "recap-minilm"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(AutoTokenizer.from_pretrained(str(MODEL)))


def test_real_words_are_known_however_the_vocabulary_splits_them(lexicon):
    # whole tokens; English words the WordPiece vocabulary splits; inflections and compounds of vocabulary words
    for word in ["funeral", "postpone", "diarrhea", "congratulates", "snowing", "discounts", "stomachache",
                 "sightseeing", "rewatch", "unfollowed", "url", "instagram"]:
        assert lexicon.knows(word), word


def test_half_remembered_names_and_garbled_words_are_not(lexicon):
    # what the shipped model wrote on samsum/dev: "Reynold" as "reynody", "Matt" as "mattyta", "headset" as "headet"
    for word in ["reynody", "reyno", "wucinth", "mattyta", "szy", "headet", "registeri", "donfee", "gitegagaga"]:
        assert not lexicon.knows(word), word


def test_only_lowercase_words_missing_from_the_posts_are_judged(lexicon):
    posts = SourceIndex([Post(id="1", text="call Reynold about the gas heating, tell szy too", author="Francis")])
    assert invented_words("Francis will go to reynody's house with Wucinth.", posts.has_word, lexicon) == ["reynody"]
    assert invented_words("Francis will tell szy about the heating.", posts.has_word, lexicon) == []  # in a post
    assert invented_words("He is ok, im sure.", posts.has_word, lexicon) == []  # too short to judge


def test_the_guard_rejects_a_sentence_with_a_made_up_word_only_given_the_vocabulary(lexicon):
    index = SourceIndex([Post(id="1", text="Can you help me with the gas heating installation?", author="Francis"),
                         Post(id="2", text="Sure, I'm free on Friday", author="Reynold")])
    sentence = "Francis will call reynody to help him with the gas heating installation."
    assert check([sentence], index, lexicon).sentences[0].unsupported == (
        "<'reynody': made up: in no post, no English word list, not the model's vocabulary>",)
    assert check([sentence], index).sentences[0].unsupported == ()
    assert check(["Reynold will help Francis with the gas heating installation on Friday."], index,
                 lexicon).sentences[0].unsupported == ()
