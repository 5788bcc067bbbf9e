"""Parse the time formats live posts come with, and decode tweet snowflake ids.

Every parser returns an aware UTC-normalised `datetime` or `None`; they never raise,
because one odd timestamp should not sink a stream.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

TWITTER_EPOCH_MS = 1288834974657
# Snowflake ids begin after Twitter switched to them (Nov 2010); smaller ids are sequential.
_MIN_SNOWFLAKE = 1 << 32
_TWITTER_FMT = "%a %b %d %H:%M:%S %z %Y"
_NUMERIC = re.compile(r"^\d+(\.\d+)?$")


def parse_time(value: object) -> datetime | None:
    """ISO 8601, Twitter's `Tue Jan 25 20:31:43 +0000 2011`, RFC 2822, or epoch s/ms."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _NUMERIC.match(text):
        return _from_epoch(float(text))
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return _aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    for fmt in (_TWITTER_FMT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
                "%b %d, %Y %I:%M:%S %p", "%b %d, %Y %I:%M %p", "%B %d, %Y at %I:%M%p"):
        try:
            return _aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def snowflake_time(tweet_id: object) -> datetime | None:
    """The creation time encoded in a tweet snowflake id, or None for non-snowflakes."""
    try:
        n = int(str(tweet_id))
    except (TypeError, ValueError):
        return None
    if n < _MIN_SNOWFLAKE:
        return None
    ms = (n >> 22) + TWITTER_EPOCH_MS
    return _from_epoch(ms / 1000.0)


def _from_epoch(x: float) -> datetime | None:
    if x > 1e11:  # milliseconds
        x /= 1000.0
    try:
        return datetime.fromtimestamp(x, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_time(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


_MINUTE = re.compile(r"^\s*(\d{1,3})\s*['’′]?\s*(?:\+\s*(\d{1,2})\s*['’′]?)?\s*$")


def parse_minute(value: object) -> float | None:
    """A match minute like `45' + 2'` as a sortable number (45.02); None when absent."""
    if value is None:
        return None
    m = _MINUTE.match(str(value))
    if not m:
        return None
    return int(m.group(1)) + int(m.group(2) or 0) / 100.0
