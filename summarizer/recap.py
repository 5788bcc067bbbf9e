"""From events to recaps: the Python API behind `recap summarize` and `recap batch`.

    from summarizer import load_summarizer, Event
    s = load_summarizer()                      # the embedded default model, loaded once
    print(s.summarize(Event.from_texts([...])).recap)

Flow per event: prepare → (segment) → build input → generate (batched across events) →
post-process → faithfulness guard; a stream the model does not write for (`writer="auto"` and the
model's recap_config.json "writes") skips generation and gets the extractive recap. By default
long events are summarised in one pass over the posts selection picked for the input budget (one
generation per event keeps a 500-post event within seconds on a laptop); `hierarchical=True`
summarises time segments first, then the partial recaps — more coverage, about (segments + 1)× the time.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .attribution import complete_list, reattribute
from .faithfulness import (
    GUARD_MODES,
    SentenceCheck,
    SourceIndex,
    check,
    drop_times,
    guard,
    informative_statement,
    stream_kind,
)
from .inputs import ModelInput, build_input, post_line
from .learned_salience import SalienceModel
from .modeling import GenerationSettings, LoadedModel, generate_texts, load_model, trims_vocab
from .pipeline import Prepared, PrepConfig, prepare
from .post import Event, Post
from .postprocess import join_sentences, postprocess, split_sentences
from .selection import embed_tfidf, salience, select_posts
from .timeparse import format_time

MAX_SEGMENTS = 8
WRITERS = ("auto", "model", "extract")
COVERAGE_FOR_SINGLE_PASS = 0.6  # below this share of tokens selected, summarise segments first
OPENING_SPAN = 20  # a conversation over this many times its recap's length is recapped section by section


def auto_words(prepared: Prepared, cap: int | None = None) -> int:
    """Recap length from event size: ~2.8·√(words in kept posts), 15–400 words, at most `cap`.

    Fitted to the shared corpora's reference lengths (chats ≈ 20 words, 300-word tweet
    clusters ≈ 50–90, 3,000-word commentaries ≈ 150+); `cap` is the longest recap the model
    was trained to write (`LoadedModel.max_words`)."""
    words = sum(len(p.display_text.split()) for p in prepared.posts)
    return max(15, min(cap or 400, 400, round(2.8 * math.sqrt(max(words, 1)))))


@dataclass
class Recap:
    id: str
    recap: str
    sentences: list[SentenceCheck]
    unsupported: list[str]
    model: dict[str, Any]
    generation: dict[str, Any]
    stats: dict[str, Any]
    order: dict[str, str]
    key_posts: list[Post] = field(default_factory=list)
    hierarchical: bool = False
    raw: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recap": self.recap,
            "sentences": [{"text": s.text, "support": list(s.support), **({"replaced": True} if s.replaced else {}),
                           **({"reattributed_from": s.reattributed_from} if s.reattributed_from else {}),
                           **({"dropped_times": list(s.dropped_times), "untimed_from": s.untimed_from}
                              if s.dropped_times else {})}
                          for s in self.sentences],
            "unsupported": self.unsupported,
            "model": self.model,
            "generation": self.generation,
            "stats": self.stats,
            "order": self.order,
            "hierarchical": self.hierarchical,
            "key_posts": [{"id": p.id, "author": p.author, "text": p.display_text, "time": format_time(p.time),
                           "duplicates": len(p.duplicates)} for p in self.key_posts],
        }


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 (16 hex digits) of the package's source files: what the recaps were computed with."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@dataclass
class _Plan:
    prepared: Prepared
    words: int
    segments: list[ModelInput]
    final: ModelInput | None = None
    segment_words: int = 0
    sections: bool = False  # the recap is the segments' recaps joined in time order (long recaps)
    partials: list[str] = field(default_factory=list)  # raw section recaps
    extract: str = ""  # why this recap is extractive without asking the model (empty: the model writes)


class Summarizer:
    """A loaded model plus settings; `summarize_many` batches generation across events."""

    def __init__(self, loaded: LoadedModel, settings: GenerationSettings | None = None,
                 prep: PrepConfig | None = None, hierarchical: bool = False, on_unsupported: str = "extract",
                 words_by_id: dict[str, int] | None = None, writer: str = "auto"):
        if on_unsupported not in GUARD_MODES:
            raise ValueError(f"--on-unsupported must be one of {', '.join(GUARD_MODES)}")
        if writer not in WRITERS:
            raise ValueError(f"--writer must be one of {', '.join(WRITERS)}")
        self.loaded = loaded
        self.settings = settings or GenerationSettings()
        self.prep = prep or PrepConfig()
        self.hierarchical = hierarchical
        self.on_unsupported = on_unsupported
        self.words_by_id = words_by_id or {}  # per-event lengths, e.g. each reference's length in evaluation
        self.writer = writer  # auto: the model where it declares it writes well (LoadedModel.writes), else extraction

    @property
    def model_info(self) -> dict[str, Any]:
        return {"name": self.loaded.name, "sha256": self.loaded.sha256, "dtype": self.loaded.dtype,
                "target_vocab": self.loaded.vocab_id if trims_vocab(self.loaded, self.settings) else None}

    def config_key(self) -> dict[str, Any]:
        """Everything that changes the output: resume skips an event only when this matches.

        The package's own code is part of it: after an upgrade (a new guard rule, say) a resumed batch or eval
        recomputes its recaps instead of mixing old outputs with new ones."""
        lengths = hashlib.sha256(json.dumps(sorted(self.words_by_id.items())).encode()).hexdigest()[:16] \
            if self.words_by_id else None
        return {"model": self.model_info, "generation": self.settings.to_dict(), "hierarchical": self.hierarchical,
                "words_by_id": lengths, "writer": self.writer, "code": code_fingerprint(),
                "on_unsupported": self.on_unsupported, "prep": {"order": self.prep.order,
                                                               "near": self.prep.near_duplicates}}

    def summarize(self, event: Event) -> Recap:
        return self.summarize_many([event])[0]

    def summarize_many(self, events: Sequence[Event], progress: Callable[[int], None] | None = None) -> list[Recap]:
        plans = [self._plan(e) for e in events]
        seg_jobs = [(pi, si) for pi, p in enumerate(plans) for si in range(len(p.segments))
                    if len(p.segments) > 1 or p.sections]
        if seg_jobs:
            outs = generate_texts(self.loaded, [plans[pi].segments[si].text for pi, si in seg_jobs],
                                  self.settings, [plans[pi].segment_words for pi, _ in seg_jobs])
            partials: dict[int, list[str]] = {}
            for (pi, _), o in zip(seg_jobs, outs, strict=True):
                partials.setdefault(pi, []).append(o)
            for pi, texts in partials.items():
                if plans[pi].sections:
                    plans[pi].partials = texts
                else:
                    plans[pi].final = self._second_pass(plans[pi], texts)
        for p in plans:
            if p.final is None and p.segments and not p.sections:
                p.final = p.segments[0]
        todo = [i for i, p in enumerate(plans) if p.final is not None]
        outs = generate_texts(self.loaded, [plans[i].final.text for i in todo], self.settings,
                              [plans[i].words for i in todo]) if todo else []
        raw = dict(zip(todo, outs, strict=True))
        raw.update({i: "\n".join(p.partials) for i, p in enumerate(plans) if p.sections})
        recaps = []
        for i, p in enumerate(plans):
            recaps.append(self._finish(p, raw.get(i, "")))
            if progress:
                progress(1)
        return recaps

    # -- steps ----------------------------------------------------------------------------------------------
    def _plan(self, event: Event) -> _Plan:
        prepared = prepare(event, self.prep)
        words = self.words_by_id.get(event.id) or self.settings.max_words or auto_words(prepared, self.loaded.max_words)
        if not prepared.posts:
            return _Plan(prepared, words, [])
        if reason := self._extract_reason(prepared):
            return _Plan(prepared, words, [], extract=reason)
        count = self.loaded.count_tokens
        budget = self.loaded.max_source_tokens
        cap = self.loaded.max_words
        if cap and words > cap and len(prepared.posts) > 1:
            # longer than the model can write in one go: one recap per time section, joined in order
            k, per_words = sections_for(words, cap, len(prepared.posts))
            segs = [build_input(prepared, per_words, budget, count, posts=part, view=self.loaded.speaker_view)
                    for part in time_sections(prepared.posts, self._sizes(prepared), k)]
            return _Plan(prepared, words, segs, segment_words=per_words, sections=True)
        single = build_input(prepared, words, budget, count, view=self.loaded.speaker_view)
        if not self.hierarchical or not single.selection.left_out:
            return _Plan(prepared, words, [single])
        sizes = self._sizes(prepared)  # only hierarchical plans need every post's size
        total = sum(sizes)
        if single.selection.tokens >= COVERAGE_FOR_SINGLE_PASS * total:
            return _Plan(prepared, words, [single])
        k = min(MAX_SEGMENTS, math.ceil(total / max(1, budget)))
        segs = [build_input(prepared, max(30, words // 2), budget, count, posts=part, view=self.loaded.speaker_view)
                for part in time_sections(prepared.posts, sizes, k)]
        return _Plan(prepared, words, segs, segment_words=max(30, words // 2))

    def _extract_reason(self, prepared: Prepared) -> str:
        if self.writer == "extract":
            return "--writer extract"
        writes = self.loaded.writes
        if self.writer == "auto" and writes and (kind := stream_kind(prepared.posts)) not in writes:
            return f"{kind} stream: {self.loaded.name} writes recaps of {' and '.join(writes)} streams only"
        return ""

    def _sizes(self, prepared: Prepared) -> list[int]:
        return self.loaded.count_tokens([post_line(p) for p in prepared.posts])

    def _second_pass(self, plan: _Plan, partial_texts: list[str]) -> ModelInput:
        posts = [Post(id=f"segment-{i + 1}", text=t, clean_text=postprocess(t, [], uncased=False))
                 for i, t in enumerate(partial_texts)]
        second = replace(plan.prepared, posts=posts)
        return build_input(second, plan.words, self.loaded.max_source_tokens, self.loaded.count_tokens)

    def _finish(self, plan: _Plan, raw: str) -> Recap:
        prepared = plan.prepared
        # authors too: in chats the speakers' names often appear only as authors, yet recaps name them
        sources = [p.display_text for p in prepared.posts] + [p.author or "" for p in prepared.posts] + \
            [prepared.event.title or ""]
        # sections are post-processed one by one (each trims its own unfinished sentence), then once more
        # joined, which drops a sentence one section repeats from another
        pieces = plan.partials if plan.sections else [raw]
        names = {p.author for p in prepared.posts if p.author}
        text = " ".join(postprocess(t, sources, uncased=self.loaded.uncased, names=names) for t in pieces if t.strip())
        text = postprocess(text, sources, uncased=self.loaded.uncased, names=names) if plan.sections and text else text
        index = SourceIndex(prepared.posts + ([Post("title", prepared.event.title)] if prepared.event.title else []))
        sentences = split_sentences(text)
        edits: dict[int, dict[str, Any]] = {}  # SentenceCheck fields that record what a fix changed
        if self.on_unsupported != "keep":  # "keep" shows the model's own writing
            for i, sent in enumerate(sentences):
                for fix in (complete_list, reattribute):  # "Ciaran and Ciaran", then who is the subject
                    if r := fix(sentences[i], prepared.posts):
                        sentences[i], edits[i] = r.text, {"reattributed_from": sent}
                if (times := index.misplaced_times(sentences[i])) and (cut := drop_times(sentences[i], times)):
                    edits.setdefault(i, {}).update(dropped_times=times, untimed_from=sentences[i])
                    sentences[i] = cut
        report = check(sentences, index, self.loaded.lexicon)
        if edits:
            report = replace(report, sentences=tuple(replace(c, **edits.get(i, {}))
                                                     for i, c in enumerate(report.sentences)))
        kept = guard(report, index, self.on_unsupported)
        central = key_posts(prepared.posts)
        bad = sum(1 for c in report.sentences if c.unsupported)
        # when most of what the model wrote is unsupported, patching sentence by sentence leaves fragments:
        # the event's own sentences make the more useful (and faithful) recap (`extractive_fallback`); so they do
        # when the model was not asked (`--writer`)
        fallback = bool(prepared.posts) and not plan.extract and self.on_unsupported != "keep" and \
            (not kept or 2 * bad > len(report.sentences))
        if fallback or plan.extract:
            kept = extractive_fallback(prepared.posts, plan.words, ranker=self.loaded.salience)
        return Recap(
            id=prepared.event.id,
            recap=join_sentences(s.text for s in kept),
            sentences=kept,
            unsupported=list(report.unsupported),
            model=self.model_info,
            generation={**self.settings.to_dict(), "max_words": plan.words},
            stats={**prepared.stats, "faithfulness": round(report.share_supported, 4),
                   "guard": {"generated_sentences": len(report.sentences),
                             "unsupported_sentences": sum(1 for c in report.sentences if c.unsupported),
                             "replaced": sum(1 for c in kept if c.replaced),
                             "reattributed": sum(1 for c in kept if c.reattributed_from),
                             "times_dropped": sum(1 for c in kept if c.dropped_times),
                             "extractive_fallback": fallback},
                   "writer": "extract" if plan.extract else "model",
                   **({"extract_ranking": extract_ranking(prepared.posts, self.loaded.salience)}
                      if fallback or plan.extract else {}),
                   **({"extract_reason": plan.extract} if plan.extract else {}),
                   "posts_selected": len(plan.final.selection.posts) if plan.final else
                   sum(len(s.selection.posts) for s in plan.segments),
                   **({"sections": len(plan.segments)} if plan.sections else {})},
            order={"method": prepared.order.method, "reason": prepared.order.reason},
            key_posts=central,
            hierarchical=len(plan.segments) > 1 and not plan.sections,
            raw=raw,
        )


def sections_for(words: int, cap: int, posts: int) -> tuple[int, int]:
    """(sections, words per section) for a recap of `words` when the model writes at most `cap` in one go."""
    k = min(MAX_SEGMENTS, math.ceil(words / cap), posts)
    return k, math.ceil(words / k)


def time_sections(posts: Sequence[Post], sizes: Sequence[int], k: int) -> list[list[Post]]:
    """Split chronologically ordered posts into ≤ k consecutive runs of about equal token size."""
    total = max(1, sum(sizes))
    out: list[list[Post]] = [[]]
    acc = 0
    for post, size in zip(posts, sizes, strict=True):
        if out[-1] and len(out) < k and acc >= total * len(out) / k:
            out.append([])
        out[-1].append(post)
        acc += size
    return out


def fallback_units(posts: Sequence[Post]) -> tuple[list[Post], list[float]]:
    """The sentences the extractive recap chooses from, and each one's relative position in time (0 first, 1 last).

    In a conversation a sentence is quoted with its speaker and only informative statements are kept while there
    are any (see `extractive_fallback`)."""
    chat = stream_kind(posts) == "conversation"
    units, positions, informative = [], [], []
    last = max(1, len(posts) - 1)
    for i, p in enumerate(posts):
        for sent in map(_untagged, split_sentences(p.display_text)):
            if len(sent.split()) >= 3:
                text = f"{p.author}: {sent}" if chat and p.author else sent
                units.append(Post(id=p.id, text=text, clean_text=text, duplicates=p.duplicates))
                positions.append(i / last)
                if chat and informative_statement(sent):
                    informative.append(len(units) - 1)
    if informative:
        units, positions = [units[i] for i in informative], [positions[i] for i in informative]
    if not units:
        units = [Post(id=p.id, text=p.display_text, clean_text=p.display_text) for p in posts]
        positions = [i / last for i in range(len(posts))]
    return units, positions


def extract_ranking(posts: Sequence[Post], ranker: SalienceModel | None) -> str:
    """How `extractive_fallback` chooses this event's sentences: `opening` (a conversation's opening statements),
    `learned` (the model's salience; one-voice streams, which it was trained on) or `centrality`."""
    if stream_kind(posts) == "conversation":
        return "opening"
    return "learned" if ranker is not None else "centrality"


def extractive_fallback(posts: Sequence[Post], words: int, ranker: SalienceModel | None = None) -> list[SentenceCheck]:
    """The recap when the guard rejects what the model wrote, or when it is not asked to write: sentences of the
    event, in time order, up to the recap's word budget.

    A conversation gets its opening statements (`opening_statements`). A one-voice stream gets its most salient
    sentences, ranked the way input selection ranks posts (salience + MMR, `select_posts`) against the word
    budget, so a 300-word request on a stream of long posts gets ~300 words of its most central sentences rather
    than the first sentences of five posts. With a `ranker` (the model's learned salience,
    `summarizer.learned_salience`, trained on one-voice streams) its `rank_scores` replace centrality.

    In a conversation a sentence is quoted with its speaker ("Hana: I'll upload it to the press kit tonight."; a
    bare "I'll upload it" does not say who), and questions and sentences of under two content words ("Fine by
    me.") are left out while others remain: on 400 samsum/dev events R-1 23.73 -> 29.49 and R-2 8.95 -> 8.41
    with centrality (the speakers' names take words), on tweetsumm/dev R-2 14.11 -> 14.69 (`recap eval DATA -s
    central`). A one-voice stream keeps them: leaving them out there too cost 0.57 R-2 on background/dev (model
    card, "Session 13")."""
    units, positions = fallback_units(posts)
    if not units:
        return []
    def count(texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    if extract_ranking(posts, ranker) == "opening":
        chosen = opening_statements(units, words)
    else:
        scores = None  # ranking only matters when not every sentence fits (select_posts then keeps them all)
        if ranker is not None and sum(count([u.display_text for u in units])) > words:
            scores = ranker.rank_scores(units, positions)
        chosen = select_posts(units, words, count_tokens=count, scores=scores).posts
    if not chosen:  # every sentence is longer than the budget: the most central one
        chosen = key_posts(units, k=1)
    return [SentenceCheck(u.display_text, (u.id,), (), replaced=True) for u in chosen]


def opening_statements(units: Sequence[Post], words: int, span: int = OPENING_SPAN) -> list[Post]:
    """A conversation's first statements, in order, while they fit `words`.

    Chats and support threads state their business first, and their reference summaries follow it: against the
    most central statements (salience + MMR, the one-voice recap) the opening ones score R-2 9.88 vs 8.44 on 400
    samsum/dev chats, 7.30 vs 5.98 on dialogsum/dev, 5.36 vs 4.88 on convosumm email/dev, and on the test sets
    9.06 vs 7.57 (samsum) and 18.31 vs 14.13 (tweetsumm) (`recap eval SET -s central`; model card, "Session 22").
    A conversation over `span` times the recap's length is cut into time sections, each giving its opening
    statements, so a long thread is not recapped from its first minutes alone (a guard, not a measured gain: the
    sets above are chats and short threads). As with `key_posts` when nothing fits, a section's first statement is kept even when it alone is
    longer than its share."""
    sizes = [len(u.display_text.split()) for u in units]
    typical = sorted(sizes)[len(sizes) // 2]  # no more sections than the budget has room for statements
    k = max(1, min(len(units), math.ceil(sum(sizes) / max(1, span * words)), words // max(1, typical)))
    bounds = [round(i * len(units) / k) for i in range(k + 1)]
    share = words / k
    chosen: list[Post] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        used = 0
        for u, n in zip(units[start:end], sizes[start:end], strict=True):
            if used and used + n > share:  # a section's first statement is kept even when longer than its share
                break
            chosen.append(u)
            used += n
    return chosen


_TAG_TAIL = re.compile(r"(?:\s+#\w+)+\s*$")
_HANDLE_TAGS = re.compile(r"(@\w+)(?:\s+#\w+)+(?=\s+[^\s#])")


def _untagged(sentence: str) -> str:
    """A live-tweet's closing hashtags ("... slower than ever #TransitFuture") are not part of its sentence, nor is
    a tag glued to a handle mid-sentence ("Councillor @MayaOkafor#TransitFuture opens", split by cleaning)."""
    sentence = _HANDLE_TAGS.sub(r"\1", sentence)
    return _TAG_TAIL.sub("", sentence) or sentence


def key_posts(posts: Sequence[Post], k: int = 5) -> list[Post]:
    """The most central, most repeated posts, in chronological order, for quoting."""
    if len(posts) <= k:
        return list(posts)
    sal = salience(posts, embed_tfidf([p.display_text for p in posts]))
    top = sorted(sorted(range(len(posts)), key=lambda i: -sal[i])[:k])
    return [posts[i] for i in top]


def load_summarizer(model: str | None = None, threads: int | None = None, dtype: str = "float32",
                    lazy: bool = False, **kwargs: Any) -> Summarizer:
    """Load a model once and wrap it; kwargs go to `Summarizer` (settings, prep, hierarchical…); `lazy` loads the
    weights only when the model first writes (`load_model`)."""
    return Summarizer(load_model(model, threads=threads, dtype=dtype, lazy=lazy), **kwargs)
