"""Measure the faithfulness guard's rules on an eval set: generate once, then re-guard the same raw output.

The guard decides which generated sentences survive and when the recap falls back to extraction, so its
rules move ROUGE and faithfulness. Generation is the slow part and does not depend on the guard: each
event's raw output is cached in `--cache` (JSONL) and every variant re-runs only post-processing and the
guard. Variants:

  keep                    the model's own writing: no sentence replaced, no fallback (`--on-unsupported keep`)
  no-broadcast-rules      the guard before the broadcast-stream rules, with the five-key-post fallback
  budget-fallback         + the fallback: central sentences (salience + MMR) filling the word budget
  trace=X                 + a broadcast-stream sentence needs X of its content words in its 2 closest posts,
                          and a negation its closest post makes
  guard                   the guard as shipped (trace=0.7, the time rule)
  guard-no-times          the guard without the time rule (a day or time the posts say of something else)
  guard-window=K          the guard with the time rule looking K posts either side in a conversation (shipped: 2)
  guard-min-judged=K      the guard with the coverage check from K content words up (shipped: 2; 4 before session 8)
  guard-no-doubled        the guard without the doubled-name rule ("Tina and Tina keep talking"; session 12)
  guard-reject-doubled    the guard rejecting every doubled name, none mended first (`attribution.complete_list`)
  guard-no-self           the guard without the rule for one participant on both sides of a clause ("Martha owes
                          Martha 100 quid"; session 12)
  guard-no-actor          the guard without the rule for a non-participant who opens a sentence doing what no post
                          near their name says ("Betty will text Larry."; session 15)
  guard-no-act            the guard without tracing a subject through its act ("Thelma will bring it" where only
                          Louisa says "i can bring"; `attribution._by_act`, session 17)
  guard-i-before-you      the guard with `attribution.reattribute` also tracing a post that says "I" before "you"
                          ("ok i can bring you my dress"; tried in session 17, not adopted)
  guard-no-opener         the guard without checking the word a conversation's sentence opens with as a name
                          ("Nathan is making dinner" in a chat without a Nathan; session 17)
  guard-chat-trace=X[,K]  the guard with a conversation's sentence needing X of its content words in its K closest
                          posts (shipped: 0.7, 2; 0 turns the rule off; session 18)
  guard-no-short-forms    the guard without reading "min" as "minute" or "cafe" as "café" (session 18)
  guard-no-address        the guard without tracing a subject who asks the act of the other ("Caroline will pick up
                          Laura" where Caroline wrote "Can you pick up Laura"; `attribution._by_address`, session 18)
  guard-no-subject-again  the guard without the wider both-sides rule for a subject named again up to ten words on
                          ("Kate wants to make a gift for Kate.", "Tommy and Ken will help Tommy"; session 19)
  guard-no-doubled-apart  the guard without rejecting a name listed twice with others between ("Eve, Rob
                          and Eve are meeting"; session 19)
  guard-no-invented       the guard without rejecting a word neither the posts nor the model's vocabulary know
                          ("reynody", "wucinth"; `summarizer/wordcheck.py`, session 19)
  guard-no-act-be         the guard without "be" and its next word as an act ("Jude will be there" where Scarlet
                          wrote "I'll be there"; `attribution.ACT_BE`, session 19)
  guard-no-own-place      the guard without the rule for a participant who comes to their own place ("Amanda will
                          come over to Amanda's."; session 19)

  --show-times N prints N sentences (seeded sample) that the time rule rejects or cuts a time from, with the posts.
  --show-reattributed prints the rewritten sentences a variant keeps that the first variant does not.

    python scripts/guard_ablation.py ../shared/data/background/dev.jsonl --skip 15 --limit 20 --cache runs/ga/bg.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import summarizer.attribution as attribution  # noqa: E402
import summarizer.faithfulness as faith  # noqa: E402
import summarizer.recap as recap_mod  # noqa: E402
from eval.harness import load_rouge, ref_words  # noqa: E402
from eval.signals import signals  # noqa: E402
from summarizer.eventio import iter_event_lines  # noqa: E402
from summarizer.modeling import GenerationSettings  # noqa: E402
from summarizer.recap import SentenceCheck, load_summarizer, split_sentences  # noqa: E402

_NEVER = re.compile(r"(?!x)x")
_NEGATION, _FALLBACK = faith._NEGATION, recap_mod.extractive_fallback  # before any variant patches them
_MIN_TRACE, _CHECK, _TIME_WINDOW, _MIN_JUDGED = faith.MIN_TRACE, recap_mod.check, faith.TIME_WINDOW, faith._MIN_JUDGED
_DOUBLED, _COMPLETE_LIST, _SELF, _SUBJECTS = faith._DOUBLED, recap_mod.complete_list, faith._SELF, faith._SUBJECTS
_DOUBLED_APART, _INVENTED, _TO_OWN_PLACE = faith._DOUBLED_APART, faith.invented_words, faith._TO_OWN_PLACE
_ACTOR, _OPENER = faith._ACTOR, faith._OPENER
_MIN_CHAT_TRACE, _CHAT_TRACE_POSTS, _SHORT_FORMS = faith.MIN_CHAT_TRACE, faith.CHAT_TRACE_POSTS, faith.SHORT_FORMS
_SECOND_PERSON, _ACT_RE, _SAID_TO_OTHER = attribution._SECOND_PERSON, attribution._ACT, attribution._SAID_TO_OTHER
_FIRST_SUBJECT = re.compile(r"\b(?:i|i'm|i'll|i've|i'd|im)\b", re.I)


class _YouBeforeI:
    """`attribution._SECOND_PERSON` for guard-i-before-you: a post's "you" counts only before any "I" it says."""

    def search(self, text: str):
        you = _SECOND_PERSON.search(text)
        me = _FIRST_SUBJECT.search(text)
        return None if you and me and me.start() < you.start() else you


def five_key_posts_fallback(posts, words, ranker=None):
    """The fallback before the budget fix: the sentences of the five most central posts, up to `words` (it had no
    learned ranking: `ranker` is ignored)."""
    out, used = [], 0
    for p in recap_mod.key_posts(posts):
        for sent in split_sentences(p.display_text):
            if used >= words:
                return out
            out.append(SentenceCheck(sent, (p.id,), (), replaced=True))
            used += len(sent.split())
    return out


_MISPLACED = faith.SourceIndex.misplaced_times


_GUARD_VARIANTS = ("guard", "guard-no-times", "guard-no-doubled", "guard-reject-doubled", "guard-no-self",
                   "guard-no-actor", "guard-no-opener", "guard-i-before-you", "guard-no-act", "guard-no-short-forms",
                   "guard-no-address", "guard-no-subject-again", "guard-no-doubled-apart", "guard-no-invented",
                   "guard-no-act-be", "guard-no-own-place")


def variant(name: str):
    """(MIN_TRACE, negation regex, fallback function) for a variant name; patches the guard's later rules in or out.

    The guard variants are the shipped guard with one thing changed; the older variants predate the time rule and
    session 12's rules, which are off in them."""
    guard = name in _GUARD_VARIANTS or name.startswith(("guard-window=", "guard-min-judged=", "guard-chat-trace="))
    faith.SourceIndex.misplaced_times = _MISPLACED if guard and name != "guard-no-times" else lambda self, sentence: ()
    faith._DOUBLED = _DOUBLED if guard and name != "guard-no-doubled" else _NEVER
    faith._DOUBLED_APART = _DOUBLED_APART if guard and name not in ("guard-no-doubled", "guard-no-doubled-apart") \
        else _NEVER
    recap_mod.complete_list = (lambda sentence, posts: None) if name == "guard-reject-doubled" else _COMPLETE_LIST
    faith._SELF = _SELF if guard and name != "guard-no-self" else _NEVER
    faith._SUBJECTS = _SUBJECTS if guard and name not in ("guard-no-self", "guard-no-subject-again") else _NEVER
    faith._TO_OWN_PLACE = _TO_OWN_PLACE if guard and name not in ("guard-no-self", "guard-no-own-place") else _NEVER
    faith.invented_words = _INVENTED if guard and name != "guard-no-invented" else lambda *args: []
    faith._ACTOR = _ACTOR if guard and name != "guard-no-actor" else _NEVER
    faith._OPENER = _OPENER if guard and name != "guard-no-opener" else _NEVER
    attribution._SECOND_PERSON = _YouBeforeI() if name == "guard-i-before-you" else _SECOND_PERSON
    attribution._ACT = _NEVER if name == "guard-no-act" or not guard else _ACT_RE
    attribution._SAID_TO_OTHER = _NEVER if name == "guard-no-address" or not guard else _SAID_TO_OTHER
    attribution.ACT_BE = guard and name != "guard-no-act-be"
    faith.TIME_WINDOW = int(name.split("=", 1)[1]) if name.startswith("guard-window=") else _TIME_WINDOW
    faith._MIN_JUDGED = int(name.split("=", 1)[1]) if name.startswith("guard-min-judged=") else _MIN_JUDGED
    faith.SHORT_FORMS, faith.FOLD_ACCENTS = ({}, False) if name == "guard-no-short-forms" or not guard else \
        (_SHORT_FORMS, True)
    faith._stem.cache_clear()
    faith._reporting_stems.cache_clear()
    chat = name.split("=", 1)[1].split(",") if name.startswith("guard-chat-trace=") else None
    faith.MIN_CHAT_TRACE = float(chat[0]) if chat else _MIN_CHAT_TRACE if guard else 0.0
    faith.CHAT_TRACE_POSTS = int(chat[1]) if chat and len(chat) > 1 else _CHAT_TRACE_POSTS
    if guard:
        return _MIN_TRACE, _NEGATION, _FALLBACK
    if name in ("keep", "no-broadcast-rules"):
        return 0.0, _NEVER, five_key_posts_fallback
    if name == "budget-fallback":
        return 0.0, _NEVER, _FALLBACK
    if name.startswith("trace="):
        return float(name.split("=", 1)[1]), _NEGATION, _FALLBACK
    raise SystemExit(f"unknown variant {name!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--model", default=None)
    ap.add_argument("--skip", type=int, default=0, help="skip the first N events (e.g. the ones a report uses)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", type=Path, required=True, help="raw generations, reused when present")
    ap.add_argument("--variants", nargs="+",
                    default=["keep", "no-broadcast-rules", "budget-fallback", "trace=0.5", "trace=0.6", "trace=0.7"])
    ap.add_argument("--show-times", type=int, default=0, help="print N sentences the time rule rejects or edits")
    ap.add_argument("--show-reattributed", action="store_true",
                    help="print the rewritten sentences each variant keeps that the first variant does not")
    ap.add_argument("--show-reason", default=None,
                    help="print every sentence the shipped guard rejects with a reason containing this text "
                         "(e.g. 'both sides', 'doubled name')")
    args = ap.parse_args()

    events = [e for e in iter_event_lines(args.data) if any(r.strip() for r in e.references)]
    events = events[args.skip:][: args.limit]
    budgets = {e.id: ref_words(e) for e in events}
    s = load_summarizer(args.model, settings=GenerationSettings(num_beams=4, min_ratio=0.8), words_by_id=budgets,
                        writer="model", lazy=True)  # the guard's rules are measured on what the model writes;
    # lazy: with every generation cached, the weights are never read
    cached = {}
    if args.cache.exists():
        cached = {r["id"]: r["raw"] for r in map(json.loads, args.cache.read_text().splitlines())}
    todo = [e for e in events if e.id not in cached]
    if todo:
        for e, r in zip(todo, s.summarize_many(todo), strict=True):
            cached[e.id] = r.raw
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        args.cache.write_text("".join(json.dumps({"id": k, "raw": v}) + "\n" for k, v in cached.items()))

    rouge = load_rouge()
    refs = [[r for r in e.references if r.strip()] for e in events]
    plans = [s._plan(e) for e in events]  # preparation and input selection do not depend on the guard: once
    for plan, e in zip(plans, events, strict=True):
        if plan.sections:
            plan.partials = cached[e.id].split("\n")
    broadcast = sum(faith.stream_kind(plan.prepared.posts) == "broadcast" for plan in plans)
    print(f"{args.data} events {args.skip}..{args.skip + len(events)}: {len(events)} ({broadcast} broadcast streams)")
    print(f"{'variant':<20} {'R-1':>6} {'R-2':>6} {'R-2 95% CI':>16} {'faithful':>8} {'fallback':>8} {'rejected':>9}")
    rewrites: dict[str, list[tuple[str, str, str]]] = {}  # variant -> (event, model's sentence, kept rewrite)
    for name in args.variants:
        faith.MIN_TRACE, faith._NEGATION, recap_mod.extractive_fallback = variant(name)
        s.on_unsupported = "keep" if name == "keep" else "extract"
        preds, fallback, rejected, generated, share = [], 0, 0, 0, []
        recorder = TimeRejections()
        recap_mod.check = recorder
        for plan, e in zip(plans, events, strict=True):
            recorder.event, recorder.posts = e.id, plan.prepared.posts
            r = s._finish(plan, cached[e.id])
            recorder.hits += [(e.id, f"{c.untimed_from}\n  -> {c.text}", ("dropped: " + ", ".join(c.dropped_times),),
                               plan.prepared.posts) for c in r.sentences if c.dropped_times]
            preds.append(r.recap)
            rewrites.setdefault(name, []).extend((e.id, c.reattributed_from, c.text) for c in r.sentences
                                                 if c.reattributed_from)
            g = r.stats["guard"]
            fallback += g["extractive_fallback"]
            rejected += g["unsupported_sentences"]
            generated += g["generated_sentences"]
            share.append(signals(r.recap, plan.prepared.posts)["faithfulness"])
        if name == "guard" and args.show_times:
            recorder.show(args.show_times)
        if name == "guard" and args.show_reason:
            shown = [(ev, text) for ev, text, why in recorder.rejected if any(args.show_reason in u for u in why)]
            print(f"{len(shown)} sentences rejected for {args.show_reason!r}:", file=sys.stderr)
            for ev, text in shown:
                print(f"  {ev}: {text}", file=sys.stderr)
        out = rouge.compute(predictions=preds, references=refs, bootstrap=1000, seed=0,
                            rouge_types=["rouge1", "rouge2"])
        ci = out["rouge2"]["fmeasure_ci"]
        print(f"{name:<20} {100 * out['rouge1']['fmeasure']:6.2f} {100 * out['rouge2']['fmeasure']:6.2f} "
              f"  [{100 * ci[0]:5.2f}, {100 * ci[1]:5.2f}] {np.mean(share):8.3f} {fallback:>5}/{len(events):<3}"
              f" {rejected:>4}/{generated:<4}")
    if args.show_reattributed:
        first = set(rewrites.get(args.variants[0], []))
        for name in args.variants[1:]:
            new = [x for x in rewrites.get(name, []) if x not in first]
            print(f"{len(new)} rewritten sentences kept by {name}, not by {args.variants[0]}:", file=sys.stderr)
            for ev, was, now in new:
                print(f"  {ev}: {was}\n    -> {now}", file=sys.stderr)


class TimeRejections:
    """Wraps the guard's `check` to keep each sentence the time rule rejects, with its event's posts; the loop adds
    the sentences whose misplaced times were cut out instead."""

    def __init__(self):
        self.hits: list[tuple[str, str, tuple[str, ...], list]] = []
        self.rejected: list[tuple[str, str, tuple[str, ...]]] = []  # every rejected sentence, for --show-reason
        self.event, self.posts = "", []

    def __call__(self, sentences, index, lexicon=None):
        report = _CHECK(sentences, index, lexicon)
        self.rejected += [(self.event, c.text, c.unsupported) for c in report.sentences if c.unsupported]
        for c in report.sentences:
            if bad := tuple(u for u in c.unsupported if u.startswith("<time ")):
                self.hits.append((self.event, c.text, bad, self.posts))
        return report

    def show(self, n: int) -> None:
        print(f"time rule: {len(self.hits)} sentences rejected or cut", file=sys.stderr)
        for eid, sent, bad, posts in random.Random(0).sample(self.hits, min(n, len(self.hits))):
            print(f"\n{eid}: {sent}\n  {'; '.join(bad)}", file=sys.stderr)
            for p in posts:
                print(f"  {p.author or '?'}: {p.display_text[:150]}", file=sys.stderr)


if __name__ == "__main__":
    main()
