"""``twin assets``: the creator's own photos and clips (B-roll), tagged for matching scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.cli.twin_common import AgentOpt, only_twin, setup_session
from agent.setup.assets import add_asset, asset_view
from agent.setup.twins import split_list
from db.repo.assets import list_media_assets
from db.repo.identity import list_twins

app = typer.Typer(
    help="Your own photos and clips, tagged, for the agent to cut into reels.", no_args_is_help=True
)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="A photo (JPEG, PNG, WebP) or a video clip.")],
    tags: Annotated[
        str, typer.Option("--tags", help="What it shows, comma-separated, e.g. coffee,desk setup.")
    ],
    twin: Annotated[
        str | None, typer.Option("--twin", help="Only for this twin's reels (default: any twin).")
    ] = None,
    description: Annotated[
        str, typer.Option("--description", help="A sentence about it (helps matching).")
    ] = "",
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a photo or clip; scripts whose words match its tags get it as B-roll."""
    with setup_session(data_dir, agent) as (system, session, owner):
        chosen = only_twin(session, owner, twin) if twin else None
        asset = add_asset(
            session=session,
            settings=system.settings,
            user_id=owner.user_id,
            path=file,
            tags=split_list(tags) or [],
            twin=chosen,
            description=description,
        )
        label = f"{asset.type.value} {asset.resolution} tagged {', '.join(asset.tags)}"
    console.print(f"Added {label}.")


@app.command("list")
def list_(
    role: Annotated[
        str | None, typer.Option("--role", help="Only broll, likeness or brand files.")
    ] = None,
    as_json: JsonOpt = False,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Your B-roll, likeness and brand files with their tags and twins."""
    with setup_session(data_dir, agent) as (_, session, owner):
        names = {
            t.id: t.name
            for t in list_twins(session=session, user_id=owner.user_id, active_only=False)
        }
        rows = [
            asset_view(a, names)
            for a in list_media_assets(session=session, user_id=owner.user_id)
            if a.metadata_json.get("role") in ({role} if role else {"broll", "likeness", "brand"})
        ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("role", "type", "tags", "twin", "size", "file")
    for row in rows:
        size = row["resolution"] or ""
        if row["duration_ms"]:
            size += f" {row['duration_ms'] / 1000:.1f}s"
        table.add_row(
            row["role"],
            row["type"],
            ", ".join(row["tags"]),
            row["twin"] or "any",
            size,
            row["path"] + ("" if row["exists"] else " (missing)"),
        )
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="assets")
