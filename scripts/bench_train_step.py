#!/usr/bin/env python
"""Training examples per second on this CPU, float32 vs bf16 autocast, at two batch shapes.

    python scripts/bench_train_step.py [--steps 4] [--threads 2] [--compile]

Whether bf16 autocast pays depends on the CPU: with bf16 instructions (AVX512-BF16, AMX) it is faster, without them
much slower. `scripts/train.py` decides per machine when the config says `"bf16_autocast": "auto"`; this measures
it (the warm-started BERT2BERT, batch 8, random tokens; one optimizer step per batch, as in training).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainloop import collate, loss_fn  # noqa: E402

from summarizer.bert2bert import build_bert2bert  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--compile", action="store_true",
                    help="also time bf16 autocast under torch.compile(dynamic=True), as training's varying batch "
                         "shapes would need it (the compile time is printed apart)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build_bert2bert()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    native = torch.cpu._is_avx512_bf16_supported() if hasattr(torch.cpu, "_is_avx512_bf16_supported") else None
    print(f"torch {torch.__version__}, {args.threads} threads, AVX512-BF16: {native}")
    for src, tgt in ((128, 40), (384, 96)):  # a SAMSum-sized example; the longest the default config builds
        batch = collate([{"src": torch.randint(1000, 20000, (src,)).tolist(),
                          "tgt": torch.randint(1000, 20000, (tgt,)).tolist()} for _ in range(8)])
        rates = {}
        for bf16 in (False, True):
            for i in range(args.steps + 1):  # the first step warms up
                if i == 1:
                    t = time.perf_counter()
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    loss = loss_fn(model, batch, 0.1)
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
            rates[bf16] = 8 * args.steps / (time.perf_counter() - t)
        print(f"source {src} / target {tgt} tokens: float32 {rates[False]:.2f} ex/s, bf16 autocast "
              f"{rates[True]:.2f} ex/s ({rates[True] / rates[False]:.2f}x)", flush=True)
    if args.compile:
        compiled = torch.compile(model, dynamic=True)
        for src, tgt in ((128, 40), (384, 96)):
            batch = collate([{"src": torch.randint(1000, 20000, (src,)).tolist(),
                              "tgt": torch.randint(1000, 20000, (tgt,)).tolist()} for _ in range(8)])
            times = []
            for _ in range(args.steps + 1):  # the first call compiles (or recompiles for the new shape)
                t = time.perf_counter()
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    loss = loss_fn(compiled, batch, 0.1)
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
                times.append(time.perf_counter() - t)
            print(f"source {src} / target {tgt} tokens: torch.compile + bf16 autocast "
                  f"{8 * args.steps / sum(times[1:]):.2f} ex/s (first call {times[0]:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
