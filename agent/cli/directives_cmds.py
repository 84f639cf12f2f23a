"""``twin directives``: the creator's standing instructions that planning follows."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer

from agent.chat.limits import clean_directive
from agent.cli.common import DataDirOpt, JsonOpt, console, system_for
from agent.errors import UserError
from agent.records.audit import AuditOrigin, cli_actor
from agent.strategy.directives import parse_directive
from db.engine import transaction
from db.models import Directive
from db.repo import audit, planning
from db.repo.identity import get_agent, list_twins

AgentOpt = Annotated[
    str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
]
directives_app = typer.Typer(
    help="Standing instructions planning follows (e.g. 'nothing on Sundays')."
)


@directives_app.callback(invoke_without_command=True)
def _default(
    ctx: typer.Context,
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    if ctx.invoked_subcommand is None:
        list_(data_dir=data_dir, agent=agent, as_json=as_json)


@directives_app.command("list")
def list_(data_dir: DataDirOpt = None, agent: AgentOpt = None, as_json: JsonOpt = False) -> None:
    """Show the active directives."""
    system = system_for(data_dir)
    with system.sessions() as session:
        agent_id = get_agent(session=session, name_or_id=agent).id
    from agent.chat.lookups import directives_of

    rows = directives_of(system, agent_id)
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {"id": str(r.id), "kind": r.kind, "value": r.value_json, "text": r.text}
                    for r in rows
                ]
            )
        )
        return
    if not rows:
        console.print(
            'No directives. Add one: twin directives add "more Web3 security, less price talk"'
        )
    for row in rows:
        console.print(f"[bold]{str(row.id)[:8]}[/bold]  {row.kind:<18} {row.text}", highlight=False)


@directives_app.command("add")
def add(
    text: Annotated[str, typer.Argument(help='The instruction, e.g. "nothing on Sundays".')],
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a directive; planning follows it from the next plan on."""
    text = clean_directive(text)
    system = system_for(data_dir)
    with transaction(system.sessions) as session:
        row = get_agent(session=session, name_or_id=agent)
        twins = [t.name for t in list_twins(session=session, user_id=row.user_id)]
        added = [
            planning.add_directive(
                session=session, agent_id=row.id, kind=kind, value=value, text=text
            )
            for kind, value in parse_directive(text, twin_names=twins)
        ]
        for directive in added:
            _audit(session, directive, "directive.add", row.user_id)
        data: list[dict[str, Any]] = [
            {"id": str(d.id), "kind": d.kind, "value": d.value_json} for d in added
        ]
    if as_json:
        console.print_json(json.dumps(data))
        return
    for item in data:
        console.print(
            f"added [bold]{item['id'][:8]}[/bold]  {item['kind']}  {json.dumps(item['value'])}",
            highlight=False,
        )


@directives_app.command("remove")
def remove(
    directive_id: Annotated[str, typer.Argument(help="The directive's id (a prefix is enough).")],
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
) -> None:
    """Remove a directive; the next plan no longer follows it."""
    from agent.chat.lookups import directives_of

    system = system_for(data_dir)
    with system.sessions() as session:
        agent_id = get_agent(session=session, name_or_id=agent).id
    matches = [
        r
        for r in directives_of(system, agent_id)
        if str(r.id).startswith(directive_id.strip().lower())
    ]
    if len(matches) != 1:
        raise UserError(
            f"{directive_id!r} matches {len(matches)} active directives: see 'twin directives list'"
        )
    with transaction(system.sessions) as session:
        chosen = uuid.UUID(str(matches[0].id))
        if planning.remove_directive(session=session, directive_id=chosen):
            removed = session.get(Directive, chosen)
            owner = get_agent(session=session, name_or_id=str(agent_id))
            assert removed is not None
            _audit(session, removed, "directive.remove", owner.user_id)
    console.print(f"removed {str(matches[0].id)[:8]}  {matches[0].text}", highlight=False)


def _audit(session: Any, row: Directive, action: str, user_id: uuid.UUID) -> None:
    audit.record(
        session=session,
        actor=cli_actor(),
        action=action,
        subject_type="directive",
        subject_id=row.id,
        origin=AuditOrigin.cli,
        details={"kind": row.kind, "value": row.value_json, "text": row.text},
        user_id=user_id,
    )


__all__ = ["directives_app", "register"]


def register(app: typer.Typer) -> None:
    app.add_typer(directives_app, name="directives")
