"""Shared CLI pieces: the --data-dir option, the console, building the system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agent.app.resources import Resources, open_resources
from agent.settings import load_settings

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


def system_for(data_dir: Path | None) -> Resources:
    return open_resources(load_settings(data_dir=data_dir))
