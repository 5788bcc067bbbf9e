from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rouge_score import rouge_scorer
from typer.testing import CliRunner

from eval.baselines import REGISTRY, fill_budget, get_baseline
from eval.harness import load_rouge, paired_bootstrap, parse_system
from eval.signals import novel_ngram_share, redundancy
from eval.tokenize import RecapTokenizer
from summarizer.cli import app
from summarizer.post import Post

PREDS = ["The council approved the budget for schools and roads on Tuesday.",
         "Alpha won the match 3-1 after a late goal by Rossi."]
REFS = [["Council approves school and road budget.", "The budget passed."],
        ["Alpha beat Beta 3-1 thanks to Rossi's late goal."]]


@pytest.fixture(scope="module")
def rouge():
    return load_rouge()


def test_rouge_equals_rouge_score_on_ascii(rouge):
    got = rouge.compute(predictions=PREDS, references=REFS, bootstrap=0, per_example=True)
    ref = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for i, (p, refs) in enumerate(zip(PREDS, REFS, strict=True)):
        expected = ref.score_multi(refs, p)
        for k in ("rouge1", "rouge2", "rougeL"):
            assert got["per_example"][i][k]["fmeasure"] == pytest.approx(expected[k].fmeasure)
            assert got["per_example"][i][k]["precision"] == pytest.approx(expected[k].precision)


def test_tokenizer_matches_rouge_score_on_ascii():
    from rouge_score import tokenize

    text = "The Runners' #Marathon, @bob said: 3,000 people ran in 2 hours!"
    assert RecapTokenizer(True).tokenize(text) == tokenize.tokenize(text, __import__("nltk").stem.porter.PorterStemmer())


def test_non_ascii_scores_above_zero(rouge):
    res = rouge.compute(predictions=["Zoë Müller öffnete das Café in Zürich", "Αθήνα νίκησε 2-0"],
                        references=[["Müller öffnete Café Zürich"], ["η Αθήνα νίκησε"]], bootstrap=0)
    assert res["rouge1"]["fmeasure"] > 0.5 and res["rouge2"]["fmeasure"] > 0
    baseline = rouge_scorer.RougeScorer(["rouge1"]).score("η Αθήνα νίκησε", "Αθήνα νίκησε 2-0")
    assert baseline["rouge1"].fmeasure < res["rouge1"]["fmeasure"]


def test_tokenizer_links_mentions_hashtags():
    assert RecapTokenizer(False).tokenize("See https://t.co/x and bit.ly/abc #IfGdata @Bob_Smith") == \
        ["see", "and", "ifgdata", "bob", "smith"]


def test_ci_deterministic_under_seed(rouge):
    a = rouge.compute(predictions=PREDS * 5, references=REFS * 5, bootstrap=200, seed=3)
    b = rouge.compute(predictions=PREDS * 5, references=REFS * 5, bootstrap=200, seed=3)
    assert a["rouge2"]["fmeasure_ci"] == b["rouge2"]["fmeasure_ci"]
    lo, hi = a["rouge2"]["fmeasure_ci"]
    assert lo <= a["rouge2"]["fmeasure"] <= hi


def test_paired_bootstrap():
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 10, 200)
    better = paired_bootstrap(base + 2 + rng.normal(0, 0.5, 200), base, 500, 1)
    assert better["delta"] > 1.5 and better["p_value"] < 0.01 and better["ci_low"] > 0
    same = paired_bootstrap(base + rng.normal(0, 1, 200), base, 500, 1)
    assert same["p_value"] > 0.05


POSTS = [Post(id=str(i), text=t, clean_text=t) for i, t in enumerate([
    "The council met to discuss the budget.",
    "The budget gives schools 5 million and roads 2 million.",
    "Protesters gathered outside the council building.",
    "The mayor said the budget protects schools.",
    "The vote passed 7 to 2 after a long debate on roads.",
])]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_baseline_fills_budget_from_posts(name):
    b = get_baseline(name, seed=1)
    out = b.summarize(POSTS, 12, ["The council passed a budget for schools and roads, 7 to 2."])
    assert 0 < len(out.split()) <= 12
    source_words = {w for p in POSTS for w in p.text.split()}
    assert set(out.split()) <= source_words


def test_lead_and_oracle_choices():
    assert get_baseline("lead").summarize(POSTS, 7) == "The council met to discuss the budget."
    oracle = get_baseline("oracle").summarize(POSTS, 30, ["The vote passed 7 to 2 after a long debate."])
    assert oracle.startswith("The vote passed 7 to 2")


def test_central_scores_the_recap_the_guard_falls_back_to():
    from summarizer.postprocess import join_sentences
    from summarizer.recap import extractive_fallback

    assert get_baseline("central").summarize(POSTS, 20) == join_sentences(s.text for s in extractive_fallback(POSTS, 20))


def test_random_is_seeded():
    assert get_baseline("random", 4).summarize(POSTS, 10) == get_baseline("random", 4).summarize(POSTS, 10)


def test_fill_budget_and_signals():
    assert fill_budget(["a b c", "d e"], 4) == "a b c d"
    assert redundancy("the cat sat the cat sat") > 0.2 and redundancy("one two three four") == 0
    assert novel_ngram_share("the cat sat", "the cat sat on a mat") == 0
    assert novel_ngram_share("dogs bark loudly", "the cat sat") == 1


def test_parse_system():
    assert parse_system("LexRank").label == "lexrank"
    assert parse_system("model:/x/y/mymodel").path == "/x/y/mymodel"
    with pytest.raises(ValueError, match="unknown system"):
        parse_system("gpt")


def test_cli_eval_end_to_end(tiny_models, fixtures, tmp_path):
    out = tmp_path / "ev"
    res = CliRunner().invoke(app, ["eval", str(fixtures / "events.jsonl"), "-s", f"model:{tiny_models['bart']}",
                                   "-s", "lead", "-s", "lexrank", "-s", "oracle", "--out", str(out),
                                   "--bootstrap", "100", "--beams", "1", "--dtype", "int8",
                                   "--min-ratio", "0.5"])
    assert res.exit_code == 0, res.output
    for f in ("report.md", "scores.csv", "scores.jsonl", "rouge2.png", "manifest.json"):
        assert (out / f).exists(), f
    rows = [json.loads(x) for x in (out / "scores.jsonl").read_text().splitlines()]
    assert len(rows) == 3 * 4 and {"rouge2_f", "faithfulness", "embed_sim", "novel_bigrams"} <= set(rows[0])
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["dataset"]["sha256"]) == 64 and manifest["models"]["model:bart"]["sha256"]
    assert manifest["models"]["model:bart"]["dtype"] == "int8"
    assert manifest["models"]["model:bart"]["generation"]["min_ratio"] == 0.5
    report = (out / "report.md").read_text()
    assert "Difference from the best baseline" in report and "| oracle |" in report
    oracle = [r for r in rows if r["system"] == "oracle"]
    lead = [r for r in rows if r["system"] == "lead"]
    assert sum(r["rouge2_f"] for r in oracle) >= sum(r["rouge2_f"] for r in lead)


def test_compare_runs_pairs_one_system_across_runs_or_two_systems_of_one_run(tmp_path):
    """scripts/compare_runs.py: B - A over the events both scored; --system-b names B's system when it differs."""
    script = Path(__file__).resolve().parents[1] / "scripts" / "compare_runs.py"
    rows = [{"id": f"e{i}", "system": s, "rouge2_f": r2} for i in range(4)
            for s, r2 in (("model:old", 10.0 + i), ("model:new", 12.0 + i), ("lead", 5.0))]
    run = tmp_path / "run"
    run.mkdir()
    (run / "scores.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    def compare(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), str(run), str(run), "--metrics", "rouge2_f", *flags],
                              capture_output=True, text=True, timeout=120)

    res = compare("--system", "model:old", "--system-b", "model:new")
    assert res.returncode == 0, res.stderr
    assert "4 events in both" in res.stdout and "Δ +2.000" in res.stdout
    assert "Δ +0.000" in compare("--system", "lead").stdout  # one system against itself
    assert compare("--system", "model").returncode != 0  # two systems match the prefix: refuse to guess


def test_who_did_what_scores_hand_labels_with_the_current_guard(tmp_path):
    """scripts/who_did_what.py: `sheet` lists what the model wrote for labelling; `score` re-guards the labelled events
    (so a guard change is measured on the same labels) and counts what a reader sees and what the guard removed."""
    script = [sys.executable, str(Path(__file__).resolve().parents[1] / "scripts" / "who_did_what.py")]
    lines = [("Karson", "I'm making dinner"), ("Finley", "What are you preparing?"), ("Karson", "some spaghetti"),
             ("Finley", "When will u cook for me?"), ("Karson", "When you come visit me")]
    event = {"id": "chat-1", "title": None, "references": ["Karson is making spaghetti."],
             "posts": [{"id": str(i), "text": t, "author": a} for i, (a, t) in enumerate(lines)]}
    data, cache, rows, labels = (tmp_path / n for n in ("d.jsonl", "c.jsonl", "rows.jsonl", "labels.jsonl"))
    data.write_text(json.dumps(event) + "\n")
    cache.write_text(json.dumps({"id": "chat-1", "raw": "nathan is making dinner and spaghetti. karson will cook spaghetti. "
                                                        "karson will visit finley."}) + "\n")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(script + list(args), capture_output=True, text=True, timeout=300)

    res = run("sheet", str(data), "--cache", str(cache), "--n", "1", "--rows", str(rows))
    assert res.returncode == 0, res.stderr
    assert "Karson: I'm making dinner" in res.stdout and "[rejected Nathan] Nathan is making dinner and spaghetti." in res.stdout
    todo = [json.loads(line) for line in rows.read_text().splitlines()]
    assert [r["sentence"] for r in todo] == ["Nathan is making dinner and spaghetti.", "Karson will cook spaghetti.",
                                             "Karson will visit Finley."] and all(r["label"] is None for r in todo)
    truth = {"Nathan is making dinner and spaghetti.": "actor", "Karson will cook spaghetti.": "ok",
             "Karson will visit Finley.": "actor"}
    labels.write_text("".join(json.dumps({**r, "label": truth[r["sentence"]]}) + "\n" for r in todo))

    def counts(res: subprocess.CompletedProcess) -> dict[str, str]:
        """'n/d' per printed rate; the section ("what a reader sees", "what the model wrote", "the guard") first."""
        assert res.returncode == 0, res.stderr
        out, section = {}, ""
        for line in res.stdout.splitlines():
            if "%" not in line:
                section = line.split(" (")[0].rstrip(":")
            else:
                out[f"{section}: {line.strip().split('  ')[0]}"] = re.search(r"\d+/\d+", line).group(0)
        return out

    shipped = counts(run("score", str(labels), str(data), "--cache", str(cache)))
    assert shipped["the guard: recall: wrong-person sentences removed"] == "1/2"  # Nathan is rejected, the visit not
    assert shipped["the guard: precision: rejected sentences that were wrong"] == "1/1"
    assert shipped["what a reader sees: wrong person (actor)"] == "1/2"  # of the kept sentences: the visit (Finley visits)
    assert shipped["what the model wrote: wrong person (actor)"] == "2/3"
    before = counts(run("score", str(labels), str(data), "--cache", str(cache), "--variant", "guard-no-opener"))
    assert before["the guard: recall: wrong-person sentences removed"] == "0/2"  # without the opener rule: kept
    # a candidate rule's removals, listed alone for labelling, and scored on those labels only
    res = run("sheet", str(data), "--cache", str(cache), "--flagged-by", "guard", "--flagged-base", "guard-no-opener",
              "--n", "5", "--rows", str(rows))
    assert res.returncode == 0 and "1 sentences guard rejects and guard-no-opener keeps" in res.stderr, res.stderr
    assert "Karson will cook" not in res.stdout
    flagged = [json.loads(line) for line in rows.read_text().splitlines()]
    assert [r["sentence"] for r in flagged] == ["Nathan is making dinner and spaghetti."]
    partial = tmp_path / "partial.jsonl"
    partial.write_text(json.dumps({**flagged[0], "label": "actor"}) + "\n")
    assert run("score", str(partial), str(data), "--cache", str(cache)).returncode != 0  # two sentences unlabelled
    part = counts(run("score", str(partial), str(data), "--cache", str(cache), "--partial"))
    assert part["the guard: precision: rejected sentences that were wrong"] == "1/1"
    # two models on the same chats, pooled and unattributed: one label file then scores each
    cache_b = tmp_path / "b.jsonl"
    cache_b.write_text(json.dumps({"id": "chat-1", "raw": "karson will cook spaghetti. finley will visit karson."}) + "\n")
    pair = tmp_path / "pair.jsonl"
    res = run("blind", str(data), "--cache", str(cache), "--cache-b", str(cache_b), "--n", "1", "--rows", str(pair))
    assert res.returncode == 0, res.stderr
    pooled = [json.loads(line) for line in pair.read_text().splitlines()]
    assert sorted(r["sentence"] for r in pooled) == sorted([*truth, "Finley will visit Karson."])  # shared one once
    assert "rejected" not in res.stdout and "kept" not in res.stdout  # neither the guard's decision nor the model
    truth["Finley will visit Karson."] = "ok"
    pair.write_text("".join(json.dumps({**r, "label": truth[r["sentence"]]}) + "\n" for r in pooled))
    assert counts(run("score", str(pair), str(data), "--cache", str(cache)))["what the model wrote: wrong person (actor)"] \
        == "2/3"
    assert counts(run("score", str(pair), str(data), "--cache", str(cache_b)))["what the model wrote: wrong person (actor)"] \
        == "0/2"
    labels.write_text(labels.read_text().replace('"ok"', '"fine"'))
    res = run("score", str(labels), str(data), "--cache", str(cache))
    assert res.returncode != 0 and "labels.jsonl:2: label 'fine' is not one of ok, actor, other" in res.stderr
