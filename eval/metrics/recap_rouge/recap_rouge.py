"""ROUGE for recaps: rouge_score with a Unicode-aware tokenizer, multiple references and bootstrap CIs.

Loaded by path, never from the Hub: `evaluate.load("eval/metrics/recap_rouge")`.
"""

from __future__ import annotations

import datasets
import evaluate
import numpy as np
from rouge_score import rouge_scorer, scoring

_CITATION = """Lin, C.-Y. (2004). ROUGE: A Package for Automatic Evaluation of Summaries. ACL Workshop."""
_DESCRIPTION = """ROUGE-1/2/L/Lsum precision, recall and F1 via `rouge_score`, scoring each prediction against
its best reference (rouge_score's `score_multi`: the maximum per ROUGE type), with a tokenizer that
keeps non-ASCII letters and handles links, @mentions and #hashtags (see eval/tokenize.py), plus
seeded bootstrap 95% confidence intervals over examples."""
_KWARGS = """
Args:
    predictions: list of recaps.
    references: list of lists of reference summaries (one list per prediction).
    rouge_types: default ["rouge1", "rouge2", "rougeL", "rougeLsum"].
    use_stemmer: Porter stemming of ASCII tokens (default True).
    bootstrap: number of bootstrap resamples for the CIs (0 turns them off; default 1000).
    seed: bootstrap seed (default 0).
    per_example: also return every example's scores (default False).
Returns:
    {"rouge2": {"precision", "recall", "fmeasure", "fmeasure_ci": [low, high]}, ..., "n": int}
    scores are in [0, 1].
"""


def _split_lines(text: str) -> str:
    """rougeLsum expects one sentence per line."""
    import re

    return "\n".join(s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if s)


def bootstrap_ci(values: np.ndarray, n: int, seed: int) -> tuple[float, float]:
    if n <= 0 or len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n, len(values)))
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS)
class RecapRouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS,
            features=datasets.Features({
                "predictions": datasets.Value("string"),
                "references": datasets.Sequence(datasets.Value("string")),
            }),
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(self, predictions, references, rouge_types=None, use_stemmer=True, bootstrap=1000, seed=0,
                 per_example=False):
        from eval.tokenize import RecapTokenizer

        rouge_types = rouge_types or ["rouge1", "rouge2", "rougeL", "rougeLsum"]
        scorer = rouge_scorer.RougeScorer(rouge_types, use_stemmer=False, tokenizer=RecapTokenizer(use_stemmer))
        rows: list[dict[str, scoring.Score]] = []
        for pred, refs in zip(predictions, references, strict=True):
            refs = [r for r in refs if r and r.strip()] or [""]
            if "rougeLsum" in rouge_types:
                pred, refs = _split_lines(pred), [_split_lines(r) for r in refs]
            rows.append(scorer.score_multi(refs, pred))
        out: dict = {"n": len(rows)}
        for t in rouge_types:
            p = np.array([r[t].precision for r in rows])
            r_ = np.array([r[t].recall for r in rows])
            f = np.array([r[t].fmeasure for r in rows])
            out[t] = {"precision": float(p.mean()) if len(p) else 0.0, "recall": float(r_.mean()) if len(r_) else 0.0,
                      "fmeasure": float(f.mean()) if len(f) else 0.0,
                      "fmeasure_ci": list(bootstrap_ci(f, bootstrap, seed))}
        if per_example:
            out["per_example"] = [{t: {"precision": r[t].precision, "recall": r[t].recall, "fmeasure": r[t].fmeasure}
                                   for t in rouge_types} for r in rows]
        return out
