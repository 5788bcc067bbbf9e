#!/usr/bin/env python
"""Write `target_vocab.json` into a trained model directory: the tokens of the references it was trained on.

    python scripts/target_vocab.py models/recap-minilm --config models/recap-minilm/train_config.json \
        models/recap-minilm/train_config_stage2.json models/recap-minilm/train_config_stage3.json \
        models/recap-minilm/train_config_stage4.json

`scripts/train.py --export` (and `train_accel.py --assemble`) write the file from the exact training targets; this
rebuilds it for a model trained in stages before that existed, from every reference of the train-split events each
stage's mixture drew from (held-out id prefixes excluded) — a superset of what it saw, which is the safe side:
generation scores only these tokens and the source's (`summarizer.vocab`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.vocab import TARGET_VOCAB_FILE, write_target_vocab  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="model directory (its tokenizer is used)")
    ap.add_argument("--config", nargs="+", required=True, help="the training configs of every stage")
    args = ap.parse_args()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.model)
    ids: set[int] = set()
    drawn: dict[str, int] = {}
    for cfg_path in args.config:
        cfg = json.loads(Path(cfg_path).read_text())
        for name, spec in cfg["mixture"].items():
            spec = spec if isinstance(spec, dict) else {}
            split = spec.get("split", "train")
            skip = tuple(spec.get("exclude_id_prefixes") or ())
            events = [e for e in iter_event_lines(Path(cfg["data_dir"]) / name / f"{split}.jsonl", skip_bad=True)
                      if not (skip and e.id.startswith(skip))]
            refs = [" ".join(r.split()) for e in events for r in e.references]
            for row in tok(refs, add_special_tokens=False)["input_ids"]:
                ids.update(row)
            drawn[f"{name}/{split}"] = max(drawn.get(f"{name}/{split}", 0), len(refs))
    ids.update(tok.all_special_ids)
    path = write_target_vocab(args.model, ids, {"from": "every reference of the training events",
                                                "references": drawn,
                                                "configs": [Path(c).name for c in args.config]})
    print(f"{path}: {len(ids)} of {len(tok)} tokens")
    assert path.name == TARGET_VOCAB_FILE


if __name__ == "__main__":
    main()
