"""The FactCC-style checker probe: its made-up errors, and the pack -> accel -> assemble path a lent GPU runs."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import verifier_probe as vp  # noqa: E402


def test_corruptions_name_the_wrong_participant():
    rng = random.Random(3)
    authors = ["Anna", "Ben", "Cleo"]
    outs = {vp.corrupt("Anna will bring Ben's dress.", authors, ["Zed"], rng) for _ in range(200)} - {None}
    assert outs  # every kind of corruption applies to this sentence
    for bad in outs:
        assert bad != "Anna will bring Ben's dress."
        assert any(a in bad for a in authors + ["Zed"])
    assert "Ben will bring Anna's dress." in outs  # the two exchanged
    assert any(b.startswith("Anna and ") for b in outs)  # a co-subject added
    assert vp.corrupt("The party is at 8.", authors, ["Zed"], rng) is None  # no participant: nothing to swap


def test_transplant_recasts_another_chats_sentence_with_this_chats_people():
    rng = random.Random(0)
    moved = vp.transplant("Tom will pick up Mia at 5.", ["Tom", "Mia"], ["Anna", "Ben"], rng)
    assert moved in {"Anna will pick up Ben at 5.", "Ben will pick up Anna at 5."}
    assert vp.transplant("Tom will pick up Mia.", ["Tom", "Mia"], ["Anna"], rng) is None  # too few people
    assert vp.transplant("It rains.", ["Tom"], ["Anna"], rng) is None


def test_pairs_keep_every_reference_sentence_true_and_add_false_ones():
    data = [("Anna: hi | Ben: yo", ["Anna", "Ben"], ["Anna will call Ben.", "They meet at 5."]),
            ("Cleo: hey | Dan: ok", ["Cleo", "Dan"], ["Dan is late."])]
    rows = vp.pairs(data, random.Random(1), transplanted=1.0)
    true = [(s, i) for s, i, lab in rows if lab == 1]
    assert true == [("Anna will call Ben.", 0), ("They meet at 5.", 0), ("Dan is late.", 1)]
    false = [(s, i) for s, i, lab in rows if lab == 0]
    assert false and all((s, i) not in true for s, i in false)  # a false pair is never a true one


def test_labels_merge_files_first_label_wins(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "e1", "sentence": "X.", "label": "ok"}) + "\n")
    b.write_text(json.dumps({"id": "e1", "sentence": "X.", "label": "actor"}) + "\n"
                 + json.dumps({"id": "e2", "sentence": "Y.", "label": "other"}) + "\n")
    rows = vp.read_labels([str(a), str(b)])
    assert [(r["id"], r["label"]) for r in rows] == [("e1", "ok"), ("e2", "other")]


def test_auc_by_ranks():
    y = np.array([1, 1, 0, 0])
    assert vp._auc(y, np.array([0.9, 0.8, 0.1, 0.2])) == 1.0
    assert vp._auc(y, np.array([0.1, 0.2, 0.9, 0.8])) == 0.0
    assert vp._auc(y, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5


def test_collate_builds_bert_pairs_and_cuts_the_chat():
    sent, chat = np.array([7, 8]), np.arange(1000, 1600)
    batch = vp.collate([(sent, 0, 1)], [chat], max_len=16)
    ids = batch["input_ids"][0].tolist()
    assert ids[:4] == [101, 7, 8, 102] and ids[-1] == 102 and len(ids) == 16
    assert batch["token_type_ids"][0].tolist() == [0] * 4 + [1] * 12


def test_pack_accel_assemble_learns_a_separable_task(tmp_path):
    """A tiny BERT, a pack where the true sentences say "yes" and the false "no": the GPU loop (on the CPU here)
    must learn it, log its AUCs, and its shards must reassemble into a classifier that agrees with the log."""
    torch = pytest.importorskip("torch")
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from summarizer.bert2bert import minilm_path

    base = tmp_path / "base"
    tok = AutoTokenizer.from_pretrained(str(minilm_path()))
    torch.manual_seed(0)
    BertForSequenceClassification(BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2,
                                             num_attention_heads=2, intermediate_size=64, num_labels=2),
                                  ).save_pretrained(str(base))
    tok.save_pretrained(str(base))
    chats = ["anna: shall we meet | ben: sure", "cleo: late again | dan: sorry"]
    rows = [(("yes it is so" if k % 2 else "no it is not"), (k // 2) % 2, k % 2) for k in range(64)]
    labelled = [("yes it is so", 0, 0), ("no it is not", 1, 1), ("no it is not", 0, 2)]
    pack = tmp_path / "pack"
    vp.write_pack(pack, tok, chats, {"train": rows, "dev": rows[:16], "labelled": labelled}, base)
    assert len(vp.load_pack(pack)["train"]) == 64
    out = tmp_path / "run"
    script = [sys.executable, str(ROOT / "scripts/verifier_probe.py")]
    res = subprocess.run(script + ["accel", "--pack", str(pack), "--out", str(out), "--max-steps", "40",
                                   "--batch", "8", "--lr", "3e-3", "--warmup-steps", "2", "--eval-every-s", "1e9"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert log[0]["step"] == 0 and log[-1]["step"] == 40
    assert log[-1]["dev_auc"] == 1.0 and log[-1]["labelled_auc_any"] == 1.0
    res = subprocess.run(script + ["assemble", "--pack", str(pack), "--run", str(out), "--out", str(tmp_path / "m")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    model = BertForSequenceClassification.from_pretrained(str(tmp_path / "m"), dtype=torch.float32)
    p = vp.predict(model, AutoTokenizer.from_pretrained(str(tmp_path / "m")),
                   [("yes it is so", chats[1]), ("no it is not", chats[0])])
    assert p[0] > 0.5 > p[1]


def test_auto_label_compares_the_names_with_the_reference_sentence_the_model_sentence_aligns_with():
    from checker_model_errors import auto_label

    refs = ["Anna will bring the cake to the party. Ben is late for the meeting."]
    people = ["Anna", "Ben"]
    assert auto_label("Ben will bring a cake to the party.", refs, people) == "wrong"
    assert auto_label("Anna will bring the cake tomorrow.", refs, people) == "same"
    assert auto_label("Anna and Ben will bring the cake.", refs, people) == "wrong"  # a co-subject the reference lacks
    assert auto_label("They will bring the cake to the party.", refs, people) is None  # names no participant
    assert auto_label("Anna likes dogs.", refs, people) is None                       # aligns with no sentence
    assert auto_label("Ben is late for the meeting.", refs, people) == "same"


def test_fit_pairs_learns_a_separable_pair_task_within_its_examples():
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from summarizer.bert2bert import minilm_path

    tok = AutoTokenizer.from_pretrained(str(minilm_path()))
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=64, num_labels=2))
    data = [("anna sings.", "anna: i sing", 1), ("ben sings.", "anna: i sing", 0)] * 200
    steps = vp.fit_pairs(model, tok, data, lr=3e-3, minutes=5, total=50, warmup=1, floor=1.0, max_len=32, bs=8)
    assert steps == 50  # one pass over the examples, in batches of 8
    p = vp.predict(model.eval(), tok, [(s, c) for s, c, _ in data[:2]], max_len=32)
    assert p[0] > 0.5 > p[1]
