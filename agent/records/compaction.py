"""Weekly vector-memory compaction for every agent (S003 section 14: rolling compaction,
top-K relevance per topic and twin), recorded in ``agent_memories`` and as an event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import transaction
from db.enums import EventType, SubjectType
from db.models import Agent, AgentMemory
from db.repo.runs import log_event
from memory.models import CompactionReport, RetentionPolicy

__all__ = ["AgentCompaction", "CompactableMemory", "compact_memories", "policy_for"]


class CompactableMemory(Protocol):
    """What compaction needs of a store (``memory.AgentMemoryStore`` has it)."""

    def compact(self, policy: RetentionPolicy | None = None) -> CompactionReport: ...

    def stats(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class AgentCompaction:
    """One agent's result: the report, or why it was skipped."""

    agent_id: uuid.UUID
    agent: str
    report: CompactionReport | None
    skipped: str = ""


def policy_for(session: Session, agent_id: uuid.UUID) -> RetentionPolicy:
    """The agent's stored policy (``agent_memories.retention_policy_json``), else the default."""
    stored = session.scalar(
        select(AgentMemory.retention_policy_json).where(AgentMemory.agent_id == agent_id)
    )
    return RetentionPolicy.model_validate(stored or {})


def compact_memories(
    *,
    sessions: Callable[[], Session],
    store_for: Callable[[uuid.UUID], CompactableMemory | None],
    location_of: Callable[[uuid.UUID], str],
    now: datetime,
) -> list[AgentCompaction]:
    """Compact every agent's memory; agents without a memory yet are skipped.

    Args:
        sessions: Session factory.
        store_for: The agent's memory store, or None when it has none yet.
        location_of: Where the agent's memory lives (``agent_memories.vector_db_uri``).
        now: The scheduler's time, recorded with the result.

    Returns:
        One result per agent, in creation order.
    """
    with sessions() as session:
        agents = [
            (a.id, a.name, a.user_id, policy_for(session, a.id))
            for a in session.scalars(select(Agent).order_by(Agent.created_at))
        ]
    results = []
    for agent_id, name, user_id, policy in agents:
        store = store_for(agent_id)
        if store is None:
            results.append(AgentCompaction(agent_id, name, None, "no memory yet"))
            continue
        report = store.compact(policy)
        stats = store.stats()
        with transaction(sessions) as session:  # type: ignore[arg-type]
            row = session.scalar(select(AgentMemory).where(AgentMemory.agent_id == agent_id))
            if row is None:
                row = AgentMemory(
                    agent_id=agent_id,
                    vector_db_uri=location_of(agent_id),
                    retention_policy_json=policy.model_dump(mode="json"),
                )
                session.add(row)
            row.index_stats_json = stats
            log_event(
                session=session,
                event_type=EventType.memory_compacted,
                subject_type=SubjectType.system,
                subject_id=agent_id,
                user_id=user_id,
                agent_id=agent_id,
                message=(
                    f"memory of {name} compacted: kept {report.kept}, folded "
                    f"{report.compacted} into {report.summaries_written} summaries "
                    f"({report.groups} groups)"
                ),
                meta={"report": report.model_dump(mode="json"), "size": stats.get("size")},
                at=now,
            )
        results.append(AgentCompaction(agent_id, name, report))
    return results
