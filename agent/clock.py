"""Clocks: the real one, and a fast-forward one for simulations and dry runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    simulated: bool

    def now(self) -> datetime: ...

    def advance_to(self, when: datetime) -> None:
        """Move time forward to ``when`` (never backwards); the real clock cannot."""
        ...


class SystemClock:
    simulated = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance_to(self, when: datetime) -> None:
        return None


@dataclass
class FastForwardClock:
    """Starts at ``start`` and jumps to wherever the cycle needs to be next."""

    start: datetime
    simulated: bool = True
    _now: datetime = field(init=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("clock start must be timezone-aware")
        self._now = self.start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance_to(self, when: datetime) -> None:
        if when > self._now:
            self._now = when.astimezone(UTC)
