#!/usr/bin/env bash
# All baselines over goal/dev, samsum/test, dutta/test and 200 events of tsix/test, timed (issue: <= 10 min on 2 cores).
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/baselines}
SYS="-s lead -s lexrank -s textrank -s oracle -s random"
start=$(date +%s)
recap eval "$DATA/goal/dev.jsonl"    $SYS --words ref --out "$OUT/goal-dev"    --no-embed > /dev/null
recap eval "$DATA/samsum/test.jsonl" $SYS --words ref --out "$OUT/samsum-test" --no-embed > /dev/null
recap eval "$DATA/dutta/test.jsonl"  $SYS --words ref --out "$OUT/dutta-test"  --no-embed > /dev/null
recap eval "$DATA/tsix/test.jsonl"   $SYS --words ref --out "$OUT/tsix-test-200" --limit 200 --no-embed > /dev/null
echo "all baselines, 4 datasets: $(( $(date +%s) - start ))s"
for d in goal-dev samsum-test dutta-test tsix-test-200; do echo "== $d"; grep -E '^\| (lead|lexrank|textrank|oracle|random) ' "$OUT/$d/report.md" | cut -d'|' -f1-4; done
