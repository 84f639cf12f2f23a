"""Keep the job store in step with each agent's schedule, and describe what is scheduled."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from agent.clock import Clock, SystemClock
from agent.scheduling.config import ScheduleConfig, schedule_of
from agent.scheduling.engine import ClockedScheduler, JobExecutor
from agent.scheduling.jobs import metrics_job, publish_due_job, weekly_job
from agent.scheduling.runtime import JobRuntime
from agent.scheduling.upkeep import memory_compaction_job, retention_job
from agent.system import System
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
    "weekly_job_id",
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


@contextmanager
def open_scheduler(
    runtime: JobRuntime, *, paused: bool = True, inline: bool = False
) -> Iterator[ClockedScheduler]:
    """A started scheduler on the application database; ``paused`` ones only edit jobs.

    Args:
        runtime: System, clock and stop flag handed to jobs.
        paused: Start without processing jobs (for CLI commands that edit schedules).
        inline: Run jobs in the ticking thread (tests) rather than a thread pool.
    """
    scheduler = ClockedScheduler(
        clock=runtime.clock,
        engine=runtime.system.engine,
        executor=JobExecutor(runtime, inline=inline),
    )
    scheduler.start(paused=paused)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=True)


def sync_jobs(scheduler: ClockedScheduler, system: System) -> list[str]:
    """Make the job store match every agent's schedule; returns what changed.

    A weekly job whose cron and zone are unchanged keeps its stored next run time, so a slot
    missed while no worker ran is still due (and runs once, coalesced) when a worker starts.
    """
    settings = system.settings
    now = scheduler.now()
    changes: list[str] = []
    with system.sessions() as session:
        agents = [(a.id, a.name, schedule_of(session, a)) for a in list_agents(session=session)]
    wanted = {PUBLISH_JOB}
    for agent_id, name, config in agents:
        wanted |= {weekly_job_id(agent_id), metrics_job_id(agent_id)}
        changes += _sync_weekly(scheduler, agent_id, name, config, now)
        metrics_trigger = CronTrigger(
            hour=f"*/{settings.metrics_refresh_hours}", minute=17, timezone=UTC
        )
        if scheduler.get_job(metrics_job_id(agent_id)) is None:
            scheduler.add_job(
                metrics_job,
                metrics_trigger,
                args=[str(agent_id)],
                id=metrics_job_id(agent_id),
                name=f"metrics {name}",
                misfire_grace_time=3600,
                coalesce=True,
                next_run_time=metrics_trigger.get_next_fire_time(None, now),
            )
            changes.append(f"metrics refresh for {name}")
    if scheduler.get_job(PUBLISH_JOB) is None:
        trigger = CronTrigger(minute="*", second=0, timezone=UTC)
        scheduler.add_job(
            publish_due_job,
            trigger,
            id=PUBLISH_JOB,
            name="publish due posts",
            misfire_grace_time=300,
            coalesce=True,
            next_run_time=trigger.get_next_fire_time(None, now),
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
                max_instances=1,
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
    now: datetime,
) -> list[str]:
    job_id = weekly_job_id(agent_id)
    label = f"weekly run {name} {config.spec()}"
    job = scheduler.get_job(job_id)
    trigger = config.trigger()
    if job is None or job.name != label:
        scheduler.add_job(
            weekly_job,
            trigger,
            args=[str(agent_id)],
            id=job_id,
            name=label,
            replace_existing=True,
            misfire_grace_time=WEEK_SECONDS,
            coalesce=True,
            max_instances=1,
            next_run_time=None if config.paused else trigger.get_next_fire_time(None, now),
        )
        return [f"{label}{' (paused)' if config.paused else ''}"]
    if config.paused and job.next_run_time is not None:
        job.modify(next_run_time=None)
        return [f"paused {label}"]
    if not config.paused and job.next_run_time is None:
        job.modify(next_run_time=trigger.get_next_fire_time(None, now))
        return [f"resumed {label}"]
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


def describe(system: System, *, clock: Clock | None = None) -> list[ScheduleRow]:
    """Every agent's schedule with its next run, after syncing the job store."""
    runtime = JobRuntime(system=system, clock=clock or SystemClock())
    rows = []
    with open_scheduler(runtime) as scheduler:
        sync_jobs(scheduler, system)
        with system.sessions() as session:
            agents = [(a.id, a.name, schedule_of(session, a)) for a in list_agents(session=session)]
        for agent_id, name, config in agents:
            weekly = scheduler.get_job(weekly_job_id(agent_id))
            metrics = scheduler.get_job(metrics_job_id(agent_id))
            rows.append(
                ScheduleRow(
                    str(agent_id),
                    name,
                    config.cron,
                    config.timezone,
                    config.paused,
                    weekly.next_run_time if weekly else None,
                    metrics.next_run_time if metrics else None,
                )
            )
    return rows
