"""The extractive recap's learned salience: features, the file it ships in, how the recap uses it, its training."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from summarizer.errors import ModelError
from summarizer.learned_salience import (
    DENSE,
    HASH_FEATURES,
    SALIENCE_FILE,
    SalienceModel,
    dense_features,
    load_salience_model,
    unit_features,
)
from summarizer.post import Post

ROOT = Path(__file__).resolve().parents[1]

STREAM = [Post(id=str(i), text=t) for i, t in enumerate([
    "The council debated the city budget at length today.",
    "The council debated the city budget again this evening.",
    "Councillors debated the city budget line by line.",
    "Kalinic scores the winner for Fiorentina in the 80th minute.",
    "The council debated the city budget and the bus routes.",
])]


def _word_model(word: str, weight: float = 5.0) -> SalienceModel:
    """A model that likes one word and nothing else."""
    from summarizer.learned_salience import _hasher

    w = np.zeros(HASH_FEATURES + len(DENSE))
    col = _hasher().transform([word]).indices[0]
    w[col] = weight
    return SalienceModel(w, 0.0)


def test_features_have_one_row_per_sentence_and_the_dense_columns_in_order():
    positions = [i / 4 for i in range(5)]
    x = unit_features(STREAM, positions)
    assert x.shape == (5, HASH_FEATURES + len(DENSE))
    dense = dense_features(STREAM, positions)
    assert np.allclose(dense[:, DENSE.index("position")], positions)
    assert np.allclose(dense[:, DENSE.index("position_sq")], np.square(positions))
    numbers = dense[:, DENSE.index("numbers")]
    assert numbers[3] > 0 and numbers[0] == 0  # "80th"
    central = dense[:, DENSE.index("centrality")]
    assert central[3] == central.min()  # the one sentence about something else


def test_rank_scores_blend_the_learned_score_with_centrality():
    positions = [i / 4 for i in range(5)]
    word = _word_model("kalinic")
    learned = word.rank_scores(STREAM, positions)
    assert learned.min() == 0 and learned.max() == 1 and int(np.argmax(learned)) == 3
    central_only = SalienceModel(word.weights, 0.0, blend=0.0).rank_scores(STREAM, positions)
    assert int(np.argmin(central_only)) == 3  # centrality ranks the odd one out last
    half = SalienceModel(word.weights, 0.0, blend=0.5).rank_scores(STREAM, positions)
    assert np.allclose(half, 0.5 * learned + 0.5 * central_only)


def test_the_model_round_trips_through_safetensors_and_refuses_other_files(tmp_path):
    rng = np.random.default_rng(0)
    model = SalienceModel(rng.normal(size=HASH_FEATURES + len(DENSE)), 0.25, blend=0.7)
    assert load_salience_model(tmp_path) is None  # no file: centrality
    path = model.save(tmp_path, {"alpha": "1.0"})
    assert path.name == SALIENCE_FILE and not list(tmp_path.glob("*.tmp"))
    loaded = load_salience_model(tmp_path)
    positions = [i / 4 for i in range(5)]
    assert np.allclose(loaded.score(STREAM, positions), model.score(STREAM, positions), atol=1e-4)
    assert loaded.blend == 0.7 and np.allclose(loaded.rank_scores(STREAM, positions),
                                               model.rank_scores(STREAM, positions), atol=1e-4)
    from safetensors.numpy import save_file

    save_file({"weights": np.zeros(10, np.float32), "intercept": np.zeros(1, np.float32)}, str(path),
              metadata={"features": ",".join(DENSE)})
    with pytest.raises(ModelError, match="retrain it"):
        load_salience_model(tmp_path)
    path.write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match=SALIENCE_FILE):
        load_salience_model(tmp_path)


def test_the_extractive_recap_ranks_a_broadcast_stream_by_the_learned_score():
    from summarizer.recap import extract_ranking, extractive_fallback

    central = [s.text for s in extractive_fallback(STREAM, 10)]
    learned = [s.text for s in extractive_fallback(STREAM, 10, ranker=_word_model("kalinic"))]
    assert "Kalinic" not in " ".join(central)  # centrality picks a budget sentence
    assert learned == ["Kalinic scores the winner for Fiorentina in the 80th minute."]
    assert extract_ranking(STREAM, _word_model("kalinic")) == "learned" and extract_ranking(STREAM, None) == "centrality"


def test_a_conversation_ignores_the_learned_salience():
    """The learned salience was trained on one-voice streams; a chat's recap is its opening statements."""
    from summarizer.recap import extract_ranking, extractive_fallback

    chat = [Post(id=p.id, text=p.text, author="AB"[int(p.id) % 2]) for p in STREAM]
    ranker = _word_model("kalinic")
    assert extract_ranking(chat, ranker) == "opening"
    assert [s.text for s in extractive_fallback(chat, 10, ranker=ranker)] == \
        [s.text for s in extractive_fallback(chat, 10)]


def test_a_model_directory_with_a_salience_file_uses_it(tiny_models, tmp_path):
    import shutil

    from summarizer import GenerationSettings, load_summarizer
    from summarizer.post import Event

    model_dir = tmp_path / "bart"
    shutil.copytree(tiny_models["bart"], model_dir)
    event = Event(id="council", posts=STREAM)
    settings = GenerationSettings(num_beams=1, max_words=10)
    plain = load_summarizer(str(model_dir), settings=settings, writer="extract")
    before = plain.summarize(event)
    assert plain.loaded.salience is None and before.stats["extract_ranking"] == "centrality"
    _word_model("kalinic").save(model_dir)
    s = load_summarizer(str(model_dir), settings=settings, writer="extract")
    after = s.summarize(event)
    assert s.loaded.salience is not None and after.stats["extract_ranking"] == "learned"
    assert after.recap.startswith("Kalinic scores the winner") and not before.recap.startswith("Kalinic")
    # the file is part of the model's digest, so a resumed batch recomputes recaps made with another ranking
    assert s.config_key()["model"]["sha256"] != plain.config_key()["model"]["sha256"]


def test_train_salience_learns_which_sentences_the_reference_repeats(tmp_path):
    """End to end on a toy set: the reference always repeats the sentence about the goal, never the chatter."""
    events = []
    for i in range(12):
        posts = [{"id": str(j), "text": t} for j, t in enumerate([
            f"Welcome to our coverage of match {i}, the weather is lovely here.",
            f"Player{i} scores a goal with a header from the corner.",
            "The crowd is singing loudly in the north stand tonight.",
            "Plenty of fans have travelled for this one, a great atmosphere.",
        ])]
        events.append({"id": f"toy-{i}", "posts": posts,
                       "references": [f"Player{i} scores a goal with a header and wins the match."]})
    data = tmp_path / "toy.jsonl"
    data.write_text("".join(json.dumps(e) + "\n" for e in events))
    out = tmp_path / "model"
    out.mkdir()
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_salience.py"), "--set", f"toy={data}",
                          "--export", str(out), "--alpha", "0.1", "--cv", "3"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "toy: 12 events" in run.stdout and "learned-central" in run.stdout
    model = load_salience_model(out)
    units = [Post(id=p["id"], text=p["text"]) for p in events[0]["posts"]]
    scores = model.score(units, [0.0, 1 / 3, 2 / 3, 1.0])
    assert int(np.argmax(scores)) == 1
