"""Turn prepared posts into the model's source text — the same code at training and inference.

Source layout: `<length bucket> | <title or top hashtags> | author: post | author: post …`.
The length bucket (learned from the reference length at training time) lets one model write a
25-word recap or a 400-word match report on request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .faithfulness import stream_kind
from .perspective import speaker_view
from .pipeline import Prepared
from .post import Post
from .selection import Selection, TokenCounter, select_posts, whitespace_tokens

SEP = " | "
LENGTH_BUCKETS: tuple[tuple[int, str], ...] = ((20, "brief"), (40, "short"), (80, "medium"), (160, "long"),
                                               (10**9, "full"))


def length_bucket(words: int) -> str:
    for limit, name in LENGTH_BUCKETS:
        if words <= limit:
            return name
    return LENGTH_BUCKETS[-1][1]


def post_line(post: Post) -> str:
    text = post.display_text
    return f"{post.author}: {text}" if post.author else text


def context_line(prepared: Prepared) -> str:
    """The event title, else its top hashtags: context the model can lean on."""
    if prepared.event.title:
        return prepared.event.title
    return " ".join(tag for tag, _ in prepared.stats.get("hashtags", [])[:2])


@dataclass(frozen=True)
class ModelInput:
    text: str
    selection: Selection


def tokenizer_counter(tokenizer) -> TokenCounter:
    def count(texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
        return [len(x) + 2 for x in ids]  # + the " | " separator
    return count


def build_input(prepared: Prepared, max_words: int, max_tokens: int = 512,
                count_tokens: TokenCounter = whitespace_tokens,
                posts: Sequence[Post] | None = None,
                select: Callable[..., Selection] = select_posts, view: str = "as_written") -> ModelInput:
    """Select what fits `max_tokens` (minus the header) and lay it out as source text.

    `view`: how a conversation's speakers are written for the model (`perspective.SPEAKER_VIEWS`; a model's
    recap_config.json says which it was trained with)."""
    header = length_bucket(max_words) + SEP + context_line(prepared)
    posts = list(prepared.posts if posts is None else posts)
    if view != "as_written" and stream_kind(prepared.posts) == "conversation":
        posts = speaker_view(posts, view)
    budget = max(16, max_tokens - count_tokens([header])[0] - 2)
    lines = [post_line(p) for p in posts]
    sel = select(posts, budget, count_tokens, texts=lines)
    body = SEP.join(post_line(p) for p in sel.posts)
    return ModelInput(header + SEP + body, sel)
