"""`recap` command line: prep, summarize, batch, eval, baselines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import RecapError
from .modeling import DEFAULT_MIN_RATIO

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn the live posts of an event into a short, faithful recap.")
err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Turn the live posts of an event into a short, faithful recap."""


def fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False)
    raise typer.Exit(2)


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="input format (auto, text, jsonl, csv, "
                                        "twitter-v2, twitter-archive, mastodon, bluesky)")]
OrderOpt = Annotated[str, typer.Option("--order", help="auto | input | reverse | time")]


def _token_counter(tokenizer: str | None):
    """Count tokens with the given (or the embedded model's) tokenizer; estimate when there is none."""
    from .inputs import tokenizer_counter
    from .modeling import default_model_path
    from .selection import whitespace_tokens

    default = default_model_path()
    path = tokenizer or (str(default) if (default / "tokenizer_config.json").exists() else None)
    if path is None:
        return whitespace_tokens
    try:
        from transformers import AutoTokenizer

        return tokenizer_counter(AutoTokenizer.from_pretrained(path, trust_remote_code=False))
    except (OSError, ValueError) as exc:
        raise RecapError(f"cannot load tokenizer {path!r}: {str(exc).splitlines()[0]}") from None


@app.command()
def prep(
    file: Annotated[Path, typer.Argument(help="posts file")],
    format: FormatOpt = "auto",
    order: OrderOpt = "auto",
    json_out: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    budget: Annotated[int, typer.Option(help="token budget for selection (0: no selection)")] = 512,
    near: Annotated[float, typer.Option(help="near-duplicate Jaccard threshold (0 turns it off)")] = 0.7,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="skip malformed lines and count them")] = False,
    tokenizer: Annotated[str | None, typer.Option(help="tokenizer (model dir) that measures the budget; default: "
                                                  "the embedded model's, else ~1.3 tokens per word")] = None,
) -> None:
    """Read, order, de-duplicate, clean, filter and select posts; show what is kept."""
    from .order import ORDER_MODES
    from .pipeline import PrepConfig, prepare
    from .prep_report import prep_json, print_human, select_for_budget
    from .readers import read_events

    try:
        if order not in ORDER_MODES:
            raise RecapError(f"unknown --order {order!r}; choose one of {', '.join(ORDER_MODES)}")
        result = read_events(file, format, skip_bad=skip_bad)
    except RecapError as exc:
        fail(exc)
    config = PrepConfig(order=order, near_duplicates=near or None)
    console = Console()
    try:
        count = _token_counter(tokenizer) if budget > 0 else None
    except RecapError as exc:
        fail(exc)
    for event in result.events:
        prepared = prepare(event, config)
        selection = select_for_budget(prepared, budget, count) if budget > 0 else None
        if json_out:
            sys.stdout.write(json.dumps(prep_json(prepared, selection, result.format, result.skipped),
                                        ensure_ascii=False) + "\n")
        else:
            print_human(prepared, selection, console)
    if result.skipped and not json_out:
        err.print(f"skipped {result.skipped} malformed line(s)")


DtypeOpt = Annotated[str, typer.Option(help="auto: int8 on x86 CPUs (about 2x faster than float32, same ROUGE), "
                                        "else bfloat16 where the CPU has bf16 instructions, else float32 | float32 | "
                                        "bfloat16 | int8 (the decoder quantised per row; the encoder stays float32)")]
FastOpt = Annotated[bool, typer.Option("--fast", help="shorthand for --dtype int8 --beams 1: 0.8x the time of int8 "
                                      "beam 4, ~1.5 R-2 points lower on SAMSum (models/recap-minilm/README.md)")]
MinRatioOpt = Annotated[float, typer.Option(help="write at least this share of the word budget (0: the model "
                                          "stops when it likes)")]
WriterOpt = Annotated[str, typer.Option(help="auto (the model for the stream kinds its recap_config.json says it "
                                        "writes well, else extracted sentences) | model | extract")]
FullVocabOpt = Annotated[bool, typer.Option("--full-vocab", help="score every token at each step, not only the "
                                            "model's target vocabulary and the posts' tokens (slower; "
                                            "models/recap-minilm/README.md, Speed)")]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="local model dir or Hub id "
                                              "(default: the embedded model in models/)")]


def _settings(beams: int, min_words: int, max_words: int | None, no_repeat: int, length_penalty: float,
              repetition_penalty: float, seed: int, batch_size: int, min_ratio: float, full_vocab: bool):
    from .modeling import GenerationSettings

    return GenerationSettings(num_beams=beams, min_words=min_words, max_words=max_words, min_ratio=min_ratio,
                              no_repeat_ngram_size=no_repeat, length_penalty=length_penalty,
                              repetition_penalty=repetition_penalty, seed=seed, batch_size=batch_size,
                              full_vocab=full_vocab)


def _summarizer(model, threads, dtype, settings, order, hierarchical, on_unsupported, writer, lazy=False):
    from .pipeline import PrepConfig
    from .recap import WRITERS, load_summarizer

    if writer not in WRITERS:  # before loading the model: a typo should not cost a model load
        raise RecapError(f"unknown --writer {writer!r}; choose {', '.join(WRITERS)}")
    return load_summarizer(model, threads=threads, dtype=dtype, settings=settings, prep=PrepConfig(order=order),
                           hierarchical=hierarchical, on_unsupported=on_unsupported, writer=writer, lazy=lazy)


@app.command()
def summarize(
    file: Annotated[Path, typer.Argument(help="posts file (any supported format)")],
    model: ModelOpt = None,
    format: Annotated[str, typer.Option("--format", help="text | markdown | json")] = "text",
    input_format: Annotated[str, typer.Option("--input-format", help="input format (default: auto)")] = "auto",
    max_words: Annotated[int | None, typer.Option(help="recap length in words (default: from event size)")] = None,
    min_words: Annotated[int, typer.Option(help="minimum recap length in words")] = 0,
    min_ratio: MinRatioOpt = DEFAULT_MIN_RATIO,
    beams: Annotated[int, typer.Option(help="beam size")] = 4,
    no_repeat_ngram: Annotated[int, typer.Option(help="no_repeat_ngram_size")] = 3,
    length_penalty: Annotated[float, typer.Option()] = 1.0,
    repetition_penalty: Annotated[float, typer.Option()] = 1.0,
    seed: Annotated[int, typer.Option()] = 0,
    order: OrderOpt = "auto",
    hierarchical: Annotated[bool, typer.Option(help="summarise time segments first for long events "
                                                     "(more coverage, ~segments+1 times slower)")] = False,
    on_unsupported: Annotated[str, typer.Option(help="drop | extract | keep sentences with unsupported "
                                                "names/numbers")] = "extract",
    threads: Annotated[int | None, typer.Option(help="CPU threads for torch")] = None,
    dtype: DtypeOpt = "auto",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write here (atomically) instead of stdout")] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad")] = False,
    fast: FastOpt = False,
    writer: WriterOpt = "auto",
    full_vocab: FullVocabOpt = False,
) -> None:
    """Write the recap of an event (the main job)."""
    from .eventio import atomic_write_text
    from .readers import read_events
    from .render import OUTPUT_FORMATS, render

    try:
        if format not in OUTPUT_FORMATS:
            raise RecapError(f"unknown --format {format!r}; choose {', '.join(OUTPUT_FORMATS)}")
        result = read_events(file, input_format, skip_bad=skip_bad)
        dtype, beams = ("int8", 1) if fast else (dtype, beams)
        settings = _settings(beams, min_words, max_words, no_repeat_ngram, length_penalty, repetition_penalty, seed, 8,
                             min_ratio, full_vocab)
        # lazy: a broadcast stream gets the extractive recap and never needs the weights (0.63x the start-up: scripts/bench_startup.py)
        s = _summarizer(model, threads, dtype, settings, order, hierarchical, on_unsupported, writer, lazy=True)
        recaps = s.summarize_many(result.events)
    except (RecapError, ValueError) as exc:
        fail(exc)
    for r in recaps:  # say when the text is not the model's writing (markdown and JSON carry it in their stats)
        if format == "text" and r.stats.get("writer") == "extract" and writer != "extract":
            err.print(f"{r.id}: extractive recap — {r.stats['extract_reason']} (--writer model to ask it anyway)",
                      highlight=False)
        elif format == "text" and r.stats.get("guard", {}).get("extractive_fallback"):
            err.print(f"{r.id}: extractive recap — the guard rejected most of what the model wrote "
                      "(--on-unsupported keep to see it)", highlight=False)
    parts = [render(r, format, e.title) for r, e in zip(recaps, result.events, strict=True)]
    text = ("" if format == "json" or len(parts) == 1 else "\n").join(parts)
    if out:
        atomic_write_text(out, text)
    else:
        sys.stdout.write(text)


@app.command()
def batch(
    input: Annotated[Path, typer.Argument(help="a directory of post files, or an event JSONL file")],
    out: Annotated[Path, typer.Option("--out", "-o", help="output directory")],
    model: ModelOpt = None,
    input_format: Annotated[str, typer.Option("--input-format")] = "auto",
    max_words: Annotated[int | None, typer.Option()] = None,
    min_words: Annotated[int, typer.Option()] = 0,
    min_ratio: MinRatioOpt = DEFAULT_MIN_RATIO,
    beams: Annotated[int, typer.Option()] = 4,
    no_repeat_ngram: Annotated[int, typer.Option()] = 3,
    length_penalty: Annotated[float, typer.Option()] = 1.0,
    repetition_penalty: Annotated[float, typer.Option()] = 1.0,
    seed: Annotated[int, typer.Option()] = 0,
    batch_size: Annotated[int, typer.Option(help="events per generate call (float32, bfloat16; int8 writes one event at a "
                                            "time, so a recap does not depend on its neighbours)")] = 8,
    order: OrderOpt = "auto",
    hierarchical: Annotated[bool, typer.Option(help="summarise time segments first for long events")] = False,
    on_unsupported: Annotated[str, typer.Option()] = "extract",
    threads: Annotated[int | None, typer.Option()] = None,
    dtype: DtypeOpt = "auto",
    skip_bad: Annotated[bool, typer.Option("--skip-bad")] = False,
    fast: FastOpt = False,
    writer: WriterOpt = "auto",
    full_vocab: FullVocabOpt = False,
) -> None:
    """Recap many events into DIR; resumable, atomic; failures go to DIR/failures.jsonl (exit 1)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .batch import iter_inputs, run_batch

    try:
        inputs = list(iter_inputs(input, input_format, skip_bad))
        dtype, beams = ("int8", 1) if fast else (dtype, beams)
        settings = _settings(beams, min_words, max_words, no_repeat_ngram, length_penalty, repetition_penalty, seed,
                             batch_size, min_ratio, full_vocab)
        s = _summarizer(model, threads, dtype, settings, order, hierarchical, on_unsupported, writer)
    except (RecapError, ValueError) as exc:
        fail(exc)
    with Progress(TextColumn("recaps"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                  transient=False) as bar:
        task = bar.add_task("recaps", total=len(inputs))
        report = run_batch(s, inputs, out, chunk=max(8, 4 * batch_size), progress=lambda n: bar.advance(task, n))
    err.print(f"done: {report.done} written, {report.skipped} already done, {report.failed} failed → {out}")
    if report.failed:
        err.print(f"failures logged in {out / 'failures.jsonl'}")
        raise typer.Exit(1)


@app.command("eval")
def evaluate_cmd(
    data: Annotated[Path, typer.Argument(help="event JSONL with references")],
    system: Annotated[list[str], typer.Option("--system", "-s", help="baseline name, `model` or model:PATH "
                                              "(repeatable)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="report directory")],
    limit: Annotated[int | None, typer.Option(help="first N events with references")] = None,
    words: Annotated[str, typer.Option(help="word budget: N, `ref` (each event's reference length) or `auto` "
                                       "(baselines: ref; model: its own length rule)")] = "ref",
    seed: Annotated[int, typer.Option()] = 0,
    bootstrap: Annotated[int, typer.Option(help="bootstrap resamples for CIs and tests")] = 1000,
    embed: Annotated[bool, typer.Option(help="MiniLM embedding similarity to the references")] = True,
    beams: Annotated[int, typer.Option(help="beam size for model systems")] = 4,
    batch_size: Annotated[int, typer.Option()] = 8,
    dtype: Annotated[str, typer.Option(help="model weights: float32 (default here, so scores are the same on every "
                                       "machine) | bfloat16 | int8 (the decoder quantised) | auto")] = "float32",
    min_ratio: MinRatioOpt = DEFAULT_MIN_RATIO,
    writer: WriterOpt = "auto",
    full_vocab: FullVocabOpt = False,
) -> None:
    """Score systems against reference summaries, beside baselines, with confidence intervals."""
    from eval.harness import run_eval

    try:
        res = run_eval(data, system, out, limit=limit, words=words, seed=seed, bootstrap=bootstrap, embed=embed,
                       beams=beams, batch_size=batch_size, log=lambda m: err.print(m, highlight=False), dtype=dtype,
                       min_ratio=min_ratio, writer=writer, full_vocab=full_vocab)
    except (RecapError, ValueError, OSError) as exc:
        fail(exc)
    sys.stdout.write((out / "report.md").read_text())
    err.print(f"report, scores, plot and manifest in {out} (best baseline: {res.best_baseline})")


@app.command()
def baselines() -> None:
    """List the extractive baselines `recap eval --system` accepts."""
    from eval.baselines import REGISTRY

    for name, cls in sorted(REGISTRY.items()):
        sys.stdout.write(f"{name:10s} {cls.description}\n")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
