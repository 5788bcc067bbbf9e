"""Make tidy training dialogues look like real event streams, so preprocessing is exercised.

Adds what live streams have and chats do not: @handles, a glued hashtag, truncated links,
a retweet copy of a post, and a housekeeping announcement. The preprocessing stage should
undo most of it; the model then learns from what preprocessing really hands it.
"""

from __future__ import annotations

import random
from dataclasses import replace

from .post import Event, Post

HOUSEKEEPING = (
    "Our session starts in 10 minutes! Watch the livestream: example.org/live",
    "Submit your questions via Slido: sli.do/abc123",
    "We will start shortly - follow the discussion here",
)


def streamify(event: Event, rng: random.Random) -> Event:
    posts = list(event.posts)
    if not posts:
        return event
    tag = "#" + rng.choice(("live", "event", "chat", "panel", "recap"))
    handles = rng.random() < 0.5
    out: list[Post] = []
    for p in posts:
        author = p.author
        if handles and author and not author.startswith("@") and " " not in author:
            author = "@" + author
        text = p.text
        r = rng.random()
        if r < 0.1:
            text = text + " t.co/" + "".join(rng.choice("abcdefgh123") for _ in range(8)) + "…"
        elif r < 0.2:
            text = text + tag
        out.append(replace(p, author=author, text=text))
    if rng.random() < 0.5:
        src = rng.choice(out)
        if src.author and len(src.text) > 20:
            out.insert(min(len(out), out.index(src) + 1 + rng.randint(0, 2)),
                       Post(id=f"rt-{src.id}", text=f"RT {src.author if src.author.startswith('@') else '@' + src.author}: "
                                                   f"{src.text}", author="@fan" + str(rng.randint(1, 99))))
    if rng.random() < 0.5:
        out.insert(0, Post(id="hk", text=rng.choice(HOUSEKEEPING) + " " + tag, author="@organiser"))
    return replace(event, posts=out)


def livetweet(event: Event, rng: random.Random) -> Event:
    """Retell a dialogue as one reporter's live-tweets: `Speaker: "quote" #tag`, all from one account or none.

    Why: a live-tweeted panel is a broadcast stream (one voice quoting many speakers), and a model trained only
    on chats, where the speaker is the author, never learns to read the speaker from the text. The reference
    summary of the dialogue still fits the retold stream, so this makes broadcast training data that the model
    can actually learn to summarize. Events whose speakers are not names (DialogSum's `#Person1#`) stay as
    they are."""
    posts = list(event.posts)
    speakers = {p.author for p in posts}
    if not posts or any(not a or not a[:1].isalpha() for a in speakers):
        return event
    tag = "#" + rng.choice(("live", "panel", "meeting", "townhall", "talks", "recap"))
    reporter = rng.choice((None, "@" + rng.choice(("citydesk", "livecoverage", "reporter", "newsroom", "eventlive"))))
    styles = ("{a}: {t}", '{a}: "{t}"', "{a} says {t}", "{a}: {t}")  # the plain form twice as often
    out: list[Post] = []
    for p in posts:
        text = p.text.strip()
        if not text:
            continue
        line = rng.choice(styles).format(a=p.author, t=text)
        if rng.random() < 0.5:
            line += " " + tag
        out.append(replace(p, author=reporter, text=line))
    return replace(event, posts=out or posts)
