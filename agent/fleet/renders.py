"""A week's renders on the render queue: every reel is its own task, so one creator's week
spreads over every render worker of the fleet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from agent.context import RenderMany
from agent.settings import Settings
from tools.render.base import RenderError, RenderRequest, RenderResult

__all__ = ["RENDER_WAIT_SECONDS", "render_on_queue"]

RENDER_WAIT_SECONDS = 3600.0
"""Longest wait for a round of renders (a fleet with no render worker fails the round)."""


def render_on_queue(settings: Settings) -> RenderMany:
    """A :class:`~agent.context.RenderMany` that sends each reel to the render queue and waits.

    The week waits in its own worker process while render workers (another pool: see
    ``twin worker``) do the work, so waiting never takes a render worker's place.
    """

    def render_many(
        jobs: Sequence[tuple[uuid.UUID, RenderRequest]],
    ) -> dict[uuid.UUID, RenderResult | RenderError]:
        from celery import group

        from agent.fleet.tasks import render_reel_task

        if not jobs:
            return {}
        pending = group(
            render_reel_task.s(str(job_id), request.model_dump_json()) for job_id, request in jobs
        ).apply_async()
        try:
            answers = pending.get(
                timeout=RENDER_WAIT_SECONDS, propagate=False, disable_sync_subtasks=False
            )
        except Exception as exc:  # timed out, or the broker went away: the round fails
            return {
                job_id: RenderError(f"render queue: {type(exc).__name__}: {exc}")
                for job_id, _ in jobs
            }
        return {job_id: _result(answer) for (job_id, _), answer in zip(jobs, answers, strict=True)}

    return render_many


def _result(answer: object) -> RenderResult | RenderError:
    if isinstance(answer, dict) and "result" in answer:
        return RenderResult.model_validate(answer["result"])
    if isinstance(answer, dict) and "error" in answer:
        return RenderError(str(answer["error"]))
    return RenderError(f"render worker failed: {answer}")
