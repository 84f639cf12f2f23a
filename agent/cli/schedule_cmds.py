"""``twin schedule``: when each agent's weekly run starts (set, list, pause, resume)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from agent.app.resources import Resources
from agent.cli.common import DataDirOpt, JsonOpt, console, system_for

if TYPE_CHECKING:
    from agent.scheduling import ScheduleRow
from agent.records.audit import AuditOrigin, cli_actor
from db.engine import transaction
from db.repo import audit
from db.repo.identity import get_agent

AgentOpt = Annotated[
    str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
]

schedule_app = typer.Typer(
    help="When the weekly run starts; 'twin worker' runs it.", no_args_is_help=True
)


def _change(system: Resources, agent: str | None, **changes: object) -> ScheduleRow:
    from agent.scheduling import describe, update_schedule

    with transaction(system.sessions) as session:
        row = get_agent(session=session, name_or_id=agent)
        before = dict(row.schedule_json or {})
        update_schedule(session, row, **changes)  # type: ignore[arg-type]
        agent_id = str(row.id)
        audit.record(
            session=session,
            actor=cli_actor(),
            action="schedule.update",
            subject_type="agent",
            subject_id=row.id,
            origin=AuditOrigin.cli,
            details=dict(row.schedule_json or {}),
            before=before,
            user_id=row.user_id,
        )
    return next(r for r in describe(system) if r.agent_id == agent_id)


def _print(rows: list[ScheduleRow], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in rows]))
        return
    table = Table("agent", "cron", "zone", "state", "next run", "metrics")
    for row in rows:
        next_run = (
            row.next_run.astimezone(_zone(row.timezone)).strftime("%a %d %b %Y %H:%M %Z")
            if row.next_run
            else "-"
        )
        metrics = row.metrics_next_run.strftime("%d %b %H:%M UTC") if row.metrics_next_run else "-"
        table.add_row(
            row.agent,
            row.cron,
            row.timezone,
            "paused" if row.paused else "active",
            next_run,
            metrics,
        )
    console.print(table)


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@schedule_app.command("set")
def set_(
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    cron: Annotated[
        str | None,
        typer.Option("--cron", help="Crontab, e.g. '0 9 * * MON' (minute hour day month weekday)."),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="IANA time zone, e.g. Europe/Paris.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set when the agent's weekly run starts."""
    if cron is None and tz is None:
        raise typer.BadParameter("give --cron and/or --tz")
    _print([_change(system_for(data_dir), agent, cron=cron, timezone=tz)], as_json)


@schedule_app.command("list")
def list_(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Show every agent's schedule and next run."""
    from agent.scheduling import describe

    _print(describe(system_for(data_dir)), as_json)


@schedule_app.command("pause")
def pause(data_dir: DataDirOpt = None, agent: AgentOpt = None, as_json: JsonOpt = False) -> None:
    """Stop starting weekly runs (runs in progress and scheduled posts go on)."""
    _print([_change(system_for(data_dir), agent, paused=True)], as_json)


@schedule_app.command("resume")
def resume(data_dir: DataDirOpt = None, agent: AgentOpt = None, as_json: JsonOpt = False) -> None:
    """Start weekly runs again from the next slot (paused slots are not made up)."""
    _print([_change(system_for(data_dir), agent, paused=False)], as_json)


__all__ = ["register", "schedule_app"]


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
