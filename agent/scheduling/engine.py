"""APScheduler 3 driven by an injected clock, with its job store in the application database.

APScheduler's own loop reads the wall clock. This scheduler keeps APScheduler's job store,
triggers, job options (``coalesce``, ``misfire_grace_time``, ``max_instances``) and events, but
decides what is due from :class:`agent.context.Clock`, so a test can move time and the worker
runs exactly the same code with the real clock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.base import BaseExecutor, MaxInstancesReachedError
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import STATE_PAUSED, BaseScheduler
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError

from agent.context import Clock

__all__ = ["JOB_TABLE", "ClockedScheduler", "JobExecutor", "job_store"]

JOB_TABLE = "apscheduler_jobs"
log = logging.getLogger("twin.scheduler")


def job_store(engine: Engine) -> SQLAlchemyJobStore:
    """APScheduler's SQLAlchemy job store on the application's own engine."""
    return SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)


class JobExecutor(BaseExecutor):
    """Runs job functions with the slot they fire for and a shared runtime object.

    Every job function is called as ``func(*args, scheduled_at=slot, runtime=runtime, **kwargs)``.

    Args:
        runtime: Passed to every job as ``runtime`` (the worker's system, clock and stop flag).
        inline: Run jobs in the scheduling thread (tests) instead of a thread pool.
        max_workers: Threads in the pool.
    """

    def __init__(self, runtime: Any, *, inline: bool = False, max_workers: int = 4) -> None:
        super().__init__()
        self.runtime = runtime
        self.inline = inline
        self._pool: ThreadPoolExecutor | None = None
        self._max_workers = max_workers

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        if not self.inline:
            self._pool = ThreadPoolExecutor(
                max_workers=self._max_workers, thread_name_prefix="twin-job"
            )

    def shutdown(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if self._pool is None:
            self._run(job, run_times)
        else:
            self._pool.submit(self._run, job, run_times)

    def _run(self, job: Job, run_times: list[datetime]) -> None:
        events = []
        for run_time in run_times:
            log.info("running %s for %s", job.name, run_time.isoformat())
            try:
                value = job.func(
                    *job.args, scheduled_at=run_time, runtime=self.runtime, **job.kwargs
                )
            except Exception as exc:
                log.exception("job %s failed", job.name)
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_ERROR, job.id, job._jobstore_alias, run_time, exception=exc
                    )
                )
            else:
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time, retval=value
                    )
                )
        self._run_job_success(job.id, events)


class ClockedScheduler(BaseScheduler):
    """A BaseScheduler whose notion of "now" is an injected clock.

    Call :meth:`tick` to run what is due (it returns the seconds until the next job), or
    :meth:`run_until` for a foreground loop.
    """

    def __init__(
        self, *, clock: Clock, engine: Engine, executor: JobExecutor, **options: Any
    ) -> None:
        self.clock = clock
        self._wake = threading.Event()
        super().__init__(
            jobstores={"default": job_store(engine)},
            executors={"default": executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
            **options,
        )

    def start(self, paused: bool = False) -> None:
        """Start (creating the job table when missing); ``paused`` only edits jobs."""
        for attempt in range(3):
            try:
                super().start(paused=paused)
                return
            except (IntegrityError, ProgrammingError):
                # Two processes creating the job table at once on PostgreSQL: the loser retries.
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def shutdown(self, wait: bool = True) -> None:
        """Stop; with ``wait`` the jobs in progress finish first."""
        super().shutdown(wait=wait)
        self._wake.set()

    def wakeup(self) -> None:
        self._wake.set()

    def now(self) -> datetime:
        """The clock's current time."""
        return self.clock.now().astimezone(UTC)

    def tick(self) -> float | None:
        """Run every due job once; returns seconds until the next job (None when none)."""
        return self._process_jobs()

    def run_until(
        self,
        stop: threading.Event,
        *,
        poll_seconds: float,
        before_tick: Callable[[], object] | None = None,
    ) -> None:
        """Tick until ``stop`` is set, sleeping until the next job or ``poll_seconds``."""
        while not stop.is_set():
            if before_tick is not None:
                before_tick()
            wait = self.tick()
            delay = poll_seconds if wait is None else min(max(wait, 0.05), poll_seconds)
            self._wake.wait(delay)
            self._wake.clear()

    def _process_jobs(self) -> float | None:
        if self.state == STATE_PAUSED:
            return None
        now = self.now()
        next_wakeup: datetime | None = None
        missed: list[JobExecutionEvent] = []
        with self._jobstores_lock:
            for alias, store in self._jobstores.items():
                try:
                    due = store.get_due_jobs(now)
                except Exception as exc:
                    log.warning("cannot read due jobs: %s", exc)
                    retry = now + timedelta(seconds=self.jobstore_retry_interval)
                    next_wakeup = retry if next_wakeup is None else min(next_wakeup, retry)
                    continue
                for job in due:
                    missed.extend(self._submit(job, alias, store, now))
                store_next = store.get_next_run_time()
                if store_next is not None and (next_wakeup is None or store_next < next_wakeup):
                    next_wakeup = store_next
        for event in missed:
            self._dispatch_event(event)
        if next_wakeup is None:
            return None
        return max((next_wakeup - self.now()).total_seconds(), 0.0)

    def _submit(self, job: Job, alias: str, store: Any, now: datetime) -> list[JobExecutionEvent]:
        grace = job.misfire_grace_time
        first = job.next_run_time
        events: list[JobExecutionEvent] = []
        if grace is not None and first is not None and (now - first).total_seconds() > grace:
            # Slots older than the grace time are missed; skip ahead instead of walking them.
            log.warning(
                "%s missed its slots from %s (more than %ss ago)",
                job.name,
                first.isoformat(),
                grace,
            )
            events.append(JobExecutionEvent(EVENT_JOB_MISSED, job.id, alias, first))
            first = job.trigger.get_next_fire_time(None, now - timedelta(seconds=grace))
        slots = fire_times(job.trigger, first, now)
        due = slots[-1:] if job.coalesce else slots
        if due:
            try:
                self._lookup_executor(job.executor).submit_job(job, due)
            except MaxInstancesReachedError:
                log.info("%s is still running; slot %s skipped", job.name, due[-1].isoformat())
        following = job.trigger.get_next_fire_time(slots[-1] if slots else None, now)
        if following is not None and following <= now:
            following = job.trigger.get_next_fire_time(following, now)
        if following is not None:
            job._modify(next_run_time=following)
            store.update_job(job)
        else:
            self.remove_job(job.id, alias)
        return events


def fire_times(trigger: Any, first: datetime | None, now: datetime) -> list[datetime]:
    """Every slot of ``trigger`` from ``first`` up to ``now``."""
    slots: list[datetime] = []
    current = first
    while current is not None and current <= now:
        slots.append(current)
        current = trigger.get_next_fire_time(current, now)
    return slots
