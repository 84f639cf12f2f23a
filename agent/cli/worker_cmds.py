"""``twin worker``: run the schedule in the foreground (weekly runs, publishing, metrics)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.logging import RichHandler

from agent.cli.common import DataDirOpt, err_console, system_for


def worker(
    data_dir: DataDirOpt = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run what is due now, then exit (for cron or systemd timers)."),
    ] = False,
    poll: Annotated[
        float | None,
        typer.Option("--poll", help="Longest sleep in seconds between looks at the schedules."),
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Render scheduled runs at draft quality (faster).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also log the scheduler's own messages.")
    ] = False,
) -> None:
    """Run weekly cycles on schedule and publish due posts every minute, until Ctrl-C or SIGTERM.

    On a stop signal the worker starts nothing new; a run in progress stops at its next step and
    is resumed from its checkpoint by the next worker (or 'twin run --resume ID').
    """
    handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=False, markup=False)
    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[handler], force=True)
    for noisy in ("apscheduler", "httpx", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    system = system_for(data_dir)
    from agent.scheduling import JobRuntime, Worker

    runtime = JobRuntime(system=system, render_quality="draft" if draft else "full")
    try:
        Worker(runtime, poll_seconds=poll).run(once=once)
    finally:
        system.dispose()


__all__ = ["register", "worker"]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
