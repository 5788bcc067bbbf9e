"""The training script end to end on a tiny config, and the BERT2BERT sharing pitfalls."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import BertConfig

from summarizer.bert2bert import build_bert2bert, unshare

ROOT = Path(__file__).resolve().parents[1]


def _tiny(share=True):
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=200, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    return build_bert2bert(config=cfg, share=share).eval()


def test_decoder_is_causal_when_sharing():
    m = _tiny()
    src = torch.randint(5, 200, (1, 12))
    tgt = torch.randint(5, 200, (1, 8))
    changed = tgt.clone()
    changed[0, 5] = 7
    a = m(input_ids=src, decoder_input_ids=tgt).logits
    b = m(input_ids=src, decoder_input_ids=changed).logits
    assert torch.allclose(a[0, :5], b[0, :5], atol=1e-6)      # earlier positions never see a later token
    assert not torch.allclose(a[0, 5:], b[0, 5:])


def test_sharing_halves_parameters_and_unshare_keeps_outputs(tmp_path):
    shared, plain = _tiny(True), _tiny(False)
    n_shared = sum(p.numel() for p in shared.parameters())
    assert n_shared < 0.75 * sum(p.numel() for p in plain.parameters())
    assert shared.decoder.bert.encoder.layer[0].attention.self.query is shared.encoder.encoder.layer[0].attention.self.query
    assert shared.decoder.bert.encoder.layer[0].attention.self is not shared.encoder.encoder.layer[0].attention.self
    copy = unshare(shared).eval()
    copy.save_pretrained(tmp_path)  # refuses hand-shared tensors unless unshared
    src, tgt = torch.randint(5, 200, (2, 10)), torch.randint(5, 200, (2, 6))
    assert torch.allclose(shared(input_ids=src, decoder_input_ids=tgt).logits,
                          copy(input_ids=src, decoder_input_ids=tgt).logits, atol=1e-5)


def test_train_script_smoke(tmp_path, fixtures):
    data = tmp_path / "data" / "demo"
    data.mkdir(parents=True)
    for split in ("train", "dev"):
        shutil.copy(fixtures / "events.jsonl", data / f"{split}.jsonl")
    cfg = {"base": "tiny", "seed": 1, "data_dir": str(tmp_path / "data"),
           "mixture": {"demo": {"split": "train", "max_events": None, "repeat": 2, "all_references": True,
                                "exclude_id_prefixes": ["ev-3"]}},
           "augment_probability": 0.5, "max_source_tokens": 128, "max_target_tokens": 32, "batch_size": 2,
           "group_by_length_window": 2, "learning_rate": 0.001, "weight_decay": 0.01, "warmup_steps": 1,
           "max_steps": 4, "label_smoothing": 0.1, "share_encoder_decoder": True, "bf16_autocast": False,
           "threads": 1, "checkpoint_every": 2, "eval_every": 4, "dev": {"demo": 2},
           "generation": {"num_beams": 1, "no_repeat_ngram_size": 3, "length_penalty": 1.0, "max_new_tokens": 8}}
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    run = tmp_path / "run"
    cmd = [sys.executable, str(ROOT / "scripts/train.py"), "--config", str(tmp_path / "cfg.json"), "--out", str(run),
           "--tiny", "--export", str(tmp_path / "model")]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    log = [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 4 and "dev" in log[-1]
    events = [json.loads(x) for x in (fixtures / "events.jsonl").read_text().splitlines()]
    kept_refs = sum(len(e["references"]) for e in events if not e["id"].startswith("ev-3"))
    assert json.loads((run / "data.json").read_text())["counts"]["demo"] == 2 * kept_refs  # held-out ids excluded
    assert (tmp_path / "model" / "model.safetensors").exists() and (tmp_path / "model" / "recap_config.json").exists()
    # the exported output vocabulary is the training targets' tokens (generation scores only those and the source's)
    data = json.loads((run / "data.json").read_text())
    vocab = json.loads((tmp_path / "model" / "target_vocab.json").read_text())["ids"]
    assert set(vocab) == {t for e in data["train"] for t in e["tgt"]}
    # resume continues from the checkpoint instead of starting over
    res = subprocess.run(cmd[:-2] + ["--resume", "--max-steps", "6"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "resumed at step 4" in res.stdout
    # continuing from an exported model (the way the shipped model's stage 2 was trained) exports again; a config's
    # speaker view is written where inference reads it
    assert "speaker_view" not in json.loads((tmp_path / "model" / "recap_config.json").read_text())
    (tmp_path / "cfg2.json").write_text(json.dumps({**cfg, "speaker_view": "third_person"}))
    res = subprocess.run([sys.executable, str(ROOT / "scripts/train.py"), "--config", str(tmp_path / "cfg2.json"),
                          "--out", str(tmp_path / "run2"), "--init", str(tmp_path / "model"), "--max-steps", "2",
                          "--export", str(tmp_path / "model2")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "model2" / "model.safetensors").exists()
    assert json.loads((tmp_path / "model2" / "recap_config.json").read_text())["speaker_view"] == "third_person"
    # a time budget ends the run on the clock, with the learning rate decayed to ~0 by then, whatever max_steps says
    (tmp_path / "budget.json").write_text(json.dumps({**cfg, "max_steps": 100_000, "time_budget_minutes": 0.02,
                                                      "eval_every": 100_000, "checkpoint_every": 100_000}))
    (tmp_path / "run3").mkdir()
    shutil.copy(run / "data.json", tmp_path / "run3" / "data.json")  # the same examples, not built again
    res = subprocess.run([sys.executable, str(ROOT / "scripts/train.py"), "--config", str(tmp_path / "budget.json"),
                          "--out", str(tmp_path / "run3"), "--tiny"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    last = json.loads((tmp_path / "run3" / "log.jsonl").read_text().splitlines()[-1])
    assert 0 < last["step"] < 100_000 and "dev" in last and last["lr"] < 0.2 * cfg["learning_rate"]
    assert json.loads((tmp_path / "run3" / "checkpoint" / "state.json").read_text())["elapsed"] >= 1.2

    from summarizer import Event, load_summarizer

    s = load_summarizer(str(tmp_path / "model"))
    assert s.loaded.max_source_tokens == 128
    assert isinstance(s.summarize(Event.from_texts(["a post about the vote", "another post"])).recap, str)


def test_accelerator_pack_train_and_assemble(tmp_path, fixtures):
    """train.py --pack -> train_accel.py (here on the CPU) -> --assemble: the GPU path end to end.

    The pack must carry the exact initial weights (re-shared), the loop must keep the best dev loss,
    and the shards must reassemble into a model that loads and summarizes."""
    data = tmp_path / "data" / "demo"
    data.mkdir(parents=True)
    for split in ("train", "dev"):
        shutil.copy(fixtures / "events.jsonl", data / f"{split}.jsonl")
    cfg = {"base": "tiny", "seed": 1, "data_dir": str(tmp_path / "data"),
           "mixture": {"demo": {"split": "train", "max_events": None, "repeat": 2, "all_references": True}},
           "augment_probability": 0.5, "max_source_tokens": 128, "max_target_tokens": 32, "batch_size": 2,
           "group_by_length_window": 2, "learning_rate": 0.001, "weight_decay": 0.01, "warmup_steps": 1,
           "max_steps": 2, "label_smoothing": 0.1, "share_encoder_decoder": True, "bf16_autocast": False,
           "threads": 1, "checkpoint_every": 2, "eval_every": 2, "dev": {"demo": 2}, "dev_loss": {"demo": 3},
           "accelerator": {"batch_size": 2, "learning_rate": 0.003, "warmup_steps": 2, "budget_s": 600,
                           "eval_every_s": 0.0, "bf16_autocast": True},
           "generation": {"num_beams": 1, "no_repeat_ngram_size": 3, "length_penalty": 1.0, "max_new_tokens": 8}}
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    script = [sys.executable, str(ROOT / "scripts/train.py"), "--config", str(tmp_path / "cfg.json")]
    res = subprocess.run(script + ["--out", str(tmp_path / "run"), "--tiny", "--export", str(tmp_path / "m0")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    pack = tmp_path / "pack"
    res = subprocess.run(script + ["--out", str(tmp_path / "run"), "--init", str(tmp_path / "m0"), "--pack", str(pack)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]

    sys.path.insert(0, str(ROOT / "scripts"))
    import train_accel
    from transformers import EncoderDecoderModel

    from summarizer.bert2bert import share_layers

    m0 = share_layers(EncoderDecoderModel.from_pretrained(str(tmp_path / "m0"), dtype=torch.float32))
    packed = train_accel.build_model(pack / "init")
    assert packed.decoder.bert.encoder.layer[1].intermediate is packed.encoder.encoder.layer[1].intermediate
    reference = m0.state_dict()  # (from_pretrained grows an unused encoder pooler, which the pack leaves out)
    for k, v in packed.state_dict().items():  # the tiny model's weights were exported in bf16: exact
        assert torch.equal(reference[k], v), k
    assert len(train_accel.load_split(pack, "train")) > 0 and len(train_accel.load_split(pack, "dev_loss")) > 0

    out = tmp_path / "accel"
    res = subprocess.run([sys.executable, str(ROOT / "scripts/train_accel.py"), "--pack", str(pack), "--out", str(out),
                          "--max-steps", "6", "--device", "cpu"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert log[0]["step"] == 0 and log[-1]["done"]["steps"] == 6
    evals = [r for r in log if "dev_loss" in r]
    best = min(evals, key=lambda r: r["dev_loss"]["all"])
    assert json.loads((out / "summary.json").read_text())["best"]["step"] == best["step"]
    assert best["step"] > 0  # a learning rate this high on 6 steps of the training set must lower the dev loss

    res = subprocess.run([sys.executable, str(ROOT / "scripts/train_accel.py"), "--pack", str(pack),
                          "--assemble", str(out), "--export", str(tmp_path / "m1")], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    # --dev-loss re-measures exported models on the pack's dev rows: the initial model gives the logged step-0
    # loss (its weights travel exactly), the assembled one the kept loss (up to its bf16 rounding)
    res = subprocess.run([sys.executable, str(ROOT / "scripts/train_accel.py"), "--pack", str(pack), "--dev-loss",
                          str(tmp_path / "m0"), str(tmp_path / "m1")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    measured = [json.loads(x)["dev_loss"] for x in res.stdout.splitlines() if x.startswith("{")]
    assert measured[0]["all"] == pytest.approx(log[0]["dev_loss"]["all"], abs=1e-3)
    assert measured[1]["all"] == pytest.approx(best["dev_loss"]["all"], abs=0.05)
    assert measured[1]["all"] < measured[0]["all"]
    from summarizer import Event, load_summarizer

    s = load_summarizer(str(tmp_path / "m1"))
    assert s.loaded.max_source_tokens == 128 and s.loaded.target_vocab  # assembled from the pack's targets
    assert isinstance(s.summarize(Event.from_texts(["a post about the vote", "another post"])).recap, str)


def test_weight_shards_split_big_tensors_and_round_trip(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_accel

    monkeypatch.setattr(train_accel, "SHARD_BYTES", 1000)
    tensors = {"emb": torch.randn(50, 16), "small": torch.randn(3), "mid": torch.randn(20, 10)}
    train_accel.write_shards(tensors, tmp_path, {"best": {"step": 1}})
    files = list(tmp_path.glob("shard*.safetensors"))
    assert len(files) > 2 and all(f.stat().st_size < 1000 + 500 for f in files)  # header overhead only
    back = train_accel.read_shards(tmp_path)
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert torch.equal(back[k], v.to(torch.bfloat16)), k
    train_accel.write_shards({"small": torch.ones(3)}, tmp_path, {})  # a later best replaces, never mixes
    assert set(train_accel.read_shards(tmp_path)) == {"small"}


def test_macro_selection_keeps_the_weights_best_on_average_over_datasets(tmp_path, monkeypatch):
    """With "select": "macro" a small dataset's dev loss counts as much as SAMSum's token-weighted bulk."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_accel

    results = iter([{"samsum": 2.0, "background": 7.0, "all": 2.5, "macro": 4.5},
                    {"samsum": 2.2, "background": 5.0, "all": 2.6, "macro": 3.6}])
    monkeypatch.setattr(train_accel, "dev_loss", lambda *a, **k: next(results))
    model = torch.nn.Linear(2, 2)
    kept = []
    best_loss, best = float("inf"), {}
    for step in (1, 2):
        best_loss, best = train_accel._evaluate(model, [1], "cpu", False, [], step, 0, 8, 0.0, 1.0, 1e-4,
                                                best_loss, best, tmp_path, kept.append, "macro")
    assert best["step"] == 2 and best["selected_by"] == "macro" and best_loss == 3.6
    assert [r.get("kept", False) for r in kept] == [True, True]
    results = iter([{"all": 2.5, "macro": 4.5}, {"all": 2.6, "macro": 3.6}])
    best_loss, best = float("inf"), {}
    for step in (1, 2):  # token-weighted: the first is kept
        best_loss, best = train_accel._evaluate(model, [1], "cpu", False, [], step, 0, 8, 0.0, 1.0, 1e-4,
                                                best_loss, best, tmp_path, kept.append, "all")
    assert best["step"] == 1
    results = iter([{"all": 2.5, "who_error": 0.3}, {"all": 2.6, "who_error": 0.27}])
    best_loss, best = float("inf"), {}
    for step in (1, 2):  # "last" (a contrast fine-tune): the schedule's end, though its dev NLL is higher
        best_loss, best = train_accel._evaluate(model, [1], "cpu", False, [], step, 0, 8, 0.0, 1.0, 1e-4,
                                                best_loss, best, tmp_path, kept.append, "last")
    assert best["step"] == 2 and best["selected_by"] == "last"


def test_livetweet_retells_a_dialogue_as_one_broadcast_voice():
    import random

    from summarizer.augment import livetweet
    from summarizer.faithfulness import stream_kind
    from summarizer.pipeline import prepare
    from summarizer.post import Event, Post

    chat = Event(id="c", references=["Amanda baked cookies and will bring Jerry some tomorrow."], posts=[
        Post(id="1", author="Amanda", text="I baked cookies. Do you want some?"),
        Post(id="2", author="Jerry", text="Sure!"),
        Post(id="3", author="Amanda", text="I'll bring you tomorrow :-)")])
    assert stream_kind(prepare(chat).posts) == "conversation"
    for seed in range(6):
        told = livetweet(chat, random.Random(seed))
        assert told.references == chat.references
        assert len({p.author for p in told.posts}) == 1  # one reporter's account, or no author at all
        for before, after in zip(chat.posts, told.posts, strict=True):
            assert after.text.startswith(before.author) and before.text[:5] in after.text
        assert stream_kind(prepare(told).posts) == "broadcast"
    assert livetweet(chat, random.Random(3)) == livetweet(chat, random.Random(3))
    anonymous = Event(id="d", references=["x"], posts=[Post(id="1", author="#Person1#", text="Hello."),
                                                       Post(id="2", author="#Person2#", text="Hi.")])
    assert livetweet(anonymous, random.Random(0)) == anonymous  # speakers that are not names stay as they are


def _match_stream():
    from summarizer.post import Event, Post

    lines = [
        "Kick-off at the Riverside stadium, both sides unchanged.",
        "Early pressure from the hosts but nothing clear cut yet.",
        "GOAL! Okafor heads in from the corner and Riverside lead 1-0.",
        "The visitors look rattled after conceding so early on.",
        "Half-time here with the hosts ahead by a goal to nil.",
        "Second half under way in light rain at the ground.",
        "GOAL! Lindqvist equalises with a low shot, 1-1 now.",
        "Full-time: Riverside 1-1 Harbour after a lively second half.",
    ]
    return Event(id="m", title="Riverside v Harbour", posts=[Post(id=str(i), text=t) for i, t in enumerate(lines)],
                 references=["Okafor heads in from the corner to give Riverside the lead, Lindqvist equalises "
                             "with a low shot and it ends Riverside 1-1 Harbour."])


def test_extract_target_writes_the_posts_best_sentences_in_time_order():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train

    from summarizer.pipeline import prepare
    from summarizer.postprocess import split_sentences

    ev = _match_stream()
    posts = prepare(ev).posts
    target = train.extract_target(posts, ev.references[0], 30)
    okafor, lindqvist = target.find("Okafor heads in"), target.find("Lindqvist equalises")
    assert 0 <= okafor < lindqvist                        # both goals, in the order they happened
    assert "light rain" not in target and "Kick-off" not in target
    assert len(target.split()) <= 30
    posted = " ".join(p.display_text for p in posts)
    assert all(s in posted for s in split_sentences(target))  # copied from the posts, not written
    assert len(train.extract_target(posts, ev.references[0], 5).split()) > 5  # one sentence even past the cap


def test_extract_pairs_asks_for_a_long_reference_one_time_section_at_a_time():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train

    from summarizer.inputs import whitespace_tokens
    from summarizer.pipeline import prepare

    prepared = prepare(_match_stream())
    cfg = {"max_source_tokens": 384, "max_target_tokens": 40}  # the model writes at most 25 words at a time
    short = train.extract_pairs(prepared, "Okafor headed Riverside ahead.", cfg, whitespace_tokens)
    assert len(short) == 1 and short[0][0].startswith("brief | Riverside v Harbour | ")
    assert "Okafor heads in" in short[0][1]
    long_ref = " ".join(["Okafor headed Riverside ahead from a corner and the visitors looked rattled."] * 3 +
                        ["Lindqvist equalised with a low shot in the rain and it finished 1-1 at full-time."] * 3)
    pairs = train.extract_pairs(prepared, long_ref, cfg, whitespace_tokens)
    assert len(pairs) >= 2                                 # as `Summarizer._plan` splits a long request
    assert "Okafor" in pairs[0][0] and "Lindqvist" not in pairs[0][0]   # sections follow time
    assert "Lindqvist" in pairs[-1][0] and "Lindqvist" in pairs[-1][1]
    assert all(len(tgt.split()) <= 25 or "." not in tgt.rstrip(".") for _, tgt in pairs)
