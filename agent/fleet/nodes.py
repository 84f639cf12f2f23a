"""The processes of ``twin worker`` on a fleet: one Celery worker per queue, each its own pool.

A week waits for its renders, so weeks and renders must not share a pool (a pool full of
waiting weeks would never render): each queue gets its own Celery worker process with its own
concurrency, started here and stopped with ``twin worker``. Run one yourself with

    python -m agent.fleet.nodes --queue render --concurrency 2
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.fleet.app import QUEUES
from agent.settings import Settings

__all__ = ["FleetNodes", "default_concurrency", "parse_concurrency", "parse_queues"]

log = logging.getLogger("twin.fleet")


def parse_queues(text: str) -> list[str]:
    """``weeks,render,publish`` as a list; an unknown queue is a ValueError naming the known ones."""
    queues = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [q for q in queues if q not in QUEUES]
    if unknown or not queues:
        raise ValueError(
            f"unknown queue {unknown[0] if unknown else text!r}: use {', '.join(QUEUES)}"
        )
    return list(dict.fromkeys(queues))


def default_concurrency(queue: str) -> int:
    """One week and one publish pass at a time; renders one per two cores (x264 uses two)."""
    if queue == "render":
        return max(1, (os.cpu_count() or 1) // 2)
    return 1


def parse_concurrency(text: str | None, queues: list[str]) -> dict[str, int]:
    """``N`` (every queue) or ``weeks=2,render=4`` (the others keep their default)."""
    counts = {q: default_concurrency(q) for q in queues}
    if not text:
        return counts
    if text.strip().isdigit():
        return dict.fromkeys(queues, _positive(text.strip()))
    for part in text.split(","):
        queue, _, number = part.partition("=")
        queue = queue.strip()
        if queue not in queues or not number.strip().isdigit():
            raise ValueError(
                f"bad concurrency {part.strip()!r}: use N or queue=N for {', '.join(queues)}"
            )
        counts[queue] = _positive(number.strip())
    return counts


def _positive(number: str) -> int:
    value = int(number)
    if not 1 <= value <= 64:
        raise ValueError(f"concurrency {value} is out of range: use 1 to 64")
    return value


@dataclass
class FleetNodes:
    """One Celery worker process per queue, started and stopped together.

    Args:
        settings: The fleet's settings (handed to each process through its environment).
        concurrency: Pool size per queue.
        render_quality: Overrides ``TWIN_RENDER_QUALITY`` in the worker processes.
        on_exit: Called (from a watcher thread) when a process ends while the nodes run.
    """

    settings: Settings
    concurrency: dict[str, int]
    render_quality: str | None = None
    on_exit: Callable[[str, int], None] | None = None
    _procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self) -> None:
        env = {**os.environ, "TWIN_DATA_DIR": str(self.settings.data_dir)}
        if self.settings.database_url:
            env["TWIN_DATABASE_URL"] = self.settings.database_url
        if self.render_quality:
            env["TWIN_RENDER_QUALITY"] = self.render_quality
        for queue, count in self.concurrency.items():
            command = [
                sys.executable,
                "-m",
                "agent.fleet.nodes",
                "--queue",
                queue,
                "--concurrency",
                str(count),
            ]
            self._procs[queue] = subprocess.Popen(command, env=env)
            log.info(
                "started the %s worker (pid %d, concurrency %d)",
                queue,
                self._procs[queue].pid,
                count,
            )
        threading.Thread(target=self._watch, name="fleet-nodes", daemon=True).start()

    def stop(self, timeout: float | None = None) -> None:
        """Warm shutdown: each process finishes the tasks it has started, then exits."""
        self._stopping.set()
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
        for queue, proc in self._procs.items():
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("the %s worker did not stop in time; killing it", queue)
                proc.kill()
                proc.wait()

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            for queue, proc in self._procs.items():
                code = proc.poll()
                if code is not None and not self._stopping.is_set():
                    log.error("the %s worker exited with status %s", queue, code)
                    self._stopping.set()
                    if self.on_exit is not None:
                        self.on_exit(queue, code)
                    return


def main(argv: list[str] | None = None) -> None:
    """One Celery worker consuming one queue (``twin worker`` starts these)."""
    parser = argparse.ArgumentParser(prog="python -m agent.fleet.nodes")
    parser.add_argument("--queue", required=True, choices=QUEUES)
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args(argv)
    from agent.app.logs import configure_logging
    from agent.fleet.app import build_app, queue_name
    from agent.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    app = build_app(settings)
    from agent.fleet.tasks import PRELOAD

    for module in PRELOAD[args.queue]:
        importlib.import_module(module)
    count = args.concurrency or default_concurrency(args.queue)
    worker = app.Worker(
        queues=[queue_name(settings, args.queue)],
        concurrency=count,
        pool_cls="prefork",
        hostname=f"{args.queue}.{os.getpid()}@{socket.gethostname() or 'localhost'}",
        loglevel=settings.log_level,
        without_gossip=True,
        without_mingle=True,
        quiet=True,
    )
    worker.start()
    sys.exit(worker.exitcode)


if __name__ == "__main__":
    main()
