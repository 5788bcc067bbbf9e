"""`recap eval`: score model systems and baselines on an event JSONL file with references.

Every system sees the same preprocessed posts. Model systems go through `run_batch` (the
code path of `recap batch`, so they are resumable); baselines fill the same word budget.
Outputs in `--out`: scores.jsonl / scores.csv (per event and system), predictions/,
report.md (aggregate ± 95% CI, paired bootstrap vs the best baseline), rouge2.png, manifest.json.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.batch import run_batch, safe_name
from summarizer.eventio import atomic_write_text, iter_event_lines
from summarizer.modeling import DEFAULT_MIN_RATIO, GenerationSettings
from summarizer.pipeline import Prepared, prepare
from summarizer.post import Event

from .baselines import REGISTRY, get_baseline
from .signals import Embedder, signals

METRIC_DIR = Path(__file__).parent / "metrics" / "recap_rouge"
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(frozen=True)
class SystemSpec:
    label: str
    kind: str                # "baseline" | "model"
    path: str | None = None


def parse_system(text: str) -> SystemSpec:
    """`lexrank`, `model` (the embedded default) or `model:PATH_OR_HUB_ID`."""
    if text == "model" or text.startswith("model:"):
        path = text.split(":", 1)[1] if ":" in text else None
        label = "model" if path is None else "model:" + Path(path).name
        return SystemSpec(label, "model", path)
    if text.lower() not in REGISTRY:
        raise ValueError(f"unknown system {text!r}; baselines: {', '.join(sorted(REGISTRY))}, or model[:PATH]")
    return SystemSpec(text.lower(), "baseline")


def ref_words(event: Event) -> int:
    refs = [r for r in event.references if r.strip()]
    return max(5, round(sum(len(r.split()) for r in refs) / len(refs))) if refs else 50


def load_rouge():
    import evaluate

    return evaluate.load(str(METRIC_DIR))


def paired_bootstrap(a: np.ndarray, b: np.ndarray, n: int = 1000, seed: int = 0) -> dict[str, float]:
    """Mean difference a−b, its 95% CI, and a two-sided p-value from resampling events."""
    d = a - b
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(d), size=(n, len(d)))
    means = d[idx].mean(axis=1)
    delta = float(d.mean())
    tail = float((means <= 0).mean() if delta > 0 else (means >= 0).mean())
    return {"delta": delta, "ci_low": float(np.percentile(means, 2.5)), "ci_high": float(np.percentile(means, 97.5)),
            "p_value": min(1.0, 2 * tail)}


@dataclass
class EvalResult:
    systems: list[str]
    per_event: list[dict[str, Any]] = field(default_factory=list)
    aggregate: dict[str, dict[str, Any]] = field(default_factory=dict)
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)
    best_baseline: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


def run_eval(data: Path, systems: Sequence[str], out: Path, limit: int | None = None, words: str = "ref",
             seed: int = 0, bootstrap: int = 1000, embed: bool = True, beams: int = 4, batch_size: int = 8,
             log: Callable[[str], None] = print, dtype: str = "float32", min_ratio: float = DEFAULT_MIN_RATIO,
             writer: str = "auto", full_vocab: bool = False) -> EvalResult:
    specs = [parse_system(s) for s in systems]
    if words not in ("ref", "auto") and not str(words).isdigit():
        raise ValueError("--words must be a number, 'ref' or 'auto'")
    events = [e for e in iter_event_lines(data) if any(r.strip() for r in e.references)]
    if limit:
        events = events[:limit]
    if not events:
        raise ValueError(f"{data}: no events with references")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    prepared = [prepare(e) for e in events]
    budgets = [ref_words(e) if words in ("ref", "auto") else int(words) for e in events]
    timings = {"prepare": time.perf_counter() - t0}
    preds: dict[str, list[str]] = {}
    model_meta: dict[str, Any] = {}
    for spec in specs:
        t = time.perf_counter()
        if spec.kind == "baseline":
            b = get_baseline(spec.label, seed)
            preds[spec.label] = [b.summarize(p.posts, w, e.references) for p, w, e in zip(prepared, budgets, events,
                                                                                         strict=True)]
        else:
            preds[spec.label], model_meta[spec.label] = _run_model(spec, events, budgets, words, out, beams,
                                                                   batch_size, seed, dtype, min_ratio, writer,
                                                                   full_vocab)
        timings[spec.label] = time.perf_counter() - t
        log(f"{spec.label}: {len(events)} events in {timings[spec.label]:.1f}s")
        atomic_write_text(out / "predictions" / f"{safe_name(spec.label)}.jsonl",
                          "".join(json.dumps({"id": e.id, "prediction": p}, ensure_ascii=False) + "\n"
                                  for e, p in zip(events, preds[spec.label], strict=True)))
    result = _score(events, prepared, preds, [s.label for s in specs], seed, bootstrap, embed, log)
    result.timings = {k: round(v, 2) for k, v in timings.items()}
    _write(result, out, data, events, specs, model_meta, words, seed, beams)
    return result


def _run_model(spec: SystemSpec, events: list[Event], budgets: list[int], words: str, out: Path, beams: int,
               batch_size: int, seed: int, dtype: str = "float32", min_ratio: float = DEFAULT_MIN_RATIO,
               writer: str = "auto", full_vocab: bool = False) -> tuple[list[str], dict]:
    from summarizer.recap import load_summarizer

    settings = GenerationSettings(num_beams=beams, seed=seed, batch_size=batch_size,
                                  min_ratio=min_ratio, full_vocab=full_vocab,
                                  max_words=None if words in ("ref", "auto") else int(words))
    by_id = {e.id: w for e, w in zip(events, budgets, strict=True)} if words == "ref" else None
    s = load_summarizer(spec.path, settings=settings, words_by_id=by_id, dtype=dtype, writer=writer)
    sysdir = out / "systems" / safe_name(spec.label)
    run_batch(s, [(e.id, e) for e in events], sysdir)
    recaps = []
    for e in events:
        f = sysdir / f"{safe_name(e.id)}.json"
        recaps.append(json.loads(f.read_text())["recap"] if f.exists() else "")
    return recaps, {"name": s.loaded.name, "sha256": s.loaded.sha256, "path": s.loaded.path,
                    "generation": settings.to_dict(), "words": words, "dtype": dtype, "writer": writer}


def _score(events, prepared: list[Prepared], preds, labels, seed, bootstrap, embed, log) -> EvalResult:
    rouge = load_rouge()
    refs = [[r for r in e.references if r.strip()] for e in events]
    res = EvalResult(systems=labels)
    embedder = Embedder() if embed else None
    per: dict[str, dict[str, np.ndarray]] = {}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for label in labels:
        r = rouge.compute(predictions=preds[label], references=refs, bootstrap=bootstrap, seed=seed, per_example=True)
        sig = [signals(p, pp.posts) for p, pp in zip(preds[label], prepared, strict=True)]
        sims = embedder.similarity(preds[label], refs) if embedder else [float("nan")] * len(events)
        cols: dict[str, list[float]] = {}
        for e, ex, sg, sim in zip(events, r["per_example"], sig, sims, strict=True):
            row = {"id": e.id, "system": label}
            for k in ROUGE_KEYS:
                row[f"{k}_p"] = round(100 * ex[k]["precision"], 3)
                row[f"{k}_r"] = round(100 * ex[k]["recall"], 3)
                row[f"{k}_f"] = round(100 * ex[k]["fmeasure"], 3)
            row.update(sg)
            row["embed_sim"] = round(sim, 4)
            rows[(e.id, label)] = row
            for k, v in row.items():
                if k not in ("id", "system"):
                    cols.setdefault(k, []).append(float(v))
        per[label] = {k: np.array(v) for k, v in cols.items()}
        agg = {}
        for k, v in per[label].items():
            ci = _ci(v, bootstrap, seed) if k.endswith("_f") or k in ("faithfulness", "embed_sim") else None
            agg[k] = {"mean": float(np.nanmean(v)) if np.isfinite(v).any() else float("nan"), "ci": ci}
        res.aggregate[label] = agg
        log(f"{label}: R-1 {agg['rouge1_f']['mean']:.2f}  R-2 {agg['rouge2_f']['mean']:.2f}  "
            f"R-L {agg['rougeL_f']['mean']:.2f}")
    res.per_event = [rows[(e.id, lab)] for e in events for lab in labels]
    baselines = [lab for lab in labels if lab in REGISTRY and lab not in ("oracle", "random")]
    if baselines:
        res.best_baseline = max(baselines, key=lambda b: res.aggregate[b]["rouge2_f"]["mean"])
        for lab in labels:
            if lab == res.best_baseline:
                continue
            res.comparisons[lab] = {k: paired_bootstrap(per[lab][f"{k}_f"], per[res.best_baseline][f"{k}_f"],
                                                        bootstrap, seed) for k in ("rouge1", "rouge2", "rougeL")}
    return res


def _ci(v: np.ndarray, n: int, seed: int) -> list[float] | None:
    v = v[~np.isnan(v)]
    if n <= 0 or not len(v):
        return None
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(n, len(v)))].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("event-recap", "torch", "transformers", "evaluate", "datasets", "rouge-score", "numpy",
                "scikit-learn", "nltk"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def _write(res: EvalResult, out: Path, data: Path, events, specs, model_meta, words, seed, beams) -> None:
    fields = list(res.per_event[0].keys()) if res.per_event else []
    atomic_write_text(out / "scores.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in res.per_event))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    w.writerows(res.per_event)
    atomic_write_text(out / "scores.csv", buf.getvalue())
    manifest = {
        "dataset": {"path": str(data), "sha256": _sha256(data), "events": len(events)},
        "systems": [s.label for s in specs], "models": model_meta, "words": words, "seed": seed, "beams": beams,
        "metric": "eval/metrics/recap_rouge (rouge_score, stemmed F1, best reference, Unicode tokenizer)",
        "versions": _versions(), "timings_s": res.timings, "command": " ".join(["recap"] + sys.argv[1:]),
    }
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    atomic_write_text(out / "report.md", render_report(res, data, len(events), words))
    plot(res, out / "rouge2.png")


def render_report(res: EvalResult, data: Path, n: int, words: str) -> str:
    def cell(agg, k):
        m = agg[k]
        return f"{m['mean']:.2f} [{m['ci'][0]:.2f}, {m['ci'][1]:.2f}]" if m.get("ci") else f"{m['mean']:.2f}"

    lines = [f"# Evaluation: `{data}`", "",
             f"{n} events; word budget: {words}; ROUGE F1 ×100 (stemmed, best reference) with 95% bootstrap CIs.", "",
             "| system | R-1 | R-2 | R-L | R-Lsum | words | novel 2-grams | redundancy | faithfulness | embed sim |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for lab in res.systems:
        a = res.aggregate[lab]
        lines.append(f"| {lab} | {cell(a, 'rouge1_f')} | {cell(a, 'rouge2_f')} | {cell(a, 'rougeL_f')} | "
                     f"{cell(a, 'rougeLsum_f')} | {a['words']['mean']:.1f} | {a['novel_bigrams']['mean']:.3f} | "
                     f"{a['redundancy']['mean']:.3f} | {a['faithfulness']['mean']:.3f} | {a['embed_sim']['mean']:.3f} |")
    if res.best_baseline:
        lines += ["", f"## Difference from the best baseline (`{res.best_baseline}`, by R-2)", "",
                  "Paired bootstrap over events; Δ in ROUGE F1 points.", "",
                  "| system | ΔR-1 (p) | ΔR-2 [95% CI] (p) | ΔR-L (p) |", "|---|---|---|---|"]
        for lab, c in res.comparisons.items():
            lines.append(f"| {lab} | {c['rouge1']['delta']:+.2f} ({c['rouge1']['p_value']:.3f}) | "
                         f"{c['rouge2']['delta']:+.2f} [{c['rouge2']['ci_low']:+.2f}, {c['rouge2']['ci_high']:+.2f}] "
                         f"({c['rouge2']['p_value']:.3f}) | {c['rougeL']['delta']:+.2f} ({c['rougeL']['p_value']:.3f}) |")
    if res.timings:
        lines += ["", "Timings (s): " + ", ".join(f"{k} {v}" for k, v in res.timings.items())]
    lines += ["", "Per-event scores: `scores.csv` / `scores.jsonl`; plot: `rouge2.png`; reproduce: `manifest.json`."]
    return "\n".join(lines) + "\n"


def plot(res: EvalResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = [[r["rouge2_f"] for r in res.per_event if r["system"] == lab] for lab in res.systems]
    fig, ax = plt.subplots(figsize=(1.6 * len(res.systems) + 2, 4))
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(res.systems) + 1), res.systems, rotation=20)
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, 1):
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(d)), d, s=6, alpha=0.35)
    ax.set_ylabel("ROUGE-2 F1 (per event)")
    ax.set_title("Per-event ROUGE-2 by system")
    fig.tight_layout()
    tmp = path.with_name("." + path.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
