#!/usr/bin/env bash
# Reproduce the evaluation table of models/recap-minilm/README.md (run from the repository root).
# Full pipeline (preprocess -> select -> generate -> post-process -> guard), beam 4, stemmed ROUGE F1, best reference.
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/eval}  # the model card numbers come from this script
MODEL=${MODEL:-models/recap-minilm}
BASE="-s lead -s lexrank -s textrank -s oracle"
recap eval "$DATA/samsum/test.jsonl"      -s "model:$MODEL" $BASE --words ref --out "$OUT/samsum-test"
recap eval "$DATA/tweetsumm/test.jsonl"   -s "model:$MODEL" $BASE --words ref --out "$OUT/tweetsumm-test"
recap eval "$DATA/goal/dev.jsonl"         -s "model:$MODEL" $BASE --words ref --out "$OUT/goal-dev"
recap eval "$DATA/background/dev.jsonl"   -s "model:$MODEL" $BASE --words ref --limit "${BG_LIMIT:-60}" --out "$OUT/background-dev"
