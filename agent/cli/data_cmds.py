"""``twin data``: export or delete everything a user owns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import DataDirOpt, console, system_for
from agent.records.privacy import delete_user, export_user, media_listing
from db.engine import transaction

app = typer.Typer(help="Export or delete a user's data (GDPR/CCPA).", no_args_is_help=True)

UserOpt = Annotated[str, typer.Option("--user", help="The user's email.")]


@app.command("export")
def export(
    user: UserOpt,
    data_dir: DataDirOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Zip file to write.")] = None,
) -> None:
    """Write all of a user's rows (JSON) and media files to a zip."""
    system = system_for(data_dir)
    target = out or Path.cwd() / f"twin-export-{user.replace('@', '_at_')}.zip"
    with transaction(system.sessions) as session:
        counts = export_user(
            session=session, email=user, data_dir=system.settings.data_dir, out_path=target
        )
        files = media_listing(session=session, email=user, data_dir=system.settings.data_dir)
    rows = sum(v for k, v in counts.items() if k != "media_files")
    console.print(
        f"Exported {rows} rows in {len(counts) - 1} tables and {counts['media_files']} media files to {target}"
    )
    _list_own_files(files)


def _list_own_files(files: list[dict[str, str]]) -> None:
    """The creator's own files (likeness, B-roll, brand), one a line; rendered media are counted."""
    own = [f for f in files if f["role"] in ("likeness", "broll", "brand")]
    for item in own:
        console.print(f"  {item['role']:<9} {item['path']}", highlight=False)


@app.command("delete")
def delete(
    user: UserOpt,
    data_dir: DataDirOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete all of a user's rows and media files, after confirmation."""
    system = system_for(data_dir)
    if not yes:
        typer.confirm(
            f"Delete ALL data of {user} (rows and media files)? This cannot be undone", abort=True
        )
    with transaction(system.sessions) as session:
        files = media_listing(session=session, email=user, data_dir=system.settings.data_dir)
        counts = delete_user(session=session, email=user, data_dir=system.settings.data_dir)
    rows = sum(v for k, v in counts.items() if k != "media_files")
    console.print(f"Deleted {rows} rows and {counts['media_files']} media files of {user}.")
    _list_own_files(files)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="data")
