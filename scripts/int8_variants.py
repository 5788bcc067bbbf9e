#!/usr/bin/env python
"""Which layers int8 quantises, and how: time each variant, or run any `recap` command under one.

`--dtype int8` (and `auto` on x86) quantises the decoder's Linear layers and the LM head, one weight scale per
output row (`summarizer.modeling.quantize_int8`). This script reruns the variants that choice was made against:

    python scripts/int8_variants.py bench [--model PATH] [--tokens 60]
        float32, then int8 of every Linear layer per matrix (the int8 of sessions 4-13), per row, and the decoder
        per row (the default): the encoder's time and one fixed-length beam-4 generate on a 500-post crisis stream.
    python scripts/int8_variants.py run --parts decoder encoder [--per-matrix] -- eval FILE -s model:PATH \\
        --words ref --dtype int8 --out runs/DIR
        any `recap` command, with `--dtype int8` quantising those parts instead.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import statistics
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = {  # name: (parts, per_row); None = float32
    "float32": None,
    "int8 all, per matrix": (("encoder", "decoder"), False),
    "int8 all, per row": (("encoder", "decoder"), True),
    "int8 decoder, per row (default)": (("decoder",), True),
}


def bench(args: argparse.Namespace) -> None:
    import torch

    from summarizer import GenerationSettings, load_summarizer
    from summarizer.eventio import iter_event_lines
    from summarizer.modeling import beam_cache, quantize_int8
    from summarizer.vocab import allowed_ids, restricted_head

    event = next(itertools.islice(iter_event_lines(args.data), 1))
    event = replace(event, posts=event.posts[: args.posts])
    s = load_summarizer(args.model, threads=args.threads, dtype="float32", writer="model",
                        settings=GenerationSettings(num_beams=4))
    loaded = s.loaded
    enc = loaded.tokenizer(s._plan(event).segments[0].text, truncation=True, max_length=loaded.max_source_tokens,
                           return_tensors="pt")
    enc.pop("token_type_ids", None)
    kwargs = {"num_beams": 4, "max_new_tokens": args.tokens, "min_new_tokens": args.tokens,
              "no_repeat_ngram_size": 3, "early_stopping": True, "do_sample": False}
    print(f"{len(event.posts)} posts -> {enc['input_ids'].shape[1]} source tokens; {args.tokens} new tokens, beam 4, "
          f"{args.threads} threads, median of {args.repeats}")
    for name, variant in VARIANTS.items():
        model = loaded.model if variant is None else quantize_int8(copy.deepcopy(loaded.model), *variant)
        trim = variant is None and loaded.target_vocab  # float32 scores the trimmed vocabulary, as in a recap
        allowed = allowed_ids(loaded.target_vocab, enc["input_ids"], loaded.tokenizer.all_special_ids) if trim else None
        with torch.inference_mode(), restricted_head(model, allowed):
            model.generate(**enc, **kwargs, **beam_cache(model, 4))  # warm-up
            enc_t, gen_t = [], []
            for _ in range(args.repeats):
                t = time.perf_counter()
                model.get_encoder()(**enc)
                enc_t.append(time.perf_counter() - t)
                t = time.perf_counter()
                model.generate(**enc, **kwargs, **beam_cache(model, 4))
                gen_t.append(time.perf_counter() - t)
        print(f"{name:>32}: encoder {statistics.median(enc_t):.3f} s, generate {statistics.median(gen_t):.3f} s")


def run(args: argparse.Namespace, rest: list[str]) -> None:
    from summarizer import modeling
    from summarizer.cli import app

    modeling.quantize_int8 = partial(modeling.quantize_int8, parts=tuple(args.parts), per_row=not args.per_matrix)
    app(rest, prog_name="recap")


def main() -> None:
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--model", default=None)
    b.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/dutta/test.jsonl"))
    b.add_argument("--posts", type=int, default=500)
    b.add_argument("--tokens", type=int, default=60)
    b.add_argument("--repeats", type=int, default=3)
    b.add_argument("--threads", type=int, default=2)
    r = sub.add_parser("run")
    r.add_argument("--parts", nargs="+", choices=["decoder", "encoder"], default=["decoder"])
    r.add_argument("--per-matrix", action="store_true", help="one weight scale per matrix (sessions 4-13)")
    args = ap.parse_args(argv)
    if args.cmd == "bench":
        bench(args)
    elif not rest:
        ap.error("run: give the recap command after --")
    else:
        run(args, rest)


if __name__ == "__main__":
    main()
