from __future__ import annotations

from datetime import UTC, datetime

import pytest

from summarizer.errors import InputError
from summarizer.readers import detect_format, read_events
from summarizer.readers.plaintext import split_lines
from summarizer.timeparse import parse_minute, parse_time, snowflake_time


@pytest.mark.parametrize("name,fmt,n", [
    ("posts.csv", "csv", 3), ("posts.tsv", "csv", 2), ("twitter_v2.json", "twitter-v2", 2),
    ("tweets.js", "twitter-archive", 2), ("mastodon.json", "mastodon", 2), ("bluesky_search.json", "bluesky", 2),
    ("bluesky_feed.json", "bluesky", 2), ("posts.jsonl", "jsonl", 2), ("events.jsonl", "jsonl", 2),
    ("blocks.txt", "text", 2),
])
def test_formats_detected_and_read(fixtures, name, fmt, n):
    res = read_events(fixtures / name)
    assert res.format == fmt
    assert len(res.events[0].posts) == n


def test_csv_columns_found_by_common_names(fixtures):
    posts = read_events(fixtures / "posts.csv").events[0].posts
    assert posts[0].text == "Second post, with a comma"
    assert posts[0].author == "alice"
    assert posts[0].id == "1465000000000000001"
    assert posts[0].time == datetime(2021, 11, 28, 10, 5, tzinfo=UTC)


def test_twitter_v2_resolves_users_and_retweets(fixtures):
    posts = read_events(fixtures / "twitter_v2.json").events[0].posts
    assert [p.author for p in posts] == ["@bob", "@alice"]
    assert posts[0].meta["retweet_of_id"] == "1465000000000000001"


def test_archive_parses_twitter_dates_and_entities_kept_raw(fixtures):
    posts = read_events(fixtures / "tweets.js").events[0].posts
    assert posts[0].time == datetime(2021, 11, 28, 10, 20, tzinfo=UTC)
    assert posts[0].text == "Closing remarks &amp; thanks"


def test_mastodon_html_to_text(fixtures):
    posts = read_events(fixtures / "mastodon.json").events[0].posts
    assert posts[0].text == "Panel on #open data & trust\nsecond para"
    assert posts[0].author == "@ana@social.example"
    assert posts[1].text == "We begin\nnow"


def test_bluesky_repost_keeps_original_author(fixtures):
    posts = read_events(fixtures / "bluesky_feed.json").events[0].posts
    assert posts[1].author == "@ana.bsky.social"
    assert posts[1].meta["retweet_of"] == "@cy.bsky.social"


def test_post_jsonl_nested_user(fixtures):
    posts = read_events(fixtures / "posts.jsonl").events[0].posts
    assert posts[1].author == "y"
    assert posts[1].time == datetime.fromtimestamp(1704103500, tz=UTC)


def test_event_jsonl_many_events(fixtures):
    res = read_events(fixtures / "events.jsonl")
    assert [e.id for e in res.events] == ["ev-1", "ev-2", "ev/3 odd"]
    assert res.events[0].references == ["Alpha won 3-1 with a late goal by Rossi."]


def test_format_override(fixtures):
    res = read_events(fixtures / "posts.tsv", format="text")
    assert res.format == "text" and len(res.events[0].posts) == 3


def test_malformed_line_names_file_and_line(fixtures):
    with pytest.raises(InputError) as exc:
        read_events(fixtures / "bad.jsonl")
    assert exc.value.line == 2 and "bad.jsonl:2" in str(exc.value)


def test_skip_bad_counts(fixtures):
    res = read_events(fixtures / "bad.jsonl", skip_bad=True)
    assert res.skipped == 1 and [e.id for e in res.events] == ["ok", "ok2"]


def test_undecodable_bytes(fixtures):
    with pytest.raises(InputError, match="latin1.txt:1: cannot decode byte 0xe9"):
        read_events(fixtures / "latin1.txt")


def test_empty_and_unknown_format(tmp_path, fixtures):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        read_events(empty)
    with pytest.raises(InputError, match="unknown format"):
        read_events(fixtures / "posts.csv", format="xml")


def test_csv_wrong_field_count(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text('text,author\n"ok",a\n"bad",b,c\n')
    with pytest.raises(InputError, match=r"x.csv:3: expected 2 fields"):
        read_events(f)


def test_continuation_rules():
    text = ("Opening line without tag\ncontinues here #Ev\nA full post #Ev\nAnother #Ev\n"
            "Our event starts soon\n📺 Watch live\n💬 Follow #Ev\n")
    posts = [t for _, t in split_lines(text)]
    assert posts == ["Opening line without tag continues here #Ev", "A full post #Ev", "Another #Ev",
                     "Our event starts soon 📺 Watch live 💬 Follow #Ev"]


def test_plain_lines_without_tags_are_separate_posts():
    assert [t for _, t in split_lines("one\ntwo\nthree\n")] == ["one", "two", "three"]


def test_blocks_when_blank_lines_separate_multiline_posts():
    assert [t for _, t in split_lines("a\nb\n\nc\n")] == ["a b", "c"]
    assert [t for _, t in split_lines("\none\ntwo\n\n\n")] == ["one", "two"]  # outer blank lines are not blocks


def test_time_parsers():
    assert parse_time("Tue Jan 25 20:31:43 +0000 2011") == datetime(2011, 1, 25, 20, 31, 43, tzinfo=UTC)
    assert parse_time("2021-11-28T10:00:00Z") == datetime(2021, 11, 28, 10, tzinfo=UTC)
    assert parse_time(1704103500000) == parse_time(1704103500)
    assert parse_time("not a time") is None
    assert snowflake_time(1465000000000000000).year == 2021
    assert snowflake_time(12345) is None
    assert parse_minute("45' + 2'") == pytest.approx(45.02)
    assert parse_minute("90'") == 90


def test_detect_format_plain_text():
    assert detect_format("just some words\nmore") == "text"
