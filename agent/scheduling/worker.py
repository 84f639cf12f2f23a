"""The foreground worker: keeps its own jobs in step with the schedules and runs what is due until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from agent.scheduling.job_context import JobRuntime
from agent.scheduling.jobs import recover_interrupted_runs
from agent.scheduling.registry import open_scheduler, sync_jobs

__all__ = ["Worker"]

log = logging.getLogger("twin.worker")


class Worker:
    """Runs weekly cycles, the publish loop and metrics refreshes on schedule.

    On SIGTERM/SIGINT it stops taking new jobs and lets a run in progress reach its next
    node boundary: the run is then finished, or recorded as interrupted and resumable from
    its checkpoint (the next worker resumes it).

    Args:
        runtime: Resources, clock and stop flag shared with the jobs.
        poll_seconds: Longest sleep between looks at the schedules.
        inline: Run jobs in the loop's thread (tests).
    """

    def __init__(
        self, runtime: JobRuntime, *, poll_seconds: float | None = None, inline: bool = False
    ) -> None:
        self.runtime = runtime
        self.poll_seconds = poll_seconds or runtime.system.settings.worker_poll_seconds
        self.inline = inline

    @property
    def stop_event(self) -> threading.Event:
        return self.runtime.stop

    def request_stop(self) -> None:
        """Ask the worker to stop; safe from a signal handler or another thread."""
        if not self.runtime.stop.is_set():
            log.info("stop requested: finishing work in progress")
        self.runtime.stop.set()
        wake = getattr(self, "_wake", None)
        if wake is not None:
            wake()

    def run(self, *, handle_signals: bool = True, once: bool = False) -> None:
        """Run until :meth:`request_stop` (or a signal); returns after a clean shutdown.

        Args:
            handle_signals: Stop cleanly on SIGTERM/SIGINT (main thread only).
            once: Sync schedules, run what is due now, wait for it and return.
        """
        system = self.runtime.system
        with self._signals(handle_signals):
            log.info(
                "worker started (database %s)",
                system.engine.url.render_as_string(hide_password=True),
            )
            for line in recover_interrupted_runs(self.runtime):
                log.info("recovered: %s", line)
            with open_scheduler(self.runtime, paused=False, inline=self.inline) as scheduler:
                self._wake = scheduler.wakeup
                if once:
                    sync_jobs(scheduler, system)
                    scheduler.tick()
                else:
                    scheduler.run_until(
                        self.runtime.stop,
                        poll_seconds=self.poll_seconds,
                        before_tick=lambda: sync_jobs(scheduler, system),
                    )
                log.info("waiting for jobs in progress to reach a checkpoint")
            log.info("worker stopped")

    @contextmanager
    def _signals(self, enabled: bool) -> Iterator[None]:
        if not enabled or threading.current_thread() is not threading.main_thread():
            yield
            return

        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s", signal.Signals(signum).name)
            self.request_stop()
            wake = getattr(self, "_wake", None)
            if wake is not None:
                wake()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
