"""``twin init`` and ``twin status``."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from agent.app.bootstrap import initialise
from agent.cli.common import DataDirOpt, JsonOpt, console, sqlite_file, system_for
from agent.settings import Settings
from db.engine import mask_url
from db.models import AgentRun, SocialAccount
from db.repo import identity, leases


def init(
    data_dir: DataDirOpt = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also create the Goddess and Hyperreal twins.")
    ] = False,
) -> None:
    """Create the data dir, migrate the database and set up a default agent, twin and account."""
    system = system_for(data_dir, schema="any")
    created = _absent_paths(system.settings)
    try:
        report = initialise(system, demo=demo)
    except BaseException:
        system.dispose()
        _remove(created)
        raise
    system.dispose()
    if not report.changed:
        console.print(f"Already initialised in {system.settings.data_dir}: nothing to change.")
        return
    if report.migrated_from != report.migrated_to:
        console.print(
            f"Database migrated {report.migrated_from or 'empty'} -> {report.migrated_to}"
        )
    for item in report.created:
        console.print(f"  created {item}")
    console.print(f"[green]Initialised[/green] {system.settings.data_dir}")


def _absent_paths(settings: Settings) -> list[Path]:
    """What ``twin init`` may create, among the paths that do not exist yet."""
    candidates = [settings.data_dir, settings.key_file, settings.media_dir, settings.reports_dir]
    database = sqlite_file(settings)
    if database is not None:
        candidates += [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return [path for path in candidates if not path.exists()]


def _remove(paths: list[Path]) -> None:
    """Undo a failed ``twin init``: remove what it created, so no stray files are left."""
    for path in sorted(paths, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def status(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Show the data dir, database, schema revision, memory, agents, accounts and key source."""
    system = system_for(data_dir, schema="exists")
    try:
        info = _status(system)
    finally:
        system.dispose()
    if as_json:
        console.print_json(json.dumps(info))
        return
    console.print(f"[bold]Data dir[/bold]      {info['data_dir']}")
    console.print(f"[bold]Database[/bold]      {info['database']}")
    rev = info["schema_revision"] or "not migrated (run 'twin init')"
    console.print(f"[bold]Schema[/bold]        {rev} (head {info['schema_head']})")
    console.print(f"[bold]Secret key[/bold]    {info['key_source']}")
    console.print(f"[bold]Chat model[/bold]    {info['llm_provider']}")
    memory = info["memory"]
    hint = f" — for semantic memory: {memory['install']}" if memory.get("install") else ""
    console.print(f"[bold]Memory[/bold]        {memory['embeddings']}{hint}", highlight=False)
    for agent in info["agents"]:
        console.print(
            f"[bold]Agent[/bold]         {agent['name']} — state {agent['state']}, "
            f"approval {agent['approval_mode']}, runs {agent['runs']}"
        )
        if active := agent["active_run"]:
            short = active["id"][:8]
            how = {
                "stale": f"its process stopped; continue with 'twin run --resume {short}'",
                "waiting_review": f"approve with 'twin approve {short}'",
            }.get(active["status"], f"driven by {active['owner']}")
            console.print(
                f"[bold]Active run[/bold]    {short} of {active['week']} ({active['status']}): {how}",
                highlight=False,
            )
    for acc in info["accounts"]:
        state = "connected" if acc["connected"] else "disconnected"
        console.print(f"[bold]Account[/bold]       {acc['platform']} {acc['handle']} ({state})")


def _status(system: Any) -> dict[str, Any]:
    settings = system.settings
    from db import migrate

    rev = migrate.current_revision(system.engine)
    info: dict[str, Any] = {
        "data_dir": str(settings.data_dir),
        "database": mask_url(settings.resolved_database_url),
        "schema_revision": rev,
        "schema_head": migrate.head_revision(system.engine),
        "key_source": system.key_source,
        "llm_provider": settings.llm_provider,
        "memory": _memory_status(settings),
        "agents": [],
        "accounts": [],
    }
    if rev is None:
        return info
    with system.sessions() as session:
        for agent in identity.list_agents(session=session):
            runs = session.scalar(select(func.count()).where(AgentRun.agent_id == agent.id))
            active = leases.active_run(session=session, agent_id=agent.id)
            info["agents"].append(
                {
                    "id": str(agent.id),
                    "name": agent.name,
                    "state": agent.state.value,
                    "approval_mode": identity.agent_policy(agent).approval_mode.value,
                    "runs": runs,
                    "active_run": None
                    if active is None
                    else {
                        "id": str(active.id),
                        "week": active.week_key,
                        "status": "stale"
                        if leases.is_stale(active, datetime.now(UTC))
                        else active.status.value,
                        "owner": active.lease_owner,
                    },
                }
            )
        for acc in session.scalars(select(SocialAccount).order_by(SocialAccount.platform)):
            info["accounts"].append(
                {
                    "platform": str(acc.platform),
                    "handle": acc.handle,
                    "connected": acc.is_connected,
                }
            )
    return info


def _memory_status(settings: Settings) -> dict[str, Any]:
    """Which embeddings vector memory uses, and how to get the real model when it is missing."""
    if settings.embeddings_provider == "openai":
        return {"embeddings": f"OpenAI-compatible ({settings.embeddings_model})", "install": None}
    from memory.lexical import MINILM_INSTALL_HINT, minilm_installed

    if settings.embeddings_provider == "lexical":
        return {"embeddings": "lexical (chosen by TWIN_EMBEDDINGS_PROVIDER)", "install": None}
    if minilm_installed():
        return {"embeddings": "MiniLM (all-MiniLM-L6-v2, local)", "install": None}
    return {"embeddings": "lexical fallback (MiniLM not installed)", "install": MINILM_INSTALL_HINT}


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
