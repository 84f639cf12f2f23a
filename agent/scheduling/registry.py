"""Keep the job store in step with each agent's schedule, and describe what is scheduled."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from agent.app.resources import Resources
from agent.context import Clock, SystemClock
from agent.fleet.spread import SpreadTrigger, spread_offset
from agent.scheduling.config import ScheduleConfig, schedule_of
from agent.scheduling.engine import ClockedScheduler, JobExecutor, Trigger, fire_times
from agent.scheduling.job_context import JobRuntime
from agent.scheduling.jobs import metrics_job, publish_due_job, weekly_job
from agent.scheduling.spikes import trend_watch_job
from agent.scheduling.upkeep import memory_compaction_job, retention_job
from db.repo.identity import list_agents

__all__ = [
    "COMPACTION_JOB",
    "PUBLISH_JOB",
    "RETENTION_JOB",
    "ScheduleRow",
    "describe",
    "metrics_job_id",
    "open_scheduler",
    "sync_jobs",
    "trends_job_id",
    "weekly_job_id",
    "weekly_slot",
]

log = logging.getLogger("twin.scheduler")
PUBLISH_JOB = "publish-due"
RETENTION_JOB = "retention"
COMPACTION_JOB = "memory-compaction"
UPKEEP_JOBS: tuple[tuple[str, Any, CronTrigger, str], ...] = (
    (
        RETENTION_JOB,
        retention_job,
        CronTrigger(hour=3, minute=41, timezone=UTC),
        "retention (daily)",
    ),
    (
        COMPACTION_JOB,
        memory_compaction_job,
        CronTrigger(day_of_week="sun", hour=4, minute=23, timezone=UTC),
        "memory compaction (weekly)",
    ),
)
"""Upkeep jobs: (id, function, trigger, name). Off-peak UTC slots, after metrics and before
the usual Monday-morning weekly runs."""
WEEK_SECONDS = 7 * 24 * 3600


def weekly_job_id(agent_id: uuid.UUID | str) -> str:
    return f"weekly:{agent_id}"


def metrics_job_id(agent_id: uuid.UUID | str) -> str:
    return f"metrics:{agent_id}"


def trends_job_id(agent_id: uuid.UUID | str) -> str:
    return f"trends:{agent_id}"


@contextmanager
def open_scheduler(
    runtime: JobRuntime, *, paused: bool = True, inline: bool = False
) -> Iterator[ClockedScheduler]:
    """A started scheduler of this process (its jobs are its own); ``paused`` ones run nothing.

    Args:
        runtime: Resources, clock and stop flag handed to jobs.
        paused: Start without running jobs.
        inline: Run jobs in the ticking thread (tests) rather than a thread pool.
    """
    scheduler = ClockedScheduler(clock=runtime.clock, executor=JobExecutor(runtime, inline=inline))
    scheduler.start(paused=paused)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=True)


def weekly_slot(
    config: ScheduleConfig, *, anchor: datetime, now: datetime, offset: timedelta = timedelta(0)
) -> datetime | None:
    """The slot a weekly job waits for: the latest one missed in the past week (after
    ``anchor``, when the schedule took effect), else the next one; None when paused. An
    ``offset`` (``TWIN_SCHEDULE_SPREAD``) moves every slot later by that much.

    No job store remembers what fired: a missed slot is simply due again, and the weekly job's
    dedupe key in ``agent_runs`` makes a slot that already ran a no-op.
    """
    if config.paused:
        return None
    within = min(timedelta(seconds=WEEK_SECONDS), max(now - anchor, timedelta(0)))
    return latest_slot(SpreadTrigger(config.trigger(), offset), now, within=within)


def _agents(system: Resources) -> list[tuple[uuid.UUID, str, ScheduleConfig, datetime]]:
    with system.sessions() as session:
        return [
            (a.id, a.name, config, config.since or a.created_at)
            for a in list_agents(session=session)
            for config in [schedule_of(session, a)]
        ]


def latest_slot(trigger: Trigger, now: datetime, *, within: timedelta) -> datetime | None:
    """The last slot in the past ``within`` (due at once: a new worker does not wait a period
    for work an earlier one may have missed), else the next one."""
    missed = fire_times(trigger, trigger.get_next_fire_time(None, now - within), now)
    return missed[-1] if missed else trigger.get_next_fire_time(None, now)


def metrics_period(system: Resources) -> timedelta:
    return timedelta(hours=system.settings.metrics_refresh_hours)


def metrics_trigger(system: Resources) -> CronTrigger:
    hours = system.settings.metrics_refresh_hours
    return CronTrigger(hour=f"*/{hours}", minute=17, timezone=UTC)


def sync_jobs(scheduler: ClockedScheduler, system: Resources) -> list[str]:
    """Make this scheduler's jobs match every agent's schedule; returns what changed."""
    now = scheduler.now()
    changes: list[str] = []
    wanted = {PUBLISH_JOB}
    for agent_id, name, config, anchor in _agents(system):
        wanted |= {weekly_job_id(agent_id), metrics_job_id(agent_id)}
        changes += _sync_weekly(
            scheduler, agent_id, name, config, anchor, now, system.settings.schedule_spread_seconds
        )
        if scheduler.get_job(metrics_job_id(agent_id)) is None:
            trigger = metrics_trigger(system)
            scheduler.add_job(
                metrics_job,
                trigger,
                args=[str(agent_id)],
                id=metrics_job_id(agent_id),
                name=f"metrics {name}",
                misfire_grace_time=3600,
                next_run_time=latest_slot(trigger, now, within=metrics_period(system)),
            )
            changes.append(f"metrics refresh for {name}")
        hours = system.settings.trends_watch_hours
        if hours:
            wanted.add(trends_job_id(agent_id))
        if hours and scheduler.get_job(trends_job_id(agent_id)) is None:
            trigger = CronTrigger(hour=f"*/{hours}", minute=29, timezone=UTC)
            scheduler.add_job(
                trend_watch_job,
                trigger,
                args=[str(agent_id)],
                id=trends_job_id(agent_id),
                name=f"trend watch {name}",
                misfire_grace_time=3600,
                coalesce=True,
                next_run_time=trigger.get_next_fire_time(None, now),
            )
            changes.append(f"trend watch for {name} every {hours} h")
    if scheduler.get_job(PUBLISH_JOB) is None:
        trigger = CronTrigger(minute="*", second=0, timezone=UTC)
        scheduler.add_job(
            publish_due_job,
            trigger,
            id=PUBLISH_JOB,
            name="publish due posts",
            misfire_grace_time=300,
            next_run_time=latest_slot(trigger, now, within=timedelta(minutes=1)),
        )
        changes.append("publishing of due posts every minute")
    for job_id, function, trigger, name in UPKEEP_JOBS:
        wanted.add(job_id)
        if scheduler.get_job(job_id) is None:
            scheduler.add_job(
                function,
                trigger,
                id=job_id,
                name=name,
                misfire_grace_time=WEEK_SECONDS,
                coalesce=True,
                next_run_time=trigger.get_next_fire_time(None, now),
            )
            changes.append(name)
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            changes.append(f"removed {job.name}")
    for change in changes:
        log.info("schedule: %s", change)
    return changes


def _sync_weekly(
    scheduler: ClockedScheduler,
    agent_id: uuid.UUID,
    name: str,
    config: ScheduleConfig,
    anchor: datetime,
    now: datetime,
    spread_seconds: float = 0.0,
) -> list[str]:
    job_id = weekly_job_id(agent_id)
    offset = spread_offset(agent_id, spread_seconds)
    spread = f" +{int(offset.total_seconds())}s" if offset else ""
    label = f"weekly run {name} {config.spec()}{spread}"
    job = scheduler.get_job(job_id)
    if job is None or job.name != label or (job.next_run_time is None) != config.paused:
        scheduler.add_job(
            weekly_job,
            SpreadTrigger(config.trigger(), offset),
            args=[str(agent_id)],
            id=job_id,
            name=label,
            misfire_grace_time=WEEK_SECONDS,
            next_run_time=weekly_slot(config, anchor=anchor, now=now, offset=offset),
        )
        state = " (paused)" if config.paused else ""
        verb = "" if job is None else ("paused " if config.paused else "updated ")
        return [f"{verb}{label}{state}"]
    return []


@dataclass
class ScheduleRow:
    """One agent's schedule as shown by ``twin schedule list``."""

    agent_id: str
    agent: str
    cron: str
    timezone: str
    paused: bool
    next_run: datetime | None
    metrics_next_run: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "agent": self.agent,
            "cron": self.cron,
            "timezone": self.timezone,
            "paused": self.paused,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "metrics_next_run": self.metrics_next_run.isoformat()
            if self.metrics_next_run
            else None,
        }


def describe(system: Resources, *, clock: Clock | None = None) -> list[ScheduleRow]:
    """Every agent's schedule with its next run (computed from the schedules, not a job store)."""
    now = (clock or SystemClock()).now().astimezone(UTC)
    metrics = metrics_trigger(system)
    spread = system.settings.schedule_spread_seconds
    return [
        ScheduleRow(
            str(agent_id),
            name,
            config.cron,
            config.timezone,
            config.paused,
            None
            if config.paused
            else SpreadTrigger(
                config.trigger(), spread_offset(agent_id, spread)
            ).get_next_fire_time(None, now),
            metrics.get_next_fire_time(None, now),
        )
        for agent_id, name, config, _anchor in _agents(system)
    ]
