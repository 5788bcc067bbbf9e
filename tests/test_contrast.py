"""The who-did-what contrast term of the training loss (scripts/trainloop.py) and its data."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from transformers import BertConfig

from summarizer.bert2bert import build_bert2bert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from trainloop import collate, loss_fn, pair_margins, swapped  # noqa: E402


def test_swapped_exchanges_named_participants_and_brings_in_unnamed_ones():
    out = swapped("Anna will call Ben after Anna's class.", ["Anna", "Ben", "Cleo"])
    assert out == ["Ben will call Anna after Ben's class.",      # the two named ones exchanged throughout
                   "Cleo will call Ben after Cleo's class.",     # each named one replaced by the unnamed one
                   "Anna will call Cleo after Anna's class."]
    assert swapped("#Person1# asks #Person2# for the key.", ["#Person1#", "#Person2#"]) == \
        ["#Person2# asks #Person1# for the key."]                # DialogSum's tags are names too
    assert swapped("Annabel will call.", ["Anna", "Ben"]) == []   # no name inside another word
    assert swapped("They will meet at 5.", ["Anna", "Ben"]) == []


def _tiny():
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    return build_bert2bert(config=cfg, share=True)


def _batch():
    # token 7 and 8 play two participants; the "wrong" targets exchange them; the third item has no version
    items = [{"src": [2, 7, 11, 8, 12, 3], "tgt": [2, 7, 13, 8, 3], "neg": [2, 8, 13, 7, 3]},
             {"src": [2, 8, 14, 7, 3], "tgt": [2, 8, 15, 16, 7, 3], "neg": [2, 7, 15, 16, 8, 3]},
             {"src": [2, 9, 10, 3], "tgt": [2, 9, 3]}]
    return collate(items)


def test_collate_pads_the_wrong_versions_of_the_items_that_have_one():
    b = _batch()
    assert b["neg_rows"].tolist() == [0, 1]
    assert b["neg_labels"].tolist() == [[8, 13, 7, 3, -100], [7, 15, 16, 8, 3]]
    assert b["neg_decoder_input_ids"][0].tolist()[:4] == [2, 8, 13, 7]
    assert "neg_rows" not in collate([{"src": [2, 5, 3], "tgt": [2, 5, 3]}])


def test_contrast_term_is_softplus_of_the_margin_and_training_with_it_widens_the_margin():
    model, b = _tiny().train(), _batch()
    torch.manual_seed(1)
    nll = loss_fn(model.eval(), b, 0.1)
    both = loss_fn(model, b, 0.1, contrast=2.0)
    assert both.item() == pytest.approx(nll.item() + 2.0 * F.softplus(-pair_margins(model, b)).mean().item(), abs=1e-5)
    assert loss_fn(model, collate([{"src": [2, 5, 3], "tgt": [2, 5, 3]}]), 0.1, contrast=2.0).item() == \
        pytest.approx(loss_fn(model, collate([{"src": [2, 5, 3], "tgt": [2, 5, 3]}]), 0.1).item())

    def trained(contrast: float):
        m = copy.deepcopy(model).train()
        opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
        for _ in range(15):
            loss_fn(m, b, 0.1, contrast=contrast).backward()
            opt.step()
            opt.zero_grad()
        with torch.no_grad():
            return pair_margins(m.eval(), b).mean().item()

    # the same steps with the term must leave the reference further ahead of its wrong-person version
    assert trained(5.0) > trained(0.0) + 0.5


def test_encode_gives_a_wrong_person_target_only_where_the_reference_names_a_participant():
    import train

    tok = train.load_tokenizer()
    cfg = {"max_source_tokens": 32, "max_target_tokens": 16, "contrast_weight": 1.0}
    rows = train.encode([{"id": "a", "source": "anna: hi | ben: call me", "target": "Anna will call Ben.",
                          "authors": ["Anna", "Ben"]},
                         {"id": "b", "source": "anna: hi", "target": "They say hi.", "authors": ["Anna", "Ben"]}],
                        tok, cfg)
    assert tok.decode(rows[0]["neg"], skip_special_tokens=True) == "ben will call anna."
    assert rows[0]["neg"][0] == tok.cls_token_id and rows[0]["neg"][-1] == tok.sep_token_id
    assert "neg" not in rows[1]
    assert "neg" not in train.encode([{"id": "a", "source": "x", "target": "Anna will call Ben.",
                                       "authors": ["Anna", "Ben"]}], tok, {**cfg, "contrast_weight": 0})[0]


def test_the_gpu_pack_carries_the_wrong_person_targets(tmp_path):
    import train
    import train_accel

    data = {"train": [{"src": [2, 5, 3], "tgt": [2, 7, 8, 3], "neg": [2, 8, 7, 3], "dataset": "samsum"},
                      {"src": [2, 6, 3], "tgt": [2, 9, 3], "dataset": "samsum"}], "dev_loss": []}
    train.write_pack(tmp_path / "pack", _tiny(), train.load_tokenizer(), {"mixture": {"samsum": {}}}, data)
    rows = train_accel.load_split(tmp_path / "pack", "train")
    assert rows[0]["neg"].tolist() == [2, 8, 7, 3] and len(rows[1]["neg"]) == 0
    assert collate(rows)["neg_rows"].tolist() == [0]
