"""``twin config show`` (effective settings and where each came from) and ``twin config example``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.app.settings_doc import env_example, setting_rows
from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.settings import load_settings

app = typer.Typer(
    help="See the effective settings, or write a documented .env example.", no_args_is_help=True
)


@app.command("show")
def show(ctx: typer.Context, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Every setting's effective value (secrets masked) and its source: default, env, .env or option."""
    settings = load_settings(data_dir=data_dir)
    source = ctx.get_parameter_source("data_dir")
    from_option = source is not None and source.name == "COMMANDLINE"
    rows = setting_rows(settings, from_options=frozenset({"data_dir"} if from_option else ()))
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in rows]))
        return
    table = Table("setting", "value", "source")
    for row in rows:
        table.add_row(row.name, "-" if row.value is None else row.value, row.source)
    table.columns[1].overflow = "fold"
    console.print(table)


@app.command("example")
def example(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (e.g. .env.example) instead of printing."),
    ] = None,
) -> None:
    """Every setting with its documentation and default, as a commented .env file."""
    text = env_example()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {output}")


def register(root: typer.Typer) -> None:
    """Add ``twin config``."""
    root.add_typer(app, name="config")
