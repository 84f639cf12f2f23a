"""Render a week's reels, each keeping its RenderJob row's progress current.

The built-in renderer is CPU-bound (x264), so its reels render in parallel worker processes,
each writing its own job's progress through its own database connection; any other renderer
(a test's or a simulation's) renders in this process, one reel after another.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from agent.context import Render
from db.engine import transaction
from tools.render.base import RenderError, RenderRequest, RenderResult

Jobs = Sequence[tuple[uuid.UUID, RenderRequest]]
Results = dict[uuid.UUID, RenderResult | RenderError]


def default_workers() -> int:
    """x264 already spreads one render over about two cores, so one worker per two cores."""
    return max(1, (os.cpu_count() or 1) // 2)


def progress_writer(sessions: sessionmaker[Session], job_id: uuid.UUID) -> Callable[[float], None]:
    """A progress callback that writes every ten percent (and the end) to the job's row."""
    from db.repo.creative import render_progress

    last = {"pct": -10.0}

    def update(pct: float) -> None:
        if pct - last["pct"] < 10 and pct < 100:
            return
        last["pct"] = pct
        with transaction(sessions) as session:
            render_progress(session=session, job_id=job_id, pct=pct)

    return update


def render_serially(jobs: Jobs, *, render: Render, sessions: sessionmaker[Session]) -> Results:
    """Render every job once in this process; failures come back as RenderError values."""
    results: Results = {}
    for job_id, request in jobs:
        try:
            results[job_id] = render(request, progress_writer(sessions, job_id))
        except RenderError as exc:
            results[job_id] = exc
    return results


def _render_in_child(db_url: str, job_id: uuid.UUID, request_json: str) -> RenderResult:
    from db.engine import build_engine, session_factory
    from tools.render.engine import render_reel

    request = RenderRequest.model_validate_json(request_json)
    return render_reel(request, progress_writer(session_factory(build_engine(db_url)), job_id))


def render_in_processes(jobs: Jobs, *, db_url: str, workers: int) -> Results:
    """Render every job once with the built-in renderer, up to ``workers`` processes at a time."""
    results: Results = {}
    context = multiprocessing.get_context("spawn")  # no inherited DB connections or locks
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures: dict[uuid.UUID, Future[RenderResult]] = {
            job_id: pool.submit(_render_in_child, db_url, job_id, request.model_dump_json())
            for job_id, request in jobs
        }
        for job_id, future in futures.items():
            try:
                results[job_id] = future.result()
            except RenderError as exc:
                results[job_id] = exc
            except Exception as exc:  # a worker that died takes its job down, not the week
                results[job_id] = RenderError(f"render worker failed: {type(exc).__name__}: {exc}")
    return results


__all__ = ["default_workers", "progress_writer", "render_in_processes", "render_serially"]
