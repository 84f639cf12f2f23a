"""``twin worker`` on a fleet: the schedule enqueues, one Celery worker per queue runs."""

from __future__ import annotations

import logging

from agent.app.resources import Resources
from agent.errors import UserError
from agent.fleet.app import check_broker
from agent.fleet.enqueue import Dispatcher
from agent.fleet.nodes import FleetNodes
from agent.scheduling import JobRuntime, Worker

__all__ = ["FleetWorkerError", "run_fleet_worker"]

log = logging.getLogger("twin.fleet")


class FleetWorkerError(UserError):
    """One of the worker's queue processes ended on its own (its log says why)."""


def run_fleet_worker(
    system: Resources,
    *,
    concurrency: dict[str, int],
    render_quality: str | None = None,
    poll_seconds: float | None = None,
    once: bool = False,
) -> None:
    """Consume ``concurrency``'s queues and keep the schedule, until SIGTERM or Ctrl-C.

    The schedule's weekly runs and publish passes go on the queues (every worker's scheduler
    may send the same week: the database runs it once); stale runs found at start go back on
    the weeks queue. With ``once``, only what is due now is queued, and nothing is consumed.

    Raises:
        BrokerUnavailableError: The broker does not answer.
        FleetWorkerError: A queue process ended while the worker ran.
    """
    dispatcher = Dispatcher(system.settings)
    check_broker(dispatcher.app)
    worker = Worker(JobRuntime(system=system, dispatch=dispatcher), poll_seconds=poll_seconds)
    if once:
        worker.run(once=True)
        return
    ended: list[str] = []

    def node_ended(queue: str, code: int) -> None:
        ended.append(f"the {queue} worker process exited with status {code}")
        worker.request_stop()

    nodes = FleetNodes(
        system.settings, concurrency, render_quality=render_quality, on_exit=node_ended
    )
    nodes.start()
    try:
        worker.run()
    finally:
        nodes.stop()
    if ended:
        raise FleetWorkerError(f"{ended[0]}: see its log above, then start 'twin worker' again")
