"""A ``twin worker`` for tests, run as its own process: the real Worker with a stand-in renderer.

    python -m tests.scheduler.worker_process --data-dir D --database-url URL --now ISO
        [--once] [--inline] [--render-seconds S] [--start-at EPOCH]

The clock starts at ``--now`` and runs forward in real time from there.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.app.resources import open_resources
from agent.app.wiring import Wiring, no_memory
from agent.scheduling import JobRuntime, Worker
from agent.settings import load_settings
from tests.cycle.fakes import FakeRender


@dataclass
class ShiftedClock:
    """Real time, shifted so that it starts at a chosen instant."""

    start: datetime

    def __post_init__(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._origin)

    def reach(self, when: datetime) -> bool:
        return when <= self.now()


class SlowRender(FakeRender):
    """The stand-in renderer, taking a while per reel like a real one."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def __call__(self, request: Any, progress: Any = None) -> Any:
        time.sleep(self.seconds)
        return super().__call__(request, progress)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--render-seconds", type=float, default=0.0)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--inline", action="store_true", help="Run jobs in the loop's thread.")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s", force=True
    )
    system = open_resources(load_settings(data_dir=args.data_dir, database_url=args.database_url))
    start = datetime.fromisoformat(args.now).astimezone(UTC)
    runtime = JobRuntime(
        system=system,
        clock=ShiftedClock(start),
        wiring=Wiring(render=SlowRender(args.render_seconds), memory=no_memory),
    )
    if args.start_at:
        time.sleep(max(0.0, args.start_at - time.time()))
    print("worker ready", flush=True)
    Worker(runtime, poll_seconds=0.2, inline=args.inline).run(once=args.once)
    system.dispose()


if __name__ == "__main__":
    main()
