"""``twin report``: a week's report as Markdown, HTML (charts inline) or PDF (charts), rendered on demand."""

from __future__ import annotations

import json
import webbrowser
from typing import Annotated, Any

import typer
from sqlalchemy import select

from agent.cli.common import DataDirOpt, JsonOpt, check_week, console, system_for
from agent.errors import UserError
from agent.strategy.weeks import parse_week
from db.models import WeeklyReport
from db.repo.identity import get_agent


def report(
    data_dir: DataDirOpt = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            callback=check_week,
            help="ISO week, e.g. 2030-W02 (default: the latest report).",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    agent: Annotated[
        str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
    ] = None,
    open_it: Annotated[
        bool, typer.Option("--open", help="Open the file with the system's viewer.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write (and print the path of) a weekly report with its charts."""
    from tools.reports import FORMATS, ReportData, write_report_files

    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    system = system_for(data_dir)
    with system.sessions() as session:
        agent_row = get_agent(session=session, name_or_id=agent)
        stmt = select(WeeklyReport).where(WeeklyReport.agent_id == agent_row.id)
        if week:
            try:
                stmt = stmt.where(WeeklyReport.week_start == parse_week(week))
            except ValueError as exc:
                raise UserError(str(exc)) from None
        row = session.scalar(stmt.order_by(WeeklyReport.week_start.desc()).limit(1))
        if row is None:
            raise UserError(
                f"no report for {week}" if week else "no report yet: run a cycle first ('twin run')"
            )
        raw: dict[str, Any] | None = (row.analysis_json or {}).get("report_data")
        agent_id = str(agent_row.id)
    if not raw:
        raise UserError(
            "this report was written by an older version and has no chart data: run the week again"
        )
    data = ReportData.model_validate(raw)
    path = write_report_files(data, system.settings.reports_dir / agent_id[:8], [fmt])[fmt]
    uri_field = {"md": "markdown_uri", "html": "html_uri", "pdf": "pdf_uri"}[fmt]
    from db.engine import transaction

    with transaction(system.sessions) as session:
        stored = session.get(WeeklyReport, row.id)
        if stored is not None:
            setattr(stored, uri_field, str(path))
    if as_json:
        console.print_json(json.dumps({"week": data.week, "format": fmt, "path": str(path)}))
    else:
        console.print(f"[bold]{data.week}[/bold] {data.headline}")
        console.print(f"Report: {path}")
    if open_it:
        webbrowser.open(path.resolve().as_uri())


def register(app: typer.Typer) -> None:
    app.command("report")(report)
