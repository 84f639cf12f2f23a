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
    AgentState,
    ErrorScope,
    EventType,
    NotificationType,
    PublishStatus,
    RunResult,
    RunStatus,
    Severity,
    SubjectType,
    TriggerType,
)
from db.models import (
    Agent,
    AgentRun,
    ErrorLog,
    EventLog,
    MediaAsset,
    Notification,
    Post,
    VideoReel,
    WeeklyReport,
)
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
    run_id: uuid.UUID | None = None,
) -> AgentRun:
    run = AgentRun(
        id=run_id or uuid.uuid4(),
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
        matches = list(session.scalars(select(AgentRun).where(AgentRun.id.isnot(None))))
        found = [r for r in matches if str(r.id).startswith(run_id)]
        if len(found) == 1:
            return found[0]
        raise NotFoundError(f"no run matches {run_id!r}") from None
    run = session.get(AgentRun, rid)
    if run is None:
        raise NotFoundError(f"no run with id {run_id}")
    return run


def list_runs(
    *, session: Session, agent_id: uuid.UUID | None = None, limit: int = 20
) -> list[AgentRun]:
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


def add_usage(
    *,
    session: Session,
    run_id: uuid.UUID,
    calls: int,
    input_tokens: int,
    output_tokens: int,
    prompt_hashes: dict[str, str],
) -> None:
    """Add model calls and tokens to the run's totals, and the prompts it used."""
    run = session.get(AgentRun, run_id)
    if run is None:
        return
    run.llm_calls += calls
    run.input_tokens += input_tokens
    run.output_tokens += output_tokens
    if prompt_hashes:
        run.prompt_hashes_json = {**(run.prompt_hashes_json or {}), **prompt_hashes}


def mark_running(*, session: Session, run_id: uuid.UUID, node: str | None = None) -> None:
    run = session.get(AgentRun, run_id)
    if run is not None and run.status != RunStatus.running:
        run.status = RunStatus.running
        run.error_message = None
    if run is not None and node is not None:
        run.current_node = node


def finish_run(
    *, session: Session, run_id: uuid.UUID, result: RunResult, summary: str, at: datetime
) -> None:
    """The run is done: its result and summary, and its agent idle again."""
    run = session.get(AgentRun, run_id)
    if run is None:
        return
    run.status = RunStatus.finished
    run.result = result
    run.summary = summary
    run.finished_at = at
    run.current_node = None
    set_agent_state(session=session, agent_id=run.agent_id, state=AgentState.idle)


def fail_run(*, session: Session, run_id: uuid.UUID, message: str) -> None:
    """The run stopped on an error; it stays resumable (``twin run --resume``)."""
    run = session.get(AgentRun, run_id)
    if run is None:
        return
    run.status = RunStatus.error
    run.result = RunResult.error
    run.error_message = message[:2000]
    set_agent_state(session=session, agent_id=run.agent_id, state=AgentState.error)


def summarize(
    *,
    session: Session,
    run: AgentRun,
    reel_ids: list[str],
    post_ids: list[str],
    report_id: str | None,
    failures: list[str],
) -> dict[str, Any]:
    """What a run made: reels, posts by status, the report and the model's usage."""
    reels = []
    for raw in reel_ids:
        reel = session.get(VideoReel, uuid.UUID(raw))
        if reel is None:
            continue
        thumb = (
            session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
        )
        reels.append(
            {
                "id": str(reel.id),
                "title": reel.title,
                "path": reel.storage_uri,
                "thumbnail": thumb.uri if thumb else None,
                "seconds": reel.length_sec,
                "quality": reel.quality_score,
                "approval": reel.approval_status.value,
            }
        )
    ids = [uuid.UUID(p) for p in post_ids]
    posts = list(session.scalars(select(Post).where(Post.id.in_(ids)))) if ids else []
    counts: dict[str, int] = {}
    for post in posts:
        counts[post.publish_status.value] = counts.get(post.publish_status.value, 0) + 1
    report = session.get(WeeklyReport, uuid.UUID(report_id)) if report_id else None
    text = (
        f"{len(reels)} reels, {counts.get(PublishStatus.published.value, 0)} posts published, "
        f"{counts.get(PublishStatus.scheduled.value, 0)} scheduled, "
        f"{counts.get(PublishStatus.failed.value, 0)} failed; "
        f"{run.llm_calls} model calls, {run.input_tokens + run.output_tokens} tokens"
    )
    return {
        "text": text,
        "reels": reels,
        "posts": counts,
        "report": report.markdown_uri if report else None,
        "tokens": {"calls": run.llm_calls, "input": run.input_tokens, "output": run.output_tokens},
        "failures": failures,
    }


def set_agent_state(*, session: Session, agent_id: uuid.UUID, state: str) -> None:
    agent = session.get(Agent, agent_id)
    if agent is not None:
        agent.state = state  # type: ignore[assignment]
