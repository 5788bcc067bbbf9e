"""The shipped default model: present, loadable offline, and fast on a small event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import load_summarizer
from summarizer.modeling import default_model_path
from summarizer.readers import read_events

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "recap-minilm"

pytestmark = pytest.mark.skipif(not (MODEL / "model.safetensors").exists(),
                                reason="default model weights not committed yet")


def test_model_directory_is_complete_and_small():
    for f in ("config.json", "generation_config.json", "model.safetensors", "tokenizer_config.json", "README.md",
              "recap_config.json", "train_config.json", "target_vocab.json", "salience.safetensors"):
        assert (MODEL / f).exists(), f
    assert (MODEL / "model.safetensors").stat().st_size <= 120 * 2**20
    assert not list(MODEL.glob("*.bin")) and not list(MODEL.glob("*.pt"))
    assert json.loads((MODEL / "recap_config.json").read_text())["max_source_tokens"] > 0


@pytest.fixture(scope="module")
def default_summarizer():
    return load_summarizer()


def _assert_guarded(recap, event):
    from summarizer.faithfulness import SourceIndex, check
    from summarizer.pipeline import prepare

    assert len(recap.recap.split()) >= 5
    assert recap.sentences and all(sent.support for sent in recap.sentences)
    # the guard leaves no unsupported name or number in what is returned
    index = SourceIndex(prepare(event).posts)
    assert not check([x.text for x in recap.sentences], index).unsupported


def test_default_model_on_the_bundled_example(monkeypatch, default_summarizer):
    """The bundled panel is a broadcast stream: by default it gets the extractive recap; asked, the model writes."""
    monkeypatch.delenv("RECAP_MODEL", raising=False)
    assert default_model_path() == MODEL
    s = default_summarizer
    assert s.loaded.writes == ("conversation",)
    event = read_events(ROOT / "examples" / "city-transit-panel.txt").events[0]
    recap = s.summarize(event)  # speed is measured by scripts/bench_speed.py, not asserted under CI load
    assert recap.stats["writer"] == "extract" and recap.stats["guard"]["generated_sentences"] == 0
    assert s.loaded.salience is not None and recap.stats["extract_ranking"] == "learned"
    _assert_guarded(recap, event)
    forced = load_summarizer(writer="model").summarize(event)
    assert forced.stats["writer"] == "model" and forced.stats["guard"]["generated_sentences"] > 0
    _assert_guarded(forced, event)


def test_the_bundled_example_is_recapped_without_loading_the_weights(default_summarizer):
    """`recap summarize` loads lazily: the panel's extractive recap needs the tokenizer and the salience only."""
    event = read_events(ROOT / "examples" / "city-transit-panel.txt").events[0]
    lazy = load_summarizer(lazy=True)
    recap = lazy.summarize(event)
    assert recap.stats["writer"] == "extract" and not lazy.loaded.weights_loaded
    assert recap.recap == default_summarizer.summarize(event).recap


def test_default_model_writes_the_recap_of_a_conversation(default_summarizer):
    from summarizer import Event, Post

    lines = [("Priya", "Is the pricing page ready for the launch on Thursday?"),
             ("Marco", "Almost, legal still has to approve the refund wording."),
             ("Priya", "And the demo video?"),
             ("Hana", "The video is done. I will upload it to the press kit tonight."),
             ("Priya", "Great, thanks both. Thursday it is.")]
    event = Event(id="chat", posts=[Post(id=str(i), text=t, author=a) for i, (a, t) in enumerate(lines)])
    recap = default_summarizer.summarize(event)
    assert recap.stats["writer"] == "model" and recap.stats["guard"]["generated_sentences"] > 0
    _assert_guarded(recap, event)


def test_the_bundled_team_chat_recap_pins_no_day_or_time_to_the_wrong_thing(default_summarizer):
    """In float32 (this fixture) the model writes "… upload the video … tonight at 4 pm. He will get the team call on
    Tuesday." (4pm is the call, Tuesday is Legal's deadline), and the printed recap must not say either. (Under int8,
    the CLI's default on x86, it writes other sentences that the guard passes: a known gap, model card, Limitations.)"""
    from summarizer.faithfulness import SourceIndex
    from summarizer.pipeline import prepare

    event = read_events(ROOT / "examples" / "launch-team-chat.jsonl").events[0]
    recap = default_summarizer.summarize(event)
    _assert_guarded(recap, event)
    index = SourceIndex(prepare(event).posts)
    assert not any(index.misplaced_times(s.text) for s in recap.sentences), recap.recap
    assert not any("upload" in s.text and "4" in s.text for s in recap.sentences), recap.recap
    assert not any("call" in s.text and "Tuesday" in s.text for s in recap.sentences), recap.recap
