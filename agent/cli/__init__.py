"""The ``twin`` command line."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from agent.cli import data_cmds, run_cmds, secrets_cmds, setup_cmds
from agent.cli.common import err_console
from agent.errors import USER_ERRORS


class TwinGroup(TyperGroup):
    """Turns errors a user can cause into one clear line and a non-zero exit."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=TwinGroup,
    help="Twin Agent: an autonomous content agent that runs your AI twin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(setup_cmds.init)
app.command("status")(setup_cmds.status)
app.command("run")(run_cmds.run)
app.command("inbox")(run_cmds.inbox)
app.command("approve")(run_cmds.approve)
app.command("runs")(run_cmds.runs)
app.add_typer(secrets_cmds.app, name="secrets")
app.add_typer(data_cmds.app, name="data")


def main() -> None:
    app()


__all__ = ["app", "main"]
