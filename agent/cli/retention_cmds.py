"""``twin retention``: apply the retention periods now (the worker does it daily)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from agent.cli.common import DataDirOpt, JsonOpt, console, system_for
from agent.context import SystemClock
from agent.records.retention import apply_retention, periods_from
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.repo.runs import log_event

__all__ = ["register", "retention"]


def retention(
    data_dir: DataDirOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Count what would be deleted or scrubbed; change nothing."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete expired raw media, scrub then delete old logs (TWIN_RETENTION_* periods)."""
    system = system_for(data_dir)
    periods = periods_from(system.settings)
    now = SystemClock().now()
    report = apply_retention(
        sessions=system.sessions,
        data_dir=system.settings.data_dir,
        periods=periods,
        now=now,
        dry_run=dry_run,
    )
    if not dry_run:
        with transaction(system.sessions) as session:
            log_event(
                session=session,
                event_type=EventType.retention_applied,
                subject_type=SubjectType.system,
                message=report.summary(),
                meta={**report.as_dict(), "periods": periods.__dict__},
                at=now,
            )
    if as_json:
        console.print_json(json.dumps({**report.as_dict(), "periods": periods.__dict__}))
        return
    console.print(
        f"{report.summary()} (raw media {periods.raw_asset_days} days, logs scrubbed after "
        f"{periods.log_scrub_days} and deleted after {periods.log_delete_days} days)",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    root.command("retention")(retention)
