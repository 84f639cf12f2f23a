"""The fleet's tasks: a weekly run, one reel's render, a pass of the publish loop.

Each is the in-process code path run inside a Celery worker: the weekly task is
:func:`agent.scheduling.jobs.run_week` (the weekly job's own logic), the render task is the
built-in renderer, the publish task is :func:`agent.publishing.due_posts.publish_due`. Tasks are
registered as shared tasks, so they bind to whichever app :func:`agent.fleet.app.build_app`
made in this process. This module imports little: each queue's process loads what its own
tasks need (see :data:`PRELOAD`), so a render worker never loads the graph.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import TYPE_CHECKING, Any

from celery import shared_task
from celery.app.task import Task

if TYPE_CHECKING:
    from agent.app.resources import Resources
    from agent.scheduling.job_context import JobRuntime

__all__ = ["PRELOAD", "publish_due_task", "render_reel_task", "weekly_run", "worker_runtime"]

log = logging.getLogger("twin.fleet")
MAX_BUSY_RETRIES = 30
PRELOAD = {
    "weeks": ("agent.scheduling.jobs", "agent.app.wiring"),
    "render": ("tools.render.engine", "agent.creating.render_pool"),
    "publish": ("agent.publishing.due_posts",),
}
"""What each queue's worker process imports before it forks its pool (the children share it)."""
_systems: dict[int, Resources] = {}
_runtimes: dict[int, JobRuntime] = {}


def worker_system() -> Resources:
    """This worker process's database, settings and cipher, opened on its first task (after
    the fork, so no connection is shared with the parent)."""
    pid = os.getpid()
    system = _systems.get(pid)
    if system is None:
        from agent.app.resources import open_resources
        from agent.settings import load_settings

        _systems.clear()
        system = _systems[pid] = open_resources(load_settings())
    return system


def worker_runtime() -> JobRuntime:
    """What a week runs with in this worker process: its system, and renders on the queue."""
    pid = os.getpid()
    runtime = _runtimes.get(pid)
    if runtime is None:
        from agent.app.wiring import Wiring
        from agent.fleet.renders import render_on_queue
        from agent.scheduling.job_context import JobRuntime

        system = worker_system()
        _runtimes.clear()
        runtime = _runtimes[pid] = JobRuntime(
            system=system,
            render_quality=system.settings.render_quality,
            wiring=Wiring(render_many=render_on_queue(system.settings)),
        )
    return runtime


@shared_task(name="twin.weekly_run", bind=True, max_retries=MAX_BUSY_RETRIES)
def weekly_run(
    self: Task,
    agent_id: str,
    week: str,
    auto_approve: bool = False,
    fast_forward: bool = False,
    trigger: str = "manual",
) -> str:
    """Run (or resume, or skip) one agent-week; the database decides which.

    When another live process drives the agent's run, the task comes back after half a lease,
    so a week whose driver is lost on another host is finished once its lease expires.
    """
    from agent.scheduling.jobs import run_week
    from db.enums import TriggerType

    runtime = worker_runtime()
    result = run_week(
        runtime,
        agent_id,
        week,
        name=_agent_name(runtime, agent_id),
        trigger=TriggerType(trigger),
        auto_approve=auto_approve,
        fast_forward=fast_forward,
    )
    if result.busy:
        raise self.retry(countdown=runtime.system.settings.run_lease_seconds / 2)
    return result.text


@shared_task(name="twin.render_reel", ignore_result=False)
def render_reel_task(job_id: str, request_json: str) -> dict[str, Any]:
    """Render one reel with the built-in renderer, keeping its RenderJob's progress current.

    Returns:
        ``{"result": RenderResult}`` or ``{"error": message}`` for a render a user can fix.
    """
    from agent.creating.render_pool import progress_writer
    from tools.render.base import RenderError, RenderRequest
    from tools.render.engine import render_reel

    system = worker_system()
    request = RenderRequest.model_validate_json(request_json)
    try:
        result = render_reel(request, progress_writer(system.sessions, uuid.UUID(job_id)))
    except RenderError as exc:
        return {"error": str(exc)}
    return {"result": result.model_dump(mode="json")}


@shared_task(name="twin.publish_due")
def publish_due_task() -> int:
    """One pass of the publish loop (exactly once per post: the publish leases decide).

    Returns:
        How many posts were tried.
    """
    from agent.publishing.due_posts import publish_due

    report = publish_due(worker_system())
    for outcome in report.outcomes:
        log.info("post %s: %s %s", str(outcome.post_id)[:8], outcome.status.value, outcome.message)
    return len(report.outcomes)


def _agent_name(runtime: JobRuntime, agent_id: str) -> str:
    from db.models import Agent

    with runtime.system.sessions() as session:
        agent = session.get(Agent, uuid.UUID(agent_id))
        return agent.name if agent is not None else agent_id
