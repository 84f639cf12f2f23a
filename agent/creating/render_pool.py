"""Render several reels at once in worker processes, each keeping its RenderJob row current.

The renderer is CPU-bound (x264), so reels of one week render in parallel processes; each
worker writes its own job's progress_pct through its own database connection.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from tools.render.base import RenderError, RenderRequest, RenderResult

ProgressFactory = Callable[[uuid.UUID], Callable[[float], None]]


def default_workers() -> int:
    """x264 already spreads one render over about two cores, so one worker per two cores."""
    return max(1, (os.cpu_count() or 1) // 2)


def _progress_to_db(db_url: str, job_id: uuid.UUID) -> Callable[[float], None]:
    from db.engine import build_engine, session_factory, transaction
    from db.models import RenderJob

    sessions = session_factory(build_engine(db_url))
    last = {"pct": -10.0}

    def update(pct: float) -> None:
        if pct - last["pct"] < 10 and pct < 100:
            return
        last["pct"] = pct
        with transaction(sessions) as session:
            job = session.get(RenderJob, job_id)
            if job is not None:
                job.progress_pct = round(pct, 1)

    return update


def _render_in_child(db_url: str, job_id: uuid.UUID, request_json: str) -> RenderResult:
    from tools.render.engine import render_reel

    request = RenderRequest.model_validate_json(request_json)
    return render_reel(request, _progress_to_db(db_url, job_id))


def render_all(
    jobs: list[tuple[uuid.UUID, RenderRequest]],
    *,
    render: Callable[[RenderRequest, Any], RenderResult],
    progress_for: ProgressFactory,
    db_url: str,
    workers: int,
    parallel: bool,
) -> dict[uuid.UUID, RenderResult | RenderError]:
    """Render every job once; failures come back as RenderError values, not raised."""
    results: dict[uuid.UUID, RenderResult | RenderError] = {}
    if not parallel or workers <= 1 or len(jobs) <= 1:
        for job_id, request in jobs:
            try:
                results[job_id] = render(request, progress_for(job_id))
            except RenderError as exc:
                results[job_id] = exc
        return results
    context = multiprocessing.get_context("spawn")  # no inherited DB connections or locks
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures: dict[uuid.UUID, Future[RenderResult]] = {
            job_id: pool.submit(_render_in_child, db_url, job_id, request.model_dump_json()) for job_id, request in jobs
        }
        for job_id, future in futures.items():
            try:
                results[job_id] = future.result()
            except RenderError as exc:
                results[job_id] = exc
            except Exception as exc:  # a worker that died takes its job down, not the week
                results[job_id] = RenderError(f"render worker failed: {type(exc).__name__}: {exc}")
    return results
