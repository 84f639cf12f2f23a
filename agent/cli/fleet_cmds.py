"""``twin users``, ``twin agents`` and ``twin enqueue``: many creators, and their weeks on the queue."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.common import (
    DataDirOpt,
    JsonOpt,
    check_week,
    console,
    refuse_real_accounts,
    system_for,
)
from agent.settings import load_settings

users_app = typer.Typer(help="Add the creators a fleet runs agents for.", no_args_is_help=True)
agents_app = typer.Typer(
    help="Add and list agents (one per creator's channel).", no_args_is_help=True
)


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The creator's email address.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Display name (default: from the email).")
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a creator with a twin, a voice and a sandbox account; then 'twin agents add NAME --user EMAIL'."""
    from agent.app.creators import add_user

    system = system_for(data_dir)
    try:
        address, created = add_user(system, email=email, name=name)
    finally:
        system.dispose()
    if as_json:
        console.print_json(json.dumps({"email": address, "created": created}))
        return
    console.print(f"Added user {address}: {', '.join(created[1:])}.", highlight=False)


@agents_app.command("add")
def agents_add(
    name: Annotated[
        str, typer.Argument(help="The agent's name (unique: commands pick agents by it).")
    ],
    user: Annotated[
        str | None,
        typer.Option("--user", help="The creator's email (default: the one 'twin init' made)."),
    ] = None,
    niche: Annotated[
        str | None, typer.Option("--niche", help="What the content is about, e.g. ai-tools.")
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an agent for a creator; it runs on the default weekly schedule (see 'twin schedule')."""
    from agent.app.creators import add_agent

    system = system_for(data_dir)
    try:
        summary = add_agent(system, name=name, user_email=user, niche=niche)
    finally:
        system.dispose()
    if as_json:
        console.print_json(json.dumps(summary.as_dict()))
        return
    console.print(
        f"Added agent {summary.name} ({summary.id[:8]}) for {summary.user}, niche {summary.niche}.",
        highlight=False,
    )


@agents_app.command("list")
def agents_list(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Every agent with its creator, niche, runs and latest week."""
    from agent.app.creators import agent_summaries

    system = system_for(data_dir)
    try:
        rows = agent_summaries(system)
    finally:
        system.dispose()
    if as_json:
        console.print_json(json.dumps([row.as_dict() for row in rows]))
        return
    table = Table("agent", "id", "user", "niche", "runs", "latest week")
    for row in rows:
        table.add_row(
            row.name, row.id[:8], row.user, row.niche, str(row.runs), row.latest_week or "-"
        )
    console.print(table)


def enqueue(
    all_agents: Annotated[
        bool, typer.Option("--all-agents", help="Queue a week for every agent.")
    ] = False,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Queue a week for this agent (name or id).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            callback=check_week,
            help="ISO week, e.g. 2026-W48 (default: each agent's next week).",
        ),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Approve every reel without asking.")
    ] = False,
    fast_forward: Annotated[
        bool,
        typer.Option(
            "--fast-forward", help="Run each week on a simulated clock (sandbox accounts only)."
        ),
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put weekly runs on the weeks queue for 'twin worker' processes (needs TWIN_BROKER_URL).

    The database runs each agent-week once: queueing a week twice, or a week that ran, is harmless.
    """
    from agent.fleet.app import require_broker

    if all_agents == (agent is not None):
        raise typer.BadParameter("give either --all-agents or --agent NAME", param_hint="--agent")
    require_broker(load_settings(data_dir=data_dir))
    from agent.app.runs import default_week
    from agent.fleet.app import check_broker
    from agent.fleet.enqueue import Dispatcher
    from db.repo.identity import get_agent, list_agents

    system = system_for(data_dir)
    try:
        if fast_forward:
            refuse_real_accounts(system)
        with system.sessions() as session:
            agents = (
                list_agents(session=session)
                if all_agents
                else [get_agent(session=session, name_or_id=agent)]
            )
            targets = [(str(a.id), a.name) for a in agents]
        dispatcher = Dispatcher(system.settings)
        check_broker(dispatcher.app)
        now = datetime.now(UTC)
        queued = []
        for agent_id, name in targets:
            agent_week = week or default_week(system, uuid.UUID(agent_id), now)
            task_id = dispatcher.weekly_run(
                agent_id, agent_week, auto_approve=auto_approve, fast_forward=fast_forward
            )
            queued.append(
                {"agent": name, "agent_id": agent_id, "week": agent_week, "task_id": task_id}
            )
    finally:
        system.dispose()
    if as_json:
        console.print_json(json.dumps(queued))
        return
    for row in queued:
        console.print(
            f"queued {row['agent']} week {row['week']} (task {row['task_id'][:8]})", highlight=False
        )


def register(app: typer.Typer) -> None:
    """Add ``twin users``, ``twin agents`` and ``twin enqueue``."""
    app.add_typer(users_app, name="users")
    app.add_typer(agents_app, name="agents")
    app.command("enqueue")(enqueue)
