"""Real streams from ../shared/data (skipped cleanly when the folder is absent)."""

from __future__ import annotations

import itertools

from conftest import shared_file

from summarizer.eventio import iter_event_lines
from summarizer.pipeline import prepare
from summarizer.readers import read_events


def test_ifgdata_raw_stream():
    res = read_events(shared_file("examples/ifgdata.txt"))
    prep = prepare(res.events[0])
    assert prep.order.method == "reverse"
    texts = [p.clean_text for p in prep.posts]
    assert texts[-1].startswith("Sharing data across the public sector")    # newest post comes last
    assert any(d["reason"] == "duplicate" for d in prep.dropped)
    assert any(d["reason"].startswith("housekeeping") for d in prep.dropped)
    assert not any("…" in t or "instituteforgovernment.org" in t for t in texts)
    assert any("@GavinFreeguard #IfGdata" in t for t in texts)
    assert prep.stats["posts_in"] == prep.stats["posts_kept"] + len(prep.dropped)


def test_goal_commentary_is_newest_first():
    events = list(iter_event_lines(shared_file("goal/dev.jsonl")))
    decisions = [prepare(e).order.method for e in events]
    assert sum(d in ("reverse", "minute") for d in decisions) >= 0.9 * len(events)
    for e in events[:5]:
        prep = prepare(e)
        assert "full-time" not in prep.posts[0].clean_text.lower()


def test_samsum_is_oldest_first():
    events = list(itertools.islice(iter_event_lines(shared_file("samsum/test.jsonl")), 300))
    decisions = [prepare(e).order.method for e in events]
    assert decisions.count("input") >= 0.97 * len(events)


def test_every_shared_file_reads_and_keeps_every_post():
    for rel in ("tweetsumm/test.jsonl", "dutta/test.jsonl", "tsix/test.jsonl", "convosumm_email/test.jsonl"):
        res = read_events(shared_file(rel))
        for e in res.events[:50]:
            prep = prepare(e)
            assert prep.stats["posts_in"] == prep.stats["posts_kept"] + len(prep.dropped)
