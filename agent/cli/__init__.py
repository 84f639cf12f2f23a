"""The ``twin`` command line.

Every ``agent/cli/*_cmds.py`` module that defines ``register(app)`` adds its commands; a new
command group needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import typer
from typer.core import TyperGroup

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

    def list_commands(self, ctx: Any) -> list[str]:
        order = ["init", "status", "run", "inbox", "approve", "runs"]
        names = super().list_commands(ctx)
        return [n for n in order if n in names] + sorted(n for n in names if n not in order)


app = typer.Typer(
    cls=TwinGroup,
    help="Twin Agent: an autonomous content agent that runs your AI twin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_all() -> None:
    package = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.endswith("_cmds"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            register = getattr(module, "register", None)
            if register is not None:
                register(app)


_register_all()


def main() -> None:
    app()


__all__ = ["app", "main"]
