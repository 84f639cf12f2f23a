"""``twin worker``: run the schedule in the foreground (weekly runs, publishing, metrics)."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.app.logs import configure_logging
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
) -> None:
    """Run weekly cycles on schedule and publish due posts every minute, until Ctrl-C or SIGTERM.

    On a stop signal the worker starts nothing new; a run in progress stops at its next step and
    is resumed from its checkpoint by the next worker (or 'twin run --resume ID').
    """
    system = system_for(data_dir)
    configure_logging(system.settings, verbose=verbose)
    announce_memory_fallback(system.settings)
    from agent.scheduling import JobRuntime, Worker

    runtime = JobRuntime(system=system, render_quality="draft" if draft else "full")
    try:
        Worker(runtime, poll_seconds=poll).run(once=once)
    finally:
        system.dispose()


__all__ = ["register", "worker"]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
