"""Agent runs, events, errors and notifications."""

from __future__ import annotations

import traceback
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.enums import (
    ErrorScope,
    EventType,
    NotificationType,
    RunStatus,
    Severity,
    SubjectType,
    TriggerType,
)
from db.models import Agent, AgentRun, ErrorLog, EventLog, Notification
from db.types import utcnow


def create_run(
    *,
    session: Session,
    agent_id: uuid.UUID,
    trigger_type: TriggerType,
    week_key: str,
    options: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    started_at: datetime | None = None,
) -> AgentRun:
    run = AgentRun(
        agent_id=agent_id,
        trigger_type=trigger_type,
        week_key=week_key,
        options_json=options or {},
        dedupe_key=dedupe_key,
        status=RunStatus.running,
        started_at=started_at or utcnow(),
    )
    session.add(run)
    session.flush()
    return run


def get_run(*, session: Session, run_id: str) -> AgentRun:
    from db.repo.identity import NotFoundError

    try:
        rid = uuid.UUID(run_id)
    except ValueError:
        matches = list(
            session.scalars(select(AgentRun).where(AgentRun.id.isnot(None)))
        )
        found = [r for r in matches if str(r.id).startswith(run_id)]
        if len(found) == 1:
            return found[0]
        raise NotFoundError(f"no run matches {run_id!r}") from None
    run = session.get(AgentRun, rid)
    if run is None:
        raise NotFoundError(f"no run with id {run_id}")
    return run


def list_runs(*, session: Session, agent_id: uuid.UUID | None = None, limit: int = 20) -> list[AgentRun]:
    stmt = select(AgentRun).order_by(AgentRun.started_at.desc()).limit(limit)
    if agent_id is not None:
        stmt = stmt.where(AgentRun.agent_id == agent_id)
    return list(session.scalars(stmt))


def log_event(
    *,
    session: Session,
    event_type: EventType,
    subject_type: SubjectType,
    message: str,
    subject_id: object | None = None,
    user_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    run_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> EventLog:
    event = EventLog(
        event_type=event_type,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id is not None else None,
        message=message,
        user_id=user_id,
        agent_id=agent_id,
        run_id=run_id,
        meta_json=meta or {},
        created_at=at or utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def log_error(
    *,
    session: Session,
    scope: ErrorScope,
    message: str,
    run_id: uuid.UUID | None = None,
    context: dict[str, Any] | None = None,
    exc: BaseException | None = None,
    severity: Severity = Severity.medium,
) -> ErrorLog:
    row = ErrorLog(
        run_id=run_id,
        scope=scope,
        message=message,
        context_json=context or {},
        stack_trace="".join(traceback.format_exception(exc)) if exc is not None else None,
        severity=severity,
    )
    session.add(row)
    session.flush()
    return row


def notify_once(
    *,
    session: Session,
    user_id: uuid.UUID,
    type: NotificationType,
    dedupe_key: str,
    payload: dict[str, Any],
) -> None:
    """Insert a notification unless one with ``dedupe_key`` exists (safe when re-run)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            type=type,
            dedupe_key=dedupe_key,
            payload_json=payload,
            is_read=False,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    session.execute(stmt)


def set_agent_state(*, session: Session, agent_id: uuid.UUID, state: str) -> None:
    agent = session.get(Agent, agent_id)
    if agent is not None:
        agent.state = state  # type: ignore[assignment]
