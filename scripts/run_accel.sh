#!/usr/bin/env bash
# What runs on the lent GPU machine (from the repo root, with the pack carried in $PACK, default .accel/pack):
# print the software it found, then train ($BUDGET seconds if set, else the config's budget_s); log, summary and
# weight shards land in $OUT.
# The whole procedure, both machines, is in models/recap-minilm/README.md ("Stage 4").
set -euo pipefail
OUT=${OUT:-runs/accel}
PACK=${PACK:-.accel/pack}
nvidia-smi -L || true
python3 -c "import torch, transformers, numpy, safetensors; print('torch', torch.__version__, 'transformers', \
transformers.__version__, 'numpy', numpy.__version__, 'cuda', torch.cuda.is_available())"
PYTHONUNBUFFERED=1 python3 scripts/train_accel.py --pack "$PACK" --out "$OUT" ${BUDGET:+--budget-s "$BUDGET"}
