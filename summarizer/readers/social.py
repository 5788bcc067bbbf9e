"""Social-network exports: Twitter/X API v2, the Twitter archive `tweets.js`, Mastodon and Bluesky."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from ..post import Post
from ..timeparse import parse_time, snowflake_time


def _handle(h: Any) -> str | None:
    if not h:
        return None
    h = str(h)
    return h if h.startswith("@") else "@" + h


def twitter_v2(obj: dict[str, Any]) -> list[Post]:
    """`{"data": [...], "includes": {"users": [...]}}` from the v2 search/timeline endpoints."""
    users = {u.get("id"): u.get("username") for u in (obj.get("includes") or {}).get("users", []) if isinstance(u, dict)}
    data = obj.get("data") or []
    if isinstance(data, dict):
        data = [data]
    posts = []
    for i, t in enumerate(data):
        if not isinstance(t, dict):
            continue
        tid = str(t.get("id", i))
        meta: dict[str, Any] = {"source_id": tid}
        for ref in t.get("referenced_tweets") or []:
            if isinstance(ref, dict) and ref.get("type") == "retweeted":
                meta["retweet_of_id"] = str(ref.get("id"))
        time = parse_time(t.get("created_at"))
        if time is None and snowflake_time(tid):
            meta["snowflake"] = True
        posts.append(Post(id=tid, text=str(t.get("text") or ""), time=time,
                          author=_handle(users.get(t.get("author_id")) or t.get("author_id")), meta=meta))
    return posts


def twitter_archive(items: list[Any]) -> list[Post]:
    """Items of `window.YTD.tweets.part0 = [{"tweet": {...}}]` from a downloaded archive."""
    posts = []
    for i, item in enumerate(items):
        t = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(t, dict):
            continue
        tid = str(t.get("id_str") or t.get("id") or i)
        posts.append(Post(id=tid, text=str(t.get("full_text") or t.get("text") or ""),
                          time=parse_time(t.get("created_at")), author=None,
                          meta={"source_id": tid}))
    return posts


class _HTMLText(HTMLParser):
    """Mastodon `content` is HTML: keep text, turn <br>/<p> into breaks, drop link markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(s: str) -> str:
    p = _HTMLText()
    p.feed(s or "")
    p.close()
    text = html.unescape("".join(p.parts))
    return re.sub(r"[ \t]*\n[ \t\n]*", "\n", text).strip()


def mastodon(items: list[Any]) -> list[Post]:
    """A list of Mastodon statuses (timeline, search or `outbox` export)."""
    posts = []
    for i, s in enumerate(items):
        if not isinstance(s, dict):
            continue
        sid = str(s.get("id", i))
        acct = (s.get("account") or {}).get("acct")
        meta: dict[str, Any] = {"source_id": sid}
        body = s
        if isinstance(s.get("reblog"), dict):  # a boost: the booster shares someone else's post
            body = s["reblog"]
            meta["retweet_of"] = _handle((body.get("account") or {}).get("acct"))
        posts.append(Post(id=sid, text=html_to_text(str(body.get("content") or "")),
                          time=parse_time(s.get("created_at")), author=_handle(acct), meta=meta))
    return posts


def bluesky(obj: dict[str, Any]) -> list[Post]:
    """`app.bsky.feed.searchPosts` (`posts`) or `getAuthorFeed` (`feed` of `{post, reason}`)."""
    entries = []
    if isinstance(obj.get("posts"), list):
        entries = [(p, None) for p in obj["posts"]]
    elif isinstance(obj.get("feed"), list):
        entries = [(f.get("post"), f.get("reason")) for f in obj["feed"] if isinstance(f, dict)]
    posts = []
    for i, (p, reason) in enumerate(entries):
        if not isinstance(p, dict):
            continue
        record = p.get("record") or {}
        uri = str(p.get("uri") or p.get("cid") or i)
        author = _handle((p.get("author") or {}).get("handle"))
        meta: dict[str, Any] = {"source_id": uri}
        if isinstance(reason, dict) and "repost" in str(reason.get("$type", "")).lower():
            meta["retweet_of"] = author
            author = _handle((reason.get("by") or {}).get("handle")) or author
        posts.append(Post(id=uri, text=str(record.get("text") or ""),
                          time=parse_time(record.get("createdAt") or p.get("indexedAt")), author=author, meta=meta))
    return posts
