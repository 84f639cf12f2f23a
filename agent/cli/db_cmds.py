"""``twin db upgrade|current|check``: the schema, managed by Alembic."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from agent.cli.common import DataDirOpt, JsonOpt, console, system_for
from db.engine import mask_url

app = typer.Typer(help="Upgrade and inspect the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    data_dir: DataDirOpt = None,
    revision: Annotated[str, typer.Option("--to", help="Target revision.")] = "head",
) -> None:
    """Migrate the database to this version's schema (or --to a revision); safe to run again."""
    from db import migrate

    system = system_for(data_dir, schema="exists")
    try:
        before = migrate.current_revision(system.engine)
        migrate.upgrade(system.engine, revision)
        after = migrate.current_revision(system.engine)
    finally:
        system.dispose()
    where = mask_url(system.settings.resolved_database_url)
    if before == after:
        console.print(f"{where} is already at {after}: nothing to do.", highlight=False)
    else:
        console.print(f"Migrated {where}: {before or 'empty'} -> {after}", highlight=False)


@app.command("current")
def current(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Print the database's schema revision and this version's head."""
    from db import migrate

    system = system_for(data_dir, schema="exists")
    try:
        info: dict[str, str | bool | None] = {
            "database": mask_url(system.settings.resolved_database_url),
            "current": migrate.current_revision(system.engine),
            "head": migrate.head_revision(system.engine),
        }
    finally:
        system.dispose()
    info["up_to_date"] = info["current"] == info["head"]
    if as_json:
        console.print_json(json.dumps(info))
        return
    state = "up to date" if info["up_to_date"] else "run 'twin db upgrade'"
    console.print(f"{info['current'] or 'empty'} (head {info['head']}): {state}", highlight=False)


@app.command("check")
def check(data_dir: DataDirOpt = None) -> None:
    """Exit 0 when the schema is current and matches the models; else one line and a non-zero exit."""
    from db import migrate

    system = system_for(data_dir)  # refuses a missing or old schema with its exit code
    try:
        drift = migrate.schema_drift(system.engine)
        revision = migrate.current_revision(system.engine)
    finally:
        system.dispose()
    if drift:
        from agent.errors import SchemaOutdatedError

        raise SchemaOutdatedError(
            f"the database schema differs from the models in {len(drift)} place(s) "
            f"(first: {drift[0]}): run 'twin db upgrade', or write a migration"
        )
    console.print(f"Schema {revision} is current.", highlight=False)


def register(root: typer.Typer) -> None:
    """Add ``twin db``."""
    root.add_typer(app, name="db")
