"""What scheduled jobs share in one worker process: the system, the clock, the stop flag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent.app.resources import Resources
from agent.app.wiring import Wiring
from agent.context import Clock, SystemClock
from agent.errors import RunInterrupted

log = logging.getLogger("twin.worker")


class WorkerStopping(RunInterrupted):
    """Raised at a node boundary when the worker is asked to stop; the run resumes later."""


class Dispatch(Protocol):
    """Where a fleet's scheduler puts work instead of doing it (``agent.fleet.enqueue``)."""

    def weekly_run(
        self,
        agent_id: str,
        week: str,
        *,
        auto_approve: bool = False,
        fast_forward: bool = False,
        trigger: str = "manual",
    ) -> str: ...

    def publish_due(self) -> None: ...


@dataclass
class JobRuntime:
    """Passed to every job as ``runtime``.

    Attributes:
        system: The application's database, settings and cipher.
        clock: The time source (the real clock in a worker, a fake one in tests).
        stop: Set when the worker should stop; runs stop at their next node boundary.
        wiring: The parts runs are built from (tests swap the renderer here).
        render_quality: "full" or "draft" for scheduled runs.
        publish: Replaces :func:`agent.publishing.due_posts.publish_due` (same signature).
        dispatch: On a fleet (``TWIN_BROKER_URL``), weekly runs and publishing are put on the
            queues instead of run here.
    """

    system: Resources
    clock: Clock = field(default_factory=SystemClock)
    stop: threading.Event = field(default_factory=threading.Event)
    wiring: Wiring = field(default_factory=Wiring)
    render_quality: str = "full"
    publish: Callable[..., Any] | None = None
    dispatch: Dispatch | None = None

    def progress(self, label: str) -> Callable[[str, str], None]:
        """A run progress callback that logs and stops the run at the next node when asked."""

        def report(node: str, message: str) -> None:
            if message == "started" and self.stop.is_set():
                raise WorkerStopping(f"worker stopping before {node}")
            if message not in ("started", "finished"):
                log.info("%s %s: %s", label, node, message)

        return report


def job_call(
    runtime: JobRuntime | None, scheduled_at: datetime | None
) -> tuple[JobRuntime, datetime]:
    """Check a job got what the executor passes; APScheduler needs those arguments optional."""
    if runtime is None or scheduled_at is None:
        raise TypeError(
            "scheduled jobs are called by the worker's executor with scheduled_at and runtime"
        )
    return runtime, scheduled_at
