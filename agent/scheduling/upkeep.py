"""The worker's upkeep jobs: daily retention and weekly memory compaction.

Like the other jobs they are module-level functions called as
``job(scheduled_at=slot, runtime=JobRuntime)``; both are idempotent (a second run in the same
slot changes nothing more) and each run is recorded as an event.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.records.compaction import CompactableMemory, compact_memories
from agent.records.retention import apply_retention, periods_from
from agent.scheduling.job_context import JobRuntime, job_call
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.repo.runs import log_event

__all__ = ["memory_compaction_job", "retention_job"]

log = logging.getLogger("twin.worker")


def retention_job(
    *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> dict[str, Any]:
    """Daily: expire raw media, scrub and delete old logs (``TWIN_RETENTION_*``).

    Returns:
        The retention report as a dict (also recorded as a ``retention_applied`` event).
    """
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    now = runtime.clock.now()
    periods = periods_from(system.settings)
    report = apply_retention(
        sessions=system.sessions, data_dir=system.settings.data_dir, periods=periods, now=now
    )
    with transaction(system.sessions) as session:
        log_event(
            session=session,
            event_type=EventType.retention_applied,
            subject_type=SubjectType.system,
            message=report.summary(),
            meta={**report.as_dict(), "periods": periods.__dict__},
            at=now,
        )
    log.info(report.summary())
    return report.as_dict()


def _store_for(runtime: JobRuntime) -> Callable[[uuid.UUID], CompactableMemory | None]:
    from memory import AgentMemoryStore

    settings = runtime.system.settings

    def store_for(agent_id: uuid.UUID) -> CompactableMemory | None:
        local = settings.data_dir / "memory" / str(agent_id)
        if settings.chroma_host is None and not local.is_dir():
            return None
        return AgentMemoryStore.from_settings(
            settings,  # type: ignore[arg-type]
            str(agent_id),
            clock=runtime.clock.now,
        )

    return store_for


def memory_compaction_job(
    *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> int:
    """Weekly: compact every agent's vector memory. Returns how many agents were compacted."""
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    settings = runtime.system.settings

    def location_of(agent_id: uuid.UUID) -> str:
        if settings.chroma_host:
            return f"chroma://{settings.chroma_host}:{settings.chroma_port}/twin-memory-{agent_id}"
        return str(settings.data_dir / "memory" / str(agent_id))

    results = compact_memories(
        sessions=runtime.system.sessions,
        store_for=_store_for(runtime),
        location_of=location_of,
        now=runtime.clock.now(),
    )
    for result in results:
        if result.report is None:
            log.info("memory of %s: %s", result.agent, result.skipped)
        else:
            log.info(
                "memory of %s compacted: %d kept, %d folded",
                result.agent,
                result.report.kept,
                result.report.compacted,
            )
    return sum(1 for r in results if r.report is not None)
