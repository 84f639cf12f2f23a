"""The worker's jobs: the weekly run per agent, publishing due posts, refreshing metrics.

Job functions are module-level so APScheduler's job store can refer to them by name; each is
called as ``job(*args, scheduled_at=slot, runtime=JobRuntime)``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from agent.publishing.service import Outcome, PublishService
from agent.runner import RunOutcome, resume_run, start_run
from agent.runtime import publishers_for
from agent.scheduling.config import planned_week, schedule_of
from agent.scheduling.runtime import JobRuntime, WorkerStopping, job_call
from agent.system import System
from db.engine import transaction
from db.enums import EventType, PublishStatus, RunResult, RunStatus, SubjectType, TriggerType
from db.models import Agent, AgentRun, AnalyticsSnapshot, IntegrationKey, Post, SocialAccount
from db.repo.runs import log_event
from db.repo.secrets import read_tokens
from tools.publish.base import AccountRef, Credentials, PublishError

__all__ = [
    "INTERRUPTED",
    "metrics_job",
    "publish_due_job",
    "publish_due_posts",
    "recover_interrupted_runs",
    "refresh_metrics",
    "weekly_dedupe_key",
    "weekly_job",
]

log = logging.getLogger("twin.worker")
INTERRUPTED = "interrupted by worker shutdown"
STUCK_PUBLISHING = timedelta(minutes=15)
METRICS_WINDOW = timedelta(days=14)


def weekly_dedupe_key(agent_id: uuid.UUID | str, week: str) -> str:
    """The key that makes one scheduled run per agent-week a database guarantee."""
    return f"{agent_id}:{week}:weekly"


# -- weekly run -----------------------------------------------------------------------------


def weekly_job(
    agent_id: str, *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> str:
    """Start the agent's weekly run for the week after ``scheduled_at``'s week.

    Returns:
        What happened, in a few words (also logged).
    """
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    with system.sessions() as session:
        agent = session.get(Agent, uuid.UUID(agent_id))
        if agent is None:
            return _said(f"agent {agent_id} no longer exists")
        config = schedule_of(session, agent)
        name = agent.name
    if config.paused:
        return _said(f"{name}: schedule paused")
    week = planned_week(scheduled_at, config.timezone)
    key = weekly_dedupe_key(agent_id, week)
    with system.sessions() as session:
        earlier = session.scalar(select(AgentRun).where(AgentRun.dedupe_key == key))
        manual = session.scalar(
            select(AgentRun.id)
            .where(
                AgentRun.agent_id == uuid.UUID(agent_id),
                AgentRun.week_key == week,
                AgentRun.status != RunStatus.error,
                AgentRun.dedupe_key.is_(None),
            )
            .limit(1)
        )
    if earlier is not None:
        if earlier.status == RunStatus.error and (earlier.error_message or "").startswith(
            INTERRUPTED
        ):
            return _resume_claimed(runtime, earlier.id, f"{name} week {week}")
        return _said(
            f"{name} week {week}: already started (run {str(earlier.id)[:8]}, {earlier.status.value})"
        )
    if manual is not None:
        return _said(f"{name} week {week}: already planned by run {str(manual)[:8]}")
    if runtime.stop.is_set():
        return _said(f"{name} week {week}: not started, worker stopping")
    log.info("%s: starting weekly run for %s (slot %s)", name, week, scheduled_at.isoformat())
    try:
        outcome = start_run(
            system,
            agent=agent_id,
            week=week,
            trigger=TriggerType.schedule_weekly,
            dedupe_key=key,
            progress=runtime.progress(f"{name} {week}"),
            context_overrides=runtime.context_overrides,
            render_quality=runtime.render_quality,
            now=runtime.clock.now(),
        )
    except IntegrityError:
        return _said(f"{name} week {week}: already started by another worker")
    except WorkerStopping as exc:
        return _interrupted(system, key, str(exc))
    except Exception as exc:
        _mark_failed(system, key, exc)
        raise
    return _said(_outcome_text(name, outcome))


def _resume_claimed(runtime: JobRuntime, run_id: uuid.UUID, label: str) -> str:
    """Resume an interrupted run if this process wins the claim (a conditional update)."""
    system = runtime.system
    with transaction(system.sessions) as session:
        result = session.execute(
            update(AgentRun)
            .where(AgentRun.id == run_id, AgentRun.status == RunStatus.error)
            .values(status=RunStatus.running, error_message=None, result=None)
        )
        claimed = cast(CursorResult[Any], result).rowcount
    if claimed != 1:
        return _said(f"{label}: another worker resumed run {str(run_id)[:8]}")
    log.info("%s: resuming interrupted run %s", label, str(run_id)[:8])
    try:
        outcome = resume_run(
            system,
            str(run_id),
            progress=runtime.progress(label),
            context_overrides=runtime.context_overrides,
        )
    except WorkerStopping as exc:
        return _interrupted(system, None, str(exc), run_id=run_id)
    return _said(_outcome_text(label, outcome))


def recover_interrupted_runs(runtime: JobRuntime) -> list[str]:
    """Resume scheduled runs an earlier worker stopped at a node boundary."""
    with runtime.system.sessions() as session:
        rows = list(
            session.scalars(
                select(AgentRun).where(
                    AgentRun.trigger_type == TriggerType.schedule_weekly,
                    AgentRun.status == RunStatus.error,
                    AgentRun.error_message.startswith(INTERRUPTED),
                )
            )
        )
    return [
        _resume_claimed(runtime, row.id, f"week {row.week_key}")
        for row in rows
        if not runtime.stop.is_set()
    ]


def _interrupted(
    system: System, key: str | None, reason: str, *, run_id: uuid.UUID | None = None
) -> str:
    with transaction(system.sessions) as session:
        stmt = (
            select(AgentRun).where(AgentRun.id == run_id)
            if run_id
            else select(AgentRun).where(AgentRun.dedupe_key == key)
        )
        run = session.scalar(stmt)
        if run is None:
            return _said(reason)
        run.status = RunStatus.error
        run.result = RunResult.error
        run.error_message = (
            f"{INTERRUPTED} ({reason}); the next worker resumes it, "
            f"or continue now with 'twin run --resume {str(run.id)[:8]}'"
        )
        log_event(
            session=session,
            event_type=EventType.error,
            subject_type=SubjectType.run,
            subject_id=run.id,
            agent_id=run.agent_id,
            run_id=run.id,
            message=run.error_message,
        )
        return _said(f"run {str(run.id)[:8]} {INTERRUPTED}; resumable from its checkpoint")


def _mark_failed(system: System, key: str, exc: BaseException) -> None:
    with transaction(system.sessions) as session:
        run = session.scalar(select(AgentRun).where(AgentRun.dedupe_key == key))
        if run is not None and run.status == RunStatus.running:
            run.status = RunStatus.error
            run.result = RunResult.error
            run.error_message = f"{type(exc).__name__}: {exc}"[:2000]


def _outcome_text(label: str, outcome: RunOutcome) -> str:
    if outcome.status == RunStatus.waiting_review:
        return f"{label}: run {outcome.run_id[:8]} waits for review"
    if outcome.status == RunStatus.error:
        return f"{label}: run {outcome.run_id[:8]} stopped: {outcome.error}"
    return f"{label}: run {outcome.run_id[:8]} finished: {outcome.summary.get('text', '')}"


def _said(text: str) -> str:
    log.info(text)
    return text


# -- publishing -----------------------------------------------------------------------------


def publish_due_posts(
    system: System, *, now: datetime, service: PublishService, limit: int = 50
) -> list[Outcome]:
    """Publish every post whose time has come (the one place to swap for another publisher loop).

    Selects posts ``scheduled`` with ``scheduled_time <= now`` (and ``publishing`` ones left
    behind by a dead process) and hands each to :meth:`PublishService.publish`, which makes it
    exactly-once across workers.

    Args:
        system: Database access.
        now: The current time.
        service: The publishing service.
        limit: Most posts per call.

    Returns:
        One outcome per post tried.
    """
    with system.sessions() as session:
        ids = list(
            session.scalars(
                select(Post.id)
                .where(
                    (
                        (Post.publish_status == PublishStatus.scheduled)
                        & (Post.scheduled_time <= now)
                    )
                    | (
                        (Post.publish_status == PublishStatus.publishing)
                        & (Post.updated_at <= now - STUCK_PUBLISHING)
                    )
                )
                .order_by(Post.scheduled_time)
                .limit(limit)
            )
        )
    outcomes = []
    for post_id in ids:
        outcome = service.publish(post_id)
        log.info("post %s: %s %s", str(post_id)[:8], outcome.status.value, outcome.message)
        outcomes.append(outcome)
    return outcomes


def publish_due_job(
    *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> int:
    """Every minute: publish due posts. Returns how many were tried."""
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    if runtime.publish is not None:
        return len(runtime.publish(system, now=runtime.clock.now()))
    service = PublishService(
        sessions=system.sessions,
        cipher=system.cipher(),
        clock=runtime.clock,
        publisher_for=publishers_for(system.settings, runtime.clock),
    )
    return len(publish_due_posts(system, now=runtime.clock.now(), service=service))


# -- metrics --------------------------------------------------------------------------------


def refresh_metrics(
    system: System, agent_id: uuid.UUID, *, now: datetime, publisher_for: Any
) -> int:
    """Fetch current metrics of the agent's posts published in the last two weeks.

    Each fetch is stored as an AnalyticsSnapshot at ``now`` (one per post and time).

    Returns:
        How many snapshots were stored.
    """
    with system.sessions() as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            return 0
        posts = list(
            session.scalars(
                select(Post).where(
                    Post.user_id == agent.user_id,
                    Post.publish_status == PublishStatus.published,
                    Post.published_at >= now - METRICS_WINDOW,
                    Post.platform_post_id.is_not(None),
                )
            )
        )
    cipher = system.cipher()
    stored = 0
    for post in posts:
        with system.sessions() as session:
            account = session.get(SocialAccount, post.account_id)
            key = (
                session.get(IntegrationKey, account.integration_id)
                if account and account.integration_id
                else None
            )
            if account is None or key is None:
                continue
            access, refresh = read_tokens(key=key, cipher=cipher)
            ref = AccountRef(
                account_id=str(account.id),
                platform=account.platform.value,
                handle=account.handle,
                external_id=account.account_external_id,
            )
            platform = account.platform.value
        try:
            metrics = publisher_for(platform).fetch_metrics(
                str(post.platform_post_id),
                account=ref,
                credentials=Credentials(access_token=access, refresh_token=refresh),
            )
        except PublishError as exc:
            log.warning("metrics for post %s unavailable: %s", str(post.id)[:8], exc)
            continue
        with transaction(system.sessions) as session:
            exists = session.scalar(
                select(AnalyticsSnapshot.id).where(
                    AnalyticsSnapshot.post_id == post.id, AnalyticsSnapshot.captured_at == now
                )
            )
            if exists is None:
                session.add(
                    AnalyticsSnapshot(
                        post_id=post.id, platform=platform, captured_at=now, metrics_json=metrics
                    )
                )
                stored += 1
    return stored


def metrics_job(
    agent_id: str, *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> int:
    """Every few hours: refresh metrics of the agent's recent posts."""
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    now = runtime.clock.now()
    count = refresh_metrics(
        runtime.system,
        uuid.UUID(agent_id),
        now=now,
        publisher_for=publishers_for(runtime.system.settings, runtime.clock),
    )
    log.info("metrics refreshed for %d posts", count)
    return count
