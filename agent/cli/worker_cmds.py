"""``twin worker``: run the schedule in the foreground (weekly runs, publishing, metrics)."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.app.logs import configure_logging
from agent.app.resources import Resources
from agent.cli.common import DataDirOpt, announce_memory_fallback, system_for


def worker(
    data_dir: DataDirOpt = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run what is due now, then exit (for cron or systemd timers)."),
    ] = False,
    poll: Annotated[
        float | None,
        typer.Option(
            "--poll",
            min=0.05,
            max=3600,
            help="Longest sleep in seconds between looks at the schedules.",
        ),
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Render scheduled runs at draft quality (faster).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also log third-party libraries' messages.")
    ] = False,
    queues: Annotated[
        str,
        typer.Option(
            "--queues",
            help="With TWIN_BROKER_URL: the queues this worker consumes (weeks, render, publish).",
        ),
    ] = "weeks,render,publish",
    concurrency: Annotated[
        str | None,
        typer.Option(
            "--concurrency",
            help="With TWIN_BROKER_URL: tasks at once per queue, N for each or e.g. "
            "weeks=1,render=2 (default: 1, renders one per two cores).",
        ),
    ] = None,
) -> None:
    """Run weekly cycles on schedule and publish due posts every minute, until Ctrl-C or SIGTERM.

    On a stop signal the worker starts nothing new; a run in progress stops at its next step and
    is resumed from its checkpoint by the next worker (or 'twin run --resume ID'). With
    TWIN_BROKER_URL the schedule puts weekly runs and publishing on the queues and this worker
    consumes --queues; a task whose worker was killed is delivered to another.
    """
    system = system_for(data_dir)
    configure_logging(system.settings, verbose=verbose)
    announce_memory_fallback(system.settings)
    try:
        if system.settings.broker_url:
            _fleet_worker(system, queues, concurrency, draft=draft, poll=poll, once=once)
            return
        from agent.scheduling import JobRuntime, Worker

        runtime = JobRuntime(system=system, render_quality="draft" if draft else "full")
        Worker(runtime, poll_seconds=poll).run(once=once)
    finally:
        system.dispose()


def _fleet_worker(
    system: Resources,
    queues: str,
    concurrency: str | None,
    *,
    draft: bool,
    poll: float | None,
    once: bool,
) -> None:
    from agent.fleet.nodes import parse_concurrency, parse_queues
    from agent.fleet.worker import run_fleet_worker

    try:
        names = parse_queues(queues)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--queues") from None
    try:
        counts = parse_concurrency(concurrency, names)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--concurrency") from None
    run_fleet_worker(
        system,
        concurrency=counts,
        render_quality="draft" if draft else None,
        poll_seconds=poll,
        once=once,
    )


__all__ = ["register", "worker"]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
