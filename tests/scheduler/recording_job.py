"""A job that records its slots; module-level so the job store can refer to it by name."""

from __future__ import annotations

from datetime import datetime

from agent.scheduling import JobRuntime

CALLS: list[datetime] = []


def record_call(*, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None) -> None:
    """Remember the slot the job fired for."""
    assert scheduled_at is not None
    CALLS.append(scheduled_at)
