"""Background review jobs: resume a waiting run off the request thread and record progress."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

JobState = Literal["queued", "running", "done", "error"]
MAX_LINES = 200


@dataclass
class Job:
    """One resume of one run, as the browser sees it."""

    id: str
    run_id: str
    description: str
    state: JobState = "queued"
    lines: list[str] = field(default_factory=list)
    result_status: str | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def progress(self, node: str, message: str) -> None:
        """The ``progress(node, message)`` hook handed to the runner."""
        elapsed = time.monotonic() - self.started
        self.lines.append(f"{elapsed:5.1f}s  {node}: {message}")
        del self.lines[:-MAX_LINES]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "run_id": self.run_id,
            "description": self.description,
            "state": self.state,
            "lines": list(self.lines),
            "result_status": self.result_status,
            "error": self.error,
        }


class JobBusyError(RuntimeError):
    """The run already has a job queued or running."""


class JobRunner:
    """Runs jobs one at a time (the cycle writes a lot; one writer keeps SQLite happy)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twin-web-job")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._futures: dict[str, Future[None]] = {}

    def submit(self, run_id: str, description: str, work: Callable[[Job], str]) -> Job:
        """Queue ``work(job)``; it returns the run's new status.

        Raises:
            JobBusyError: This run already has an unfinished job.
        """
        with self._lock:
            active = self.active_for(run_id)
            if active is not None:
                raise JobBusyError(
                    "this run is already being resumed; wait for it to finish, then try again"
                )
            job = Job(id=uuid.uuid4().hex, run_id=run_id, description=description)
            self._jobs[job.id] = job
            self._futures[job.id] = self._executor.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Job], str]) -> None:
        job.state = "running"
        job.started = time.monotonic()
        try:
            job.result_status = work(job)
            job.state = "done"
        except Exception as exc:  # shown to the user as a message, never a traceback
            job.error = str(exc) or exc.__class__.__name__
            job.state = "error"
        finally:
            job.finished = time.monotonic()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def active_for(self, run_id: str) -> Job | None:
        """The queued or running job of this run, if any."""
        for job in self._jobs.values():
            if job.run_id == run_id and job.state in ("queued", "running"):
                return job
        return None

    def latest_for(self, run_id: str) -> Job | None:
        jobs = [j for j in self._jobs.values() if j.run_id == run_id]
        return max(jobs, key=lambda j: j.started) if jobs else None

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job ends (tests and shutdown)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)
        return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Let the running job reach its checkpoint; drop queued ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)


__all__ = ["Job", "JobBusyError", "JobRunner", "JobState"]
