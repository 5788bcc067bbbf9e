"""The `recap prep` outputs: the JSON contract other tools rely on, and a human view."""

from __future__ import annotations

from typing import Any

from .inputs import post_line
from .pipeline import Prepared
from .selection import Selection, TokenCounter, select_posts, whitespace_tokens
from .timeparse import format_time


def prep_json(prepared: Prepared, selection: Selection | None = None, fmt: str | None = None,
              skipped: int = 0) -> dict[str, Any]:
    """`{"order", "posts", "dropped", "stats"}`; posts chronological; posts_in == kept + dropped."""
    out: dict[str, Any] = {
        "id": prepared.event.id,
        "order": {"method": prepared.order.method, "reason": prepared.order.reason},
        "posts": [
            {"id": p.id, "text": p.text, "clean_text": p.clean_text, "time": format_time(p.time), "author": p.author,
             "duplicates": list(p.duplicates), "duplicate_authors": list(p.duplicate_authors)}
            for p in prepared.posts
        ],
        "dropped": prepared.dropped,
        "stats": prepared.stats,
    }
    if selection is not None:
        out["selection"] = {"budget_tokens": selection.budget, "tokens": selection.tokens,
                            "selected": [p.id for p in selection.posts], "left_out": selection.left_out}
    if fmt:
        out["format"] = fmt
    if skipped:
        out["skipped_lines"] = skipped
    return out


def select_for_budget(prepared: Prepared, budget: int, count: TokenCounter = whitespace_tokens) -> Selection:
    return select_posts(prepared.posts, budget, count, texts=[post_line(p) for p in prepared.posts])


def print_human(prepared: Prepared, selection: Selection | None, console) -> None:
    from rich.table import Table

    s = prepared.stats
    console.print(f"[bold]{prepared.event.title or prepared.event.id}[/bold]")
    console.print(f"order: [cyan]{prepared.order.method}[/cyan] — {prepared.order.reason}")
    span = f"{s['start']} → {s['end']}" if s["start"] else "no timestamps"
    tags = ", ".join(f"{t} ({c})" for t, c in s["hashtags"][:5]) or "none"
    console.print(f"posts in: {s['posts_in']}  kept: {s['posts_kept']}  duplicates: {s['duplicates']}  "
                  f"authors: {s['authors']}  span: {span}  hashtags: {tags}")
    chosen = {p.id for p in selection.posts} if selection else None
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("author", no_wrap=True)
    table.add_column("post")
    table.add_column("dups", justify="right")
    if chosen is not None:
        table.add_column("sel")
    for p in prepared.posts:
        row = [p.id, p.author or "", p.clean_text, str(len(p.duplicates)) if p.duplicates else ""]
        if chosen is not None:
            row.append("✓" if p.id in chosen else "")
        table.add_row(*row)
    console.print(table)
    if prepared.dropped:
        reasons: dict[str, int] = {}
        for d in prepared.dropped:
            reasons[d["reason"]] = reasons.get(d["reason"], 0) + 1
        console.print("dropped: " + ", ".join(f"{r} ×{n}" for r, n in sorted(reasons.items())))
    if selection is not None and selection.left_out:
        console.print(f"selection: {len(selection.posts)} posts, {selection.tokens}/{selection.budget} tokens; "
                      f"left out {len(selection.left_out)}")
