"""The worker's jobs: the weekly run per agent, publishing due posts, refreshing metrics.

Job functions are module-level so APScheduler's job store can refer to them by name; each is
called as ``job(*args, scheduled_at=slot, runtime=JobRuntime)``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from agent.app.resources import Resources
from agent.app.runs import RunOutcome, resume_run, start_run
from agent.app.wiring import publishers_for
from agent.errors import RunError
from agent.fleet.spread import spread_offset
from agent.publishing.due_posts import publish_due
from agent.publishing.metrics import refresh_metrics
from agent.scheduling.config import planned_week, schedule_of
from agent.scheduling.job_context import JobRuntime, WorkerStopping, job_call
from db.engine import transaction
from db.enums import EventType, PublishStatus, RunResult, RunStatus, SubjectType, TriggerType
from db.models import Agent, AgentRun, Post
from db.repo import leases
from db.repo.runs import log_event

__all__ = [
    "INTERRUPTED",
    "WeekResult",
    "metrics_job",
    "outcome_text",
    "publish_due_job",
    "recent_post_ids",
    "recover_interrupted_runs",
    "run_week",
    "said",
    "weekly_dedupe_key",
    "weekly_job",
]

log = logging.getLogger("twin.worker")
INTERRUPTED = "interrupted by worker shutdown"
METRICS_WINDOW = timedelta(days=14)


def weekly_dedupe_key(agent_id: uuid.UUID | str, week: str) -> str:
    """The key that makes one scheduled run per agent-week a database guarantee."""
    return f"{agent_id}:{week}:weekly"


# -- weekly run -----------------------------------------------------------------------------


def weekly_job(
    agent_id: str, *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> str:
    """Start the agent's weekly run for the week after ``scheduled_at``'s week (on a fleet:
    put it on the weeks queue).

    Returns:
        What happened, in a few words (also logged).
    """
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    with system.sessions() as session:
        agent = session.get(Agent, uuid.UUID(agent_id))
        if agent is None:
            return said(f"agent {agent_id} no longer exists")
        config = schedule_of(session, agent)
        name = agent.name
    if config.paused:
        return said(f"{name}: schedule paused")
    slot = scheduled_at - spread_offset(agent_id, system.settings.schedule_spread_seconds)
    week = planned_week(slot, config.timezone)
    if runtime.dispatch is not None:
        runtime.dispatch.weekly_run(agent_id, week, trigger=TriggerType.schedule_weekly)
        return said(f"{name} week {week}: put on the weeks queue")
    return run_week(runtime, agent_id, week, name=name).text


@dataclass(frozen=True)
class WeekResult:
    """What :func:`run_week` did.

    Attributes:
        text: What happened, in a few words.
        busy: Another live process drives the agent's run: the week may be tried again later.
    """

    text: str
    busy: bool = False


def run_week(
    runtime: JobRuntime,
    agent_id: str,
    week: str,
    *,
    name: str | None = None,
    trigger: TriggerType = TriggerType.schedule_weekly,
    auto_approve: bool = False,
    fast_forward: bool = False,
) -> WeekResult:
    """Run one agent-week once: the database decides whether it is new, resumed or done.

    The agent-week's dedupe key makes a second start of it a no-op; a run of it whose driver
    died (a killed worker) is resumed from its checkpoint; a week planned by hand is left alone.
    The weekly job and the fleet's weekly task both come here.
    """
    system = runtime.system
    label = f"{name or agent_id} week {week}"
    key = weekly_dedupe_key(agent_id, week)
    with system.sessions() as session:
        manual = session.scalar(
            select(AgentRun.id)
            .where(
                AgentRun.agent_id == uuid.UUID(agent_id),
                AgentRun.week_key == week,
                AgentRun.status.notin_([RunStatus.error, RunStatus.cancelled]),
                AgentRun.dedupe_key.is_(None),
            )
            .limit(1)
        )
    if manual is not None:
        return WeekResult(said(f"{label}: already planned by run {str(manual)[:8]}"))
    if runtime.stop.is_set():
        return WeekResult(said(f"{label}: not started, worker stopping"))
    log.info("%s: starting weekly run for %s (%s)", name or agent_id, week, trigger.value)
    try:
        outcome = start_run(
            system,
            agent=agent_id,
            week=week,
            auto_approve=auto_approve,
            fast_forward=fast_forward,
            trigger=trigger,
            dedupe_key=key,
            progress=runtime.progress(label),
            wiring=runtime.wiring,
            render_quality=runtime.render_quality,
            now=runtime.clock.now(),
        )
    except IntegrityError:
        return WeekResult(_already_started(runtime, key, label))
    except WorkerStopping as exc:
        return WeekResult(_interrupted(system, key, str(exc)))
    except RunError as exc:  # another run owns the agent (named in the message): not a crash
        log.warning("%s: not started: %s", label, exc)
        return WeekResult(f"{label}: not started: {exc}", busy=_driven_elsewhere(system, agent_id))
    except Exception as exc:
        _mark_failed(system, key, exc)
        raise
    return WeekResult(said(outcome_text(label, outcome)))


def _driven_elsewhere(system: Resources, agent_id: str) -> bool:
    """Whether the agent's active run is being driven by a live process right now."""
    with system.sessions() as session:
        active = leases.active_run(session=session, agent_id=uuid.UUID(agent_id))
        return (
            active is not None
            and active.status == RunStatus.running
            and not leases.is_stale(active, datetime.now(UTC))
        )


def _already_started(runtime: JobRuntime, key: str, label: str) -> str:
    """The agent-week has a run (the unique dedupe key said so): resume it if it was interrupted."""
    with runtime.system.sessions() as session:
        earlier = session.scalar(select(AgentRun).where(AgentRun.dedupe_key == key))
    if earlier is None:
        return said(f"{label}: already started elsewhere")
    if earlier.status == RunStatus.error and (earlier.error_message or "").startswith(INTERRUPTED):
        return _resume_claimed(runtime, earlier.id, label)
    return said(
        f"{label}: already started by another worker (run {str(earlier.id)[:8]}, {earlier.status.value})"
    )


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
        return said(f"{label}: another worker resumed run {str(run_id)[:8]}")
    log.info("%s: resuming interrupted run %s", label, str(run_id)[:8])
    try:
        outcome = resume_run(
            system,
            str(run_id),
            progress=runtime.progress(label),
            wiring=runtime.wiring,
        )
    except WorkerStopping as exc:
        return _interrupted(system, None, str(exc), run_id=run_id)
    return said(outcome_text(label, outcome))


def recover_interrupted_runs(runtime: JobRuntime) -> list[str]:
    """Resume scheduled runs an earlier worker stopped at a node boundary, and stale runs of any
    trigger (their driver was killed: the lease expired or its process is gone)."""
    if runtime.dispatch is not None:
        return _queue_recovery(runtime)
    said = _recover_interrupted(runtime)
    with runtime.system.sessions() as session:
        now = datetime.now(UTC)
        stale = [r.id for r in leases.stale_runs(session=session, now=now)]
    for run_id in stale:
        if runtime.stop.is_set():
            break
        said.append(_resume_stale(runtime, run_id))
    return said


def _queue_recovery(runtime: JobRuntime) -> list[str]:
    """On a fleet: put the weeks of stale and interrupted scheduled or queued runs back on the
    weeks queue (the weekly task resumes them; a run started by hand is resumed by hand)."""
    assert runtime.dispatch is not None
    now = datetime.now(UTC)
    with runtime.system.sessions() as session:
        rows = [
            run
            for run in session.scalars(select(AgentRun).where(AgentRun.dedupe_key.is_not(None)))
            if leases.is_stale(run, now)
            or (run.status == RunStatus.error and (run.error_message or "").startswith(INTERRUPTED))
        ]
        weeks = [(str(r.agent_id), r.week_key, dict(r.options_json), r.trigger_type) for r in rows]
    lines: list[str] = []
    for agent_id, week, options, trigger in weeks:
        runtime.dispatch.weekly_run(
            agent_id,
            week,
            auto_approve=bool(options.get("auto_approve")),
            fast_forward=bool(options.get("fast_forward")),
            trigger=trigger,
        )
        lines.append(said(f"week {week} of agent {agent_id[:8]}: put back on the weeks queue"))
    return lines


def _resume_stale(runtime: JobRuntime, run_id: uuid.UUID) -> str:
    label = f"run {str(run_id)[:8]}"
    log.info("%s: its driver stopped; resuming it", label)
    try:
        outcome = resume_run(
            runtime.system, str(run_id), progress=runtime.progress(label), wiring=runtime.wiring
        )
    except RunError as exc:  # another driver claimed it first
        return said(f"{label}: not resumed: {exc}")
    except WorkerStopping as exc:
        return _interrupted(runtime.system, None, str(exc), run_id=run_id)
    return said(outcome_text(label, outcome))


def _recover_interrupted(runtime: JobRuntime) -> list[str]:
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
    system: Resources, key: str | None, reason: str, *, run_id: uuid.UUID | None = None
) -> str:
    with transaction(system.sessions) as session:
        stmt = (
            select(AgentRun).where(AgentRun.id == run_id)
            if run_id
            else select(AgentRun).where(AgentRun.dedupe_key == key)
        )
        run = session.scalar(stmt)
        if run is None:
            return said(reason)
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
        return said(f"run {str(run.id)[:8]} {INTERRUPTED}; resumable from its checkpoint")


def _mark_failed(system: Resources, key: str, exc: BaseException) -> None:
    with transaction(system.sessions) as session:
        run = session.scalar(select(AgentRun).where(AgentRun.dedupe_key == key))
        if run is not None and run.status == RunStatus.running:
            run.status = RunStatus.error
            run.result = RunResult.error
            run.error_message = f"{type(exc).__name__}: {exc}"[:2000]


def outcome_text(label: str, outcome: RunOutcome) -> str:
    if outcome.status == RunStatus.waiting_review:
        return f"{label}: run {outcome.run_id[:8]} waits for review"
    if outcome.status == RunStatus.error:
        return f"{label}: run {outcome.run_id[:8]} stopped: {outcome.error}"
    return f"{label}: run {outcome.run_id[:8]} finished: {outcome.summary.get('text', '')}"


def said(text: str) -> str:
    log.info(text)
    return text


# -- publishing -----------------------------------------------------------------------------


def publish_due_job(
    *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> int:
    """Every minute: publish due posts (:func:`agent.publishing.due_posts.publish_due`). Returns how many were tried."""
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    if runtime.dispatch is not None:
        runtime.dispatch.publish_due()
        return 0
    publish = runtime.publish or publish_due
    report = publish(runtime.system, clock=runtime.clock)
    for outcome in report.outcomes:
        log.info("post %s: %s %s", str(outcome.post_id)[:8], outcome.status.value, outcome.message)
    return len(report.outcomes)


# -- metrics --------------------------------------------------------------------------------


def recent_post_ids(system: Resources, agent_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """The agent's posts published in the last two weeks, whose metrics still move."""
    with system.sessions() as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            return []
        return list(
            session.scalars(
                select(Post.id).where(
                    Post.user_id == agent.user_id,
                    Post.publish_status == PublishStatus.published,
                    Post.published_at >= now - METRICS_WINDOW,
                )
            )
        )


def metrics_job(
    agent_id: str, *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> int:
    """Every few hours: refresh metrics of the agent's recent posts. Returns snapshots written."""
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    ids = recent_post_ids(system, uuid.UUID(agent_id), runtime.clock.now())
    if not ids:
        return 0
    report = refresh_metrics(
        sessions=system.sessions,
        cipher=system.cipher(),
        clock=runtime.clock,
        publisher_for=publishers_for(system.settings, runtime.clock),
        post_ids=ids,
    )
    log.info(
        "metrics refreshed for %d posts (%d unavailable)", len(report.written), len(report.failed)
    )
    return len(report.written)
