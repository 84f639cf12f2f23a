"""``twin campaigns``: a goal, topics and a call to action for a range of weeks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.cli.twin_common import AgentOpt, setup_session
from agent.setup.campaigns import add_campaign
from agent.setup.twins import split_list
from db.repo.campaigns import brief, list_campaigns, remove_campaign

app = typer.Typer(
    help="Campaigns: tie weeks of plans to a goal, topics and a call to action.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    goal: Annotated[
        str, typer.Option("--goal", help="What it is for, e.g. '200 sign-ups for the course'.")
    ],
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (open-ended without).")
    ] = None,
    topics: Annotated[
        str | None, typer.Option("--topics", help="Topics to cover, comma-separated.")
    ] = None,
    cta: Annotated[str, typer.Option("--cta", help="The call to action its posts end with.")] = "",
    platforms: Annotated[
        str | None, typer.Option("--platforms", help="Platforms it targets, comma-separated.")
    ] = None,
    description: Annotated[str, typer.Option("--description", help="Notes.")] = "",
    project: Annotated[
        str | None,
        typer.Option("--project", help="Project to file it under (default 'Campaigns')."),
    ] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a campaign; the weeks it covers are planned around its goal and topics."""
    with setup_session(data_dir, agent) as (_, session, owner):
        campaign = add_campaign(
            session=session,
            agent=owner,
            name=name,
            start=start,
            end=end,
            goal=goal,
            topics=split_list(topics) or [],
            cta=cta,
            platforms=split_list(platforms),
            description=description,
            project=project,
        )
        label = f"{campaign.name} ({campaign.start_date} to {campaign.end_date or 'open'})"
    console.print(f"Added campaign {label}.")


@app.command("list")
def list_(as_json: JsonOpt = False, agent: AgentOpt = None, data_dir: DataDirOpt = None) -> None:
    """The agent's campaigns, earliest first."""
    with setup_session(data_dir, agent) as (_, session, owner):
        rows = [
            {**brief(c).model_dump(mode="json"), "status": c.status.value}
            for c in list_campaigns(session=session, agent_id=owner.id)
        ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("name", "from", "to", "goal", "topics", "cta", "status")
    for row in rows:
        table.add_row(
            row["name"],
            row["start_date"],
            row["end_date"] or "open",
            row["goal"],
            ", ".join(row["topics"]),
            row["cta"],
            row["status"],
        )
    console.print(table)


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The campaign.")],
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Remove a campaign; plans and posts made for it stay."""
    with setup_session(data_dir, agent) as (_, session, owner):
        label = remove_campaign(session=session, agent_id=owner.id, name=name).name
    console.print(f"Removed campaign {label}.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="campaigns")
