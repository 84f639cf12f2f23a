"""A small scheduler driven by an injected clock; its jobs live in its own memory.

Each worker process has its own scheduler and nothing is shared between them: what must happen
once (one weekly run per agent-week, one post per reel and account) is guaranteed by the
database (``agent_runs.dedupe_key``, the posts' unique keys), so two workers firing the same
slot is harmless. Triggers are APScheduler's cron triggers, used through their public
``get_next_fire_time``; nothing else of APScheduler is used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from agent.context import Clock

__all__ = ["ClockedScheduler", "Job", "JobExecutor", "Trigger", "fire_times"]

log = logging.getLogger("twin.scheduler")


class Trigger(Protocol):
    """When a job fires (APScheduler's ``CronTrigger`` is one)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


@dataclass
class Job:
    """One scheduled job.

    Attributes:
        id: Unique within its scheduler.
        name: Shown in logs and ``twin schedule list``.
        func: Called as ``func(*args, scheduled_at=slot, runtime=runtime)``.
        trigger: Its firing times.
        args: Positional arguments.
        next_run_time: The next slot (None: paused).
        coalesce: Several due slots run once, for the latest.
        misfire_grace_time: Slots older than this many seconds are skipped (None: never).
    """

    id: str
    name: str
    func: Callable[..., Any]
    trigger: Trigger
    args: tuple[Any, ...] = ()
    next_run_time: datetime | None = None
    coalesce: bool = True
    misfire_grace_time: float | None = 3600.0


@dataclass
class JobExecutor:
    """Runs due jobs with the slot they fire for and a shared runtime; one instance per job at a time.

    Args:
        runtime: Passed to every job as ``runtime`` (the worker's system, clock and stop flag).
        inline: Run jobs in the scheduling thread (tests) instead of a thread pool.
        max_workers: Threads in the pool.
    """

    runtime: Any
    inline: bool = False
    max_workers: int = 4
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)
    _running: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> None:
        if not self.inline and self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix="twin-job"
            )

    def shutdown(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def submit(self, job: Job, slots: list[datetime]) -> bool:
        """Run ``job`` for ``slots``; False when it is still running (the slots are skipped)."""
        with self._lock:
            if job.id in self._running:
                return False
            self._running.add(job.id)
        if self._pool is None:
            self._run(job, slots)
        else:
            self._pool.submit(self._run, job, slots)
        return True

    def _run(self, job: Job, slots: list[datetime]) -> None:
        try:
            for slot in slots:
                log.info("running %s for %s", job.name, slot.isoformat())
                try:
                    job.func(*job.args, scheduled_at=slot, runtime=self.runtime)
                except Exception:
                    log.exception("job %s failed", job.name)
        finally:
            with self._lock:
                self._running.discard(job.id)


class ClockedScheduler:
    """Jobs due by an injected clock: :meth:`tick` runs what is due, :meth:`run_until` loops."""

    def __init__(self, *, clock: Clock, executor: JobExecutor) -> None:
        self.clock = clock
        self.executor = executor
        self.paused = True
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._wake = threading.Event()

    # -- jobs ---------------------------------------------------------------------------------

    def add_job(
        self,
        func: Callable[..., Any],
        trigger: Trigger,
        *,
        id: str,
        name: str | None = None,
        args: tuple[Any, ...] | list[Any] = (),
        next_run_time: datetime | None = None,
        coalesce: bool = True,
        misfire_grace_time: float | None = 3600.0,
    ) -> Job:
        """Add (or replace) a job; ``next_run_time`` None means paused."""
        job = Job(
            id=id,
            name=name or id,
            func=func,
            trigger=trigger,
            args=tuple(args),
            next_run_time=next_run_time,
            coalesce=coalesce,
            misfire_grace_time=misfire_grace_time,
        )
        with self._lock:
            self._jobs[id] = job
        self.wakeup()
        return job

    def get_job(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def get_jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def remove_job(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)

    def modify_job(self, job_id: str, *, next_run_time: datetime | None) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.next_run_time = next_run_time
        self.wakeup()

    # -- running ------------------------------------------------------------------------------

    def start(self, paused: bool = False) -> None:
        """Start; a ``paused`` scheduler only holds jobs (for commands that describe them)."""
        self.paused = paused
        if not paused:
            self.executor.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop; with ``wait`` the jobs in progress finish first."""
        self.paused = True
        self.executor.shutdown(wait=wait)
        self._wake.set()

    def wakeup(self) -> None:
        self._wake.set()

    def now(self) -> datetime:
        """The clock's current time."""
        return self.clock.now().astimezone(UTC)

    def tick(self) -> float | None:
        """Run every due job once; returns seconds until the next job (None when none)."""
        if self.paused:
            return None
        now = self.now()
        for job in self.get_jobs():
            if job.next_run_time is not None and job.next_run_time <= now:
                self._fire(job, now)
        upcoming = [j.next_run_time for j in self.get_jobs() if j.next_run_time is not None]
        if not upcoming:
            return None
        return max((min(upcoming) - self.now()).total_seconds(), 0.0)

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

    def _fire(self, job: Job, now: datetime) -> None:
        first = job.next_run_time
        grace = job.misfire_grace_time
        if grace is not None and first is not None and (now - first).total_seconds() > grace:
            # Slots older than the grace time are missed; skip ahead instead of walking them.
            log.warning(
                "%s missed its slots from %s (more than %ss ago)",
                job.name,
                first.isoformat(),
                grace,
            )
            first = job.trigger.get_next_fire_time(None, now - timedelta(seconds=grace))
        slots = fire_times(job.trigger, first, now)
        due = slots[-1:] if job.coalesce else slots
        if due and not self.executor.submit(job, due):
            log.info("%s is still running; slot %s skipped", job.name, due[-1].isoformat())
        following = job.trigger.get_next_fire_time(slots[-1] if slots else None, now)
        if following is not None and following <= now:
            following = job.trigger.get_next_fire_time(following, now)
        with self._lock:
            if following is None:
                self._jobs.pop(job.id, None)
            elif job.id in self._jobs:
                job.next_run_time = following


def fire_times(trigger: Trigger, first: datetime | None, now: datetime) -> list[datetime]:
    """Every slot of ``trigger`` from ``first`` up to ``now``."""
    slots: list[datetime] = []
    current = first
    while current is not None and current <= now:
        slots.append(current)
        current = trigger.get_next_fire_time(current, now)
    return slots
