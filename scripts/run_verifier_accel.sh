#!/usr/bin/env bash
# What runs on the lent GPU for the checker probe (session 20), from the repo root with the pack carried in
# .accel/verifier (scripts/verifier_probe.py pack): two learning rates side by side on the one GPU, $BUDGET
# seconds each; both logs come back, and the weights of the run with the better synthetic dev AUC (the
# hand-labelled sentences are only reported, never used to choose).
set -euo pipefail
OUT=${OUT:-runs/verifier-accel}
B=${BUDGET:-400}
PACK=${PACK:-.accel/verifier}
nvidia-smi -L || true
export PYTHONUNBUFFERED=1
for run in "a 5e-5" "b 1.5e-4"; do
  set -- $run
  python3 scripts/verifier_probe.py accel --pack "$PACK" --out "$OUT/$1" --budget-s "$B" --lr "$2" \
    --batch 64 --warmup-steps 300 --eval-every-s 30 2>&1 | sed "s/^/$1 /" &
done
wait
auc() { tail -1 "$OUT/$1/log.jsonl" | python3 -c "import json,sys; print(json.load(sys.stdin)['dev_auc'])"; }
if python3 -c "import sys; sys.exit(0 if float('$(auc a)') >= float('$(auc b)') else 1)"; then lose=b; else lose=a; fi
rm -f "$OUT/$lose"/shard*.safetensors "$OUT/$lose"/summary.json
echo "kept the weights of run $([ $lose = a ] && echo b || echo a)"
