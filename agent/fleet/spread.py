"""Spreading a fleet's weekly runs over a window after their slot, by a hash of each agent's id.

A hundred agents on the default Monday 09:00 slot would all start in the same minute; with
``TWIN_SCHEDULE_SPREAD=2h`` each starts at a fixed point of the two hours after its slot. The
offset depends only on the agent's id and the window, so every worker computes the same one and
the week a slot plans is still the slot's own (see :class:`SpreadTrigger`).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

__all__ = ["MAX_SPREAD_SECONDS", "SpreadTrigger", "parse_duration", "spread_offset"]

MAX_SPREAD_SECONDS = 24 * 3600
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)


class Trigger(Protocol):
    """When a job fires (APScheduler's ``CronTrigger`` is one)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


def parse_duration(text: str) -> float:
    """Seconds in ``text``: a number of seconds, or a number with ``s``, ``m`` or ``h``.

    Raises:
        ValueError: Not a duration, or longer than a day.
    """
    match = _DURATION.match(str(text))
    if match is None:
        raise ValueError(f"{text!r} is not a duration: use seconds or e.g. 90s, 30m, 2h")
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds > MAX_SPREAD_SECONDS:
        raise ValueError(f"{text!r} is longer than a day: a spread must keep runs in their week")
    return seconds


def spread_offset(agent_id: uuid.UUID | str, window_seconds: float) -> timedelta:
    """The agent's fixed place in the window: the same id and window give the same offset."""
    if window_seconds <= 0:
        return timedelta(0)
    digest = hashlib.sha256(str(agent_id).encode("ascii")).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return timedelta(seconds=int(fraction * window_seconds))


@dataclass(frozen=True)
class SpreadTrigger:
    """A trigger whose every firing time is ``trigger``'s plus ``offset``."""

    trigger: Trigger
    offset: timedelta

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        previous = previous_fire_time - self.offset if previous_fire_time is not None else None
        slot = self.trigger.get_next_fire_time(previous, now - self.offset)
        return slot + self.offset if slot is not None else None
