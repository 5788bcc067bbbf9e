from __future__ import annotations

from datetime import UTC, datetime, timedelta

from summarizer.clean import clean_text
from summarizer.dedupe import dedupe, near_duplicate_pairs
from summarizer.filtering import drop_reason, filter_posts
from summarizer.order import order_posts
from summarizer.pipeline import prepare
from summarizer.post import Event, Post
from summarizer.selection import select_posts, whitespace_tokens


def P(i, text, **kw):
    return Post(id=str(i), text=text, **kw)


# ---- ordering -------------------------------------------------------------------------------------------------
def test_order_by_time_is_stable_and_fills_gaps():
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    posts = [P(0, "c", time=t0 + timedelta(minutes=2)), P(1, "a", time=t0), P(2, "b", time=t0 + timedelta(minutes=1))]
    out, d = order_posts(posts)
    assert [p.text for p in out] == ["a", "b", "c"] and d.method == "time"


def test_order_by_snowflake_ids():
    posts = [P(0, "later", meta={"source_id": "1465000000000000009"}), P(1, "earlier", meta={"source_id": "1465000000000000001"})]
    out, d = order_posts(posts)
    assert d.method == "id" and out[0].text == "earlier"


def test_order_by_minutes_all_and_partial():
    posts = [P(0, "x", meta={"minute": "90' + 2'"}), P(1, "y", meta={"minute": "45'"}), P(2, "z", meta={"minute": "90'"})]
    out, d = order_posts(posts)
    assert d.method == "minute" and [p.text for p in out] == ["y", "z", "x"]
    partial = [P(0, "end", meta={"minute": "88'"}), P(1, "mid"), P(2, "start", meta={"minute": "3'"})]
    out, d = order_posts(partial)
    assert d.method == "minute" and [p.text for p in out] == ["start", "mid", "end"]


def test_order_by_cues_newest_first():
    posts = [P(0, "That's all from us, thanks for following"), P(1, "A point is made"), P(2, "The event will start in 5 minutes")]
    out, d = order_posts(posts)
    assert d.method == "reverse" and "opening cue" in d.reason and out[0].id == "2"


def test_order_without_evidence_keeps_input():
    out, d = order_posts([P(0, "a"), P(1, "b")])
    assert d.method == "input" and [p.id for p in out] == ["0", "1"]


def test_order_modes_explicit():
    posts = [P(0, "a"), P(1, "b")]
    assert [p.id for p in order_posts(posts, "reverse")[0]] == ["1", "0"]
    assert order_posts(posts, "time")[1].method == "input"


# ---- de-duplication -------------------------------------------------------------------------------------------
def test_exact_retweet_truncated_and_near_duplicates_cluster_to_earliest():
    base = "The minister announced a new data sharing framework for all councils today"
    posts = [
        P(0, base + " #Gov", author="@a"),
        P(1, "RT @a: " + base + " #Gov", author="@b"),
        P(2, base.upper() + "!!", author="@c"),
        P(3, "RT @a: The minister announced a new data sharing framework for…", author="@d"),
        P(4, "The minister announced a new data-sharing framework for all councils today, says @x", author="@e"),
        P(5, "Something completely different about football and weather", author="@f"),
    ]
    res = dedupe(posts)
    assert [p.id for p in res.posts] == ["0", "5"]
    rep = res.posts[0]
    assert set(rep.duplicates) == {"1", "2", "3", "4"}
    assert rep.duplicate_authors[0] == "@a" and len(rep.duplicate_authors) == 5
    assert {d for d, _ in res.dropped} == {"1", "2", "3", "4"}


def test_truncated_copy_never_beats_full_text():
    posts = [P(0, "Big news from the summit: leaders agreed to cut emissions by half…"),
             P(1, "Big news from the summit: leaders agreed to cut emissions by half by 2030")]
    res = dedupe(posts, near_threshold=None)
    assert [p.id for p in res.posts] == ["1"] and res.posts[0].duplicates == ("0",)


def test_near_threshold_configurable():
    a = "one two three four five six seven eight nine ten"
    b = "one two three four five six seven eight nine eleven"
    assert near_duplicate_pairs([a, b], 0.5)
    assert not near_duplicate_pairs([a, b], 0.99)


# ---- cleaning ---------------------------------------------------------------------------------------------------
def test_cleaning():
    assert clean_text("Read: instituteforgovernment.org.u…#IfGData") == "Read: #IfGData"
    assert clean_text("Chair @GavinFreeguard#IfGdata") == "Chair @GavinFreeguard #IfGdata"
    assert clean_text("#IfGdata#usemydata") == "#IfGdata #usemydata"
    assert clean_text("RT @x: Tom &amp; Jerry 😀 https://t.co/abc") == "Tom & Jerry"
    assert clean_text("no bus home after 1am&amp;rely on taxis") == "no bus home after 1am & rely on taxis"
    assert clean_text("AT&amp;T and R&D, Q&A at H&M") == "AT&T and R&D, Q&A at H&M"
    assert clean_text("see https://x.com/s?a=1&amp;b=2 now") == "see now"
    assert clean_text("Can you go with me to the shelter?. Sure!. Wait?...") == \
        "Can you go with me to the shelter? Sure! Wait?..."
    assert clean_text("It’s “quoted”") == "It's \"quoted\""
    assert clean_text("mail a@b.com about U.S. plans") == "mail a@b.com about U.S. plans"


# ---- filtering --------------------------------------------------------------------------------------------------
def test_filter_reasons():
    def reason(t):
        return drop_reason(P(0, t, clean_text=clean_text(t)))
    assert reason("Our event will start in 10 minutes") == "housekeeping: start announcement"
    assert reason("Submit your questions via Slido") == "housekeeping: questions call"
    assert reason("Watch the livestream here: example.org/live") == "housekeeping: stream announcement"
    assert reason("https://t.co/xyz #tag @user") .startswith("no content")
    assert reason("Follow me for free followers!!") == "spam"
    assert reason("The mayor said the budget starts with schools") is None
    assert reason("Hannah: Hey, do you have Betty's number?") is None


def test_filter_returns_every_post():
    posts = [P(i, t, clean_text=t) for i, t in enumerate(["keep me please", "Submit your questions now", ""])]
    kept, dropped = filter_posts(posts)
    assert len(kept) + len(dropped) == 3 and [p.id for p in kept] == ["0"]


# ---- selection --------------------------------------------------------------------------------------------------
def test_selection_fits_budget_is_chronological_and_prefers_central_clusters():
    posts = [P(i, f"the budget vote on schools and roads number {i}", clean_text=f"the budget vote on schools and roads number {i}")
             for i in range(20)]
    posts[7] = Post(id="7", text="budget vote schools roads", clean_text="budget vote schools roads", duplicates=("a", "b", "c"))
    posts.append(P(20, "completely unrelated cat picture", clean_text="completely unrelated cat picture"))
    sel = select_posts(posts, budget=60)
    assert sel.tokens <= 60 and sel.tokens == sum(whitespace_tokens([p.clean_text for p in sel.posts]))
    ids = [int(p.id) for p in sel.posts]
    assert ids == sorted(ids) and 7 in ids
    assert set(sel.left_out) | {p.id for p in sel.posts} == {p.id for p in posts}


def test_selection_keeps_all_when_it_fits():
    posts = [P(i, "short post", clean_text="short post") for i in range(3)]
    assert len(select_posts(posts, 100).posts) == 3


def test_selection_author_diversity():
    posts = [Post(id=str(i), text=f"transit funding debate point {i}", clean_text=f"transit funding debate point {i}",
                  author="@loud" if i < 8 else f"@p{i}") for i in range(12)]
    sel = select_posts(posts, budget=30, diversity=0.3, author_penalty=0.5)
    assert len({p.author for p in sel.posts}) > 1


# ---- pipeline ---------------------------------------------------------------------------------------------------
def test_prepare_accounts_for_every_post():
    ev = Event(id="e", posts=[P(0, "Event will start in 5 minutes"), P(1, "A real point #Tag"), P(2, "A real point #Tag"),
                              P(3, "http://x.co/a")])
    prep = prepare(ev)
    assert prep.stats["posts_in"] == prep.stats["posts_kept"] + len(prep.dropped) == 4
    assert prep.stats["duplicates"] == 1 and prep.stats["hashtags"] == [["#Tag", 2]]


def test_third_person_speaker_view_names_who_i_and_you_are_in_the_model_input_only():
    import pytest

    from summarizer.inputs import build_input
    from summarizer.perspective import speaker_view, third_person

    assert third_person("ok i can bring you my red velvet dress", "Louisa", "Thelma") == \
        "ok Louisa can bring Thelma Louisa's red velvet dress"
    assert third_person("I'm late, I'll call you", "Udo") == "Udo is late, Udo will call you"  # no single listener
    assert third_person("Is this mine? It's in my bag", "Ann") == "Is this Ann's? It's in Ann's bag"
    assert third_person("Imagine", "Ann") == "Imagine"  # whole words only
    chat = Event(id="c", posts=[Post(id="1", text="can u bring the cake?", author="Ann"),
                                Post(id="2", text="sure, I'll bring it", author="Bob"),
                                Post(id="3", text="thanks", author=None)])
    prepared = prepare(chat)
    shown = build_input(prepared, 20, view="third_person").text
    assert "Ann: can Bob bring the cake?" in shown and "Bob: sure, Bob will bring it" in shown
    assert "Bob: sure, I'll bring it" in build_input(prepared, 20).text  # the default: as written
    assert [p.display_text for p in prepared.posts][:2] == ["can u bring the cake?", "sure, I'll bring it"]
    panel = prepare(Event.from_texts(["I think buses matter", "I agree, the panel says so", "Fares: I doubt it"]))
    assert "I think buses matter" in build_input(panel, 20, view="third_person").text  # broadcast: unchanged
    with pytest.raises(ValueError, match="unknown speaker view"):
        speaker_view(prepared.posts, "second_person")
