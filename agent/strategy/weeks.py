"""ISO week keys (``2026-W48``) and their dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(key: str) -> date:
    """The Monday of ISO week ``key``; ValueError with a clear message otherwise."""
    match = WEEK_RE.match(key.strip())
    if not match:
        raise ValueError(f"week {key!r} is not in the form YYYY-Www, e.g. 2026-W48")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise ValueError(f"week {key!r} does not exist") from exc


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def next_week(key: str) -> str:
    return week_key(parse_week(key) + timedelta(days=7))


def previous_week(key: str) -> str:
    return week_key(parse_week(key) - timedelta(days=7))


def week_bounds(key: str) -> tuple[datetime, datetime]:
    """[Monday 00:00 UTC, next Monday 00:00 UTC)."""
    monday = parse_week(key)
    start = datetime.combine(monday, time(0, 0), tzinfo=UTC)
    return start, start + timedelta(days=7)
