"""Recap many events: resumable, batched, atomic, and one bad event never sinks the run.

Layout of `--out DIR`: `<safe id>.json` per event (the `recap summarize --format json`
object plus a `config_key`), `recaps.jsonl` (`{"id", "recap"}` in input order, rewritten
atomically at the end) and `failures.jsonl` (one line per event that failed).
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .eventio import atomic_write_text
from .post import Event
from .readers import read_events
from .recap import Summarizer

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(event_id: str) -> str:
    """A file name for an event id; a short hash keeps distinct ids distinct after cleaning."""
    base = _UNSAFE.sub("_", event_id).strip("._")[:80] or "event"
    if base != event_id:
        base += "-" + hashlib.sha1(event_id.encode("utf-8")).hexdigest()[:8]
    return base


def iter_inputs(path: Path, fmt: str = "auto", skip_bad: bool = False) -> Iterator[tuple[str, Event | Exception]]:
    """Events from a directory of files (one event per file, sorted) or from one event JSONL file."""
    if path.is_dir():
        for f in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
            try:
                for e in read_events(f, fmt, skip_bad=skip_bad).events:
                    yield e.id, e
            except InputError as exc:
                yield f.stem, exc
    else:
        for e in read_events(path, fmt, skip_bad=skip_bad).events:
            yield e.id, e


@dataclass
class BatchReport:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    ids: list[str] = field(default_factory=list)


def _existing(out: Path, event_id: str, key: dict) -> dict | None:
    f = out / f"{safe_name(event_id)}.json"
    if not f.exists():
        return None
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("config_key") == key else None


def run_batch(summarizer: Summarizer, inputs: list[tuple[str, Event | Exception]], out: Path,
              chunk: int = 32, progress: Callable[[int], None] | None = None) -> BatchReport:
    """Summarise `inputs` into `out`. Events are generated in chunks sorted by length."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):  # left by a run killed mid-write; never a visible output
        stale.unlink(missing_ok=True)
    key = summarizer.config_key()
    report = BatchReport(ids=[i for i, _ in inputs])
    failures: list[dict] = []
    recaps: dict[str, str] = {}
    todo: list[Event] = []
    seen: set[str] = set()
    for event_id, item in inputs:
        if event_id in seen:
            failures.append({"id": event_id, "error": "duplicate event id in input; later copy skipped"})
            report.failed += 1
            continue
        seen.add(event_id)
        if isinstance(item, Exception):
            failures.append({"id": event_id, "error": str(item)})
            report.failed += 1
            if progress:
                progress(1)
            continue
        prev = _existing(out, event_id, key)
        if prev is not None:
            recaps[event_id] = prev["recap"]
            report.skipped += 1
            if progress:
                progress(1)
            continue
        todo.append(item)
    todo.sort(key=lambda e: sum(len(p.text) for p in e.posts))
    for c0 in range(0, len(todo), chunk):
        group = todo[c0:c0 + chunk]
        try:
            results = summarizer.summarize_many(group)
        except Exception:  # one bad event must not sink the chunk: retry one by one
            results = []
            for e in group:
                try:
                    results.append(summarizer.summarize(e))
                except Exception as exc:  # noqa: BLE001 — logged with its traceback, run goes on
                    failures.append({"id": e.id, "error": f"{type(exc).__name__}: {exc}",
                                     "traceback": traceback.format_exc(limit=3)})
                    report.failed += 1
                    results.append(None)
        for e, r in zip(group, results, strict=True):
            if r is None:
                continue
            data = r.to_json()
            data["config_key"] = key
            atomic_write_text(out / f"{safe_name(e.id)}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            recaps[e.id] = r.recap
            report.done += 1
        if progress:
            progress(len(group))
    lines = [json.dumps({"id": i, "recap": recaps[i]}, ensure_ascii=False) for i in dict.fromkeys(report.ids)
             if i in recaps]
    atomic_write_text(out / "recaps.jsonl", "\n".join(lines) + ("\n" if lines else ""))
    fail_path = out / "failures.jsonl"
    if failures:
        atomic_write_text(fail_path, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))
    elif fail_path.exists():
        fail_path.unlink()
    return report
