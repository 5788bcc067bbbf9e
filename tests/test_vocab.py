"""The output vocabulary (summarizer.vocab): generation scores only the model's target tokens and the source's."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from summarizer import Event, GenerationSettings, load_summarizer
from summarizer.errors import ModelError
from summarizer.modeling import generate_texts, load_model
from summarizer.vocab import (
    TARGET_VOCAB_FILE,
    allowed_ids,
    load_target_vocab,
    restricted_head,
    write_target_vocab,
)

SOURCES = ["the council approved the budget of 5 million", "Rossi scored a late goal in the 80th minute"]


@pytest.mark.parametrize("kind", ["bart", "t5", "bert2bert"])
def test_the_trimmed_head_scores_allowed_tokens_as_the_full_head_does_and_nothing_else(tiny_models, kind):
    m = load_model(str(tiny_models[kind]))
    model = m.model
    head = model.get_output_embeddings()
    hidden = torch.randn(2, 3, head.weight.shape[1])
    ids = [0, 1, 2, 5, 17, 40]
    with torch.inference_mode():
        full = head(hidden)
        with restricted_head(model, ids) as trimmed:
            assert trimmed and model.get_output_embeddings() is not head
            part = model.get_output_embeddings()(hidden)
    assert model.get_output_embeddings() is head  # restored
    assert part.shape == full.shape
    torch.testing.assert_close(part[..., ids], full[..., ids])
    others = torch.ones(full.shape[-1], dtype=torch.bool)
    others[ids] = False
    assert torch.isneginf(part[..., others]).all()


def test_the_full_head_comes_back_even_when_generation_fails(tiny_models):
    model = load_model(str(tiny_models["bart"])).model
    head = model.get_output_embeddings()
    with pytest.raises(RuntimeError), restricted_head(model, [0, 1, 2]):
        raise RuntimeError("generation failed")
    assert model.get_output_embeddings() is head


def _with_vocab(tiny_models, tmp_path, kind: str, ids: list[int]):
    path = tmp_path / kind
    shutil.copytree(tiny_models[kind], path)
    write_target_vocab(path, ids, {"from": "test"})
    return path


@pytest.mark.parametrize("kind", ["bart", "bert2bert"])
def test_generation_writes_only_target_and_source_tokens(tiny_models, tmp_path, kind):
    """A random model scores every token about alike, so with the full vocabulary it writes tokens from all over
    it; trimmed, every token it writes is in the target vocabulary, a source, or special."""
    m = load_model(str(_with_vocab(tiny_models, tmp_path, kind, [7, 8, 9])))
    assert m.target_vocab == frozenset({7, 8, 9})
    enc = m.tokenizer(SOURCES, padding=True, return_tensors="pt")
    enc.pop("token_type_ids", None)
    allowed = allowed_ids(m.target_vocab, enc["input_ids"], m.tokenizer.all_special_ids)
    kwargs = {"num_beams": 2, "max_new_tokens": 12, "min_new_tokens": 8, "do_sample": False}
    with torch.inference_mode():
        with restricted_head(m.model, allowed):
            trimmed = m.model.generate(**enc, **kwargs)
        full = m.model.generate(**enc, **kwargs)
    assert set(trimmed.flatten().tolist()) <= set(allowed)
    assert not set(full.flatten().tolist()) <= set(allowed)  # the restriction is what keeps it inside


def test_full_vocab_setting_and_models_without_a_target_vocabulary(tiny_models, tmp_path):
    path = _with_vocab(tiny_models, tmp_path, "bart", [7, 8, 9])
    m = load_model(str(path))
    settings = GenerationSettings(num_beams=2, min_words=6)
    trimmed = generate_texts(m, SOURCES, settings, [12, 12])
    full = generate_texts(m, SOURCES, GenerationSettings(num_beams=2, min_words=6, full_vocab=True), [12, 12])
    assert trimmed != full
    assert load_model(str(tiny_models["bart"])).target_vocab is None  # no file: every token is scored
    assert generate_texts(load_model(str(tiny_models["bart"])), SOURCES, settings, [12, 12]) == full


def test_int8_heads_keep_the_full_vocabulary(tiny_models, tmp_path):
    m = load_model(str(_with_vocab(tiny_models, tmp_path, "bart", [7, 8, 9])), dtype="int8")
    with restricted_head(m.model, [0, 1, 2, 7]) as trimmed:
        assert not trimmed
    assert generate_texts(m, SOURCES, GenerationSettings(num_beams=2), [8, 8])


def test_the_vocabulary_is_part_of_the_resume_key_and_the_json(tiny_models, tmp_path):
    path = _with_vocab(tiny_models, tmp_path, "bart", [7, 8, 9])
    s = load_summarizer(str(path), settings=GenerationSettings(num_beams=1, max_words=8))
    data = s.summarize(Event.from_texts(SOURCES, id="e")).to_json()
    assert data["model"]["target_vocab"].startswith("3:")
    key = s.config_key()
    write_target_vocab(path, [7, 8, 10], {"from": "test"})
    assert load_summarizer(str(path), settings=s.settings).config_key() != key
    full = load_summarizer(str(path), settings=GenerationSettings(num_beams=1, max_words=8, full_vocab=True))
    assert full.model_info["target_vocab"] is None and full.config_key() != key


def test_a_bad_target_vocabulary_is_a_clear_error(tmp_path):
    (tmp_path / TARGET_VOCAB_FILE).write_text("{not json")
    with pytest.raises(ModelError, match=TARGET_VOCAB_FILE):
        load_target_vocab(tmp_path, 100)
    (tmp_path / TARGET_VOCAB_FILE).write_text(json.dumps({"ids": [1, 2, 100]}))
    with pytest.raises(ModelError, match="0..99"):
        load_target_vocab(tmp_path, 100)
    assert load_target_vocab(tmp_path / "missing", 100) is None


def test_only_float32_generation_is_trimmed(tiny_models, tmp_path):
    """bfloat16 halves the head's bytes and trimming saved nothing measurable there, so its recaps stay as
    they were; the JSON says which ran."""
    path = _with_vocab(tiny_models, tmp_path, "bart", [7, 8, 9])
    settings = GenerationSettings(num_beams=1, max_words=8)
    assert load_summarizer(str(path), settings=settings, dtype="float32").model_info["target_vocab"]
    bf16 = load_summarizer(str(path), settings=settings, dtype="bfloat16")
    assert bf16.model_info["target_vocab"] is None
    full = load_summarizer(str(path), settings=GenerationSettings(num_beams=1, max_words=8, full_vocab=True),
                           dtype="bfloat16")
    assert generate_texts(bf16.loaded, SOURCES, settings, [8, 8]) == generate_texts(full.loaded, SOURCES,
                                                                                     full.settings, [8, 8])
