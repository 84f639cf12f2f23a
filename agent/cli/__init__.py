"""The ``twin`` command line.

Every ``agent/cli/*_cmds.py`` module that defines ``register(app)`` adds its commands; a new
command group needs no edit here. Every failure ends the same way (see :mod:`agent.errors`):
one line on stderr, or ``{"error": {"code", "message"}}`` on stdout under ``--json``, and the
failure kind's own exit status.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from agent.errors import (
    ExitCode,
    Failure,
    InputError,
    classify,
    one_line,
    remember_database_url,
)


def _wants_json(argv: Sequence[str]) -> bool:
    head = list(argv[: list(argv).index("--")]) if "--" in argv else list(argv)
    return "--json" in head


def _refuse_undecodable(argv: Sequence[str]) -> None:
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # the OS hands bytes it could not decode as lone surrogates
            raise InputError(
                f"argument {position} is not valid UTF-8 text: pass it as UTF-8"
            ) from None


def _command_failure(exc: TyperException) -> Failure:
    """A usage error (exit 2) or another command-line failure, on one line."""
    message = one_line(exc.format_message())  # type: ignore[attr-defined]
    if getattr(exc, "exit_code", 1) == ExitCode.USAGE:
        ctx = getattr(exc, "ctx", None)
        path = ctx.command_path if ctx is not None else "twin"
        return Failure("usage", ExitCode.USAGE, f"{message} (see '{path} --help')")
    return Failure("failed", ExitCode.FAILED, message)


def _unexpected(exc: BaseException) -> Failure:
    if os.environ.get("TWIN_LOG_LEVEL", "").upper() == "DEBUG":
        traceback.print_exception(exc, file=sys.stderr)
    return Failure(
        "internal",
        ExitCode.FAILED,
        f"unexpected {type(exc).__name__}: {one_line(str(exc))} "
        "(TWIN_LOG_LEVEL=DEBUG prints the details)",
    )


def report(failure: Failure, *, as_json: bool) -> int:
    """Print ``failure`` the way the CLI always does and return its exit status."""
    if as_json:
        payload = {"error": {"code": failure.code, "message": failure.message}}
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()
    else:
        sys.stderr.write(f"error: {failure.message}\n")
        sys.stderr.flush()
    return int(failure.exit_code)


class TwinGroup(TyperGroup):
    """The root command: turns every failure into one line (or one JSON object) and its exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        as_json = _wants_json(argv)
        code: int
        remember_database_url(None)
        try:
            _refuse_undecodable(argv)
            result = super().main(
                args=argv,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        except typer.Exit as exc:
            code = exc.exit_code
        except (typer.Abort, KeyboardInterrupt, EOFError):
            code = report(
                Failure("interrupted", ExitCode.INTERRUPTED, "interrupted"), as_json=as_json
            )
        except TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: show its help
                exc.show()  # type: ignore[attr-defined]
                code = ExitCode.USAGE
            else:
                code = report(_command_failure(exc), as_json=as_json)
        except Exception as exc:
            code = report(classify(exc) or _unexpected(exc), as_json=as_json)
        if standalone_mode:
            sys.exit(code)
        return code

    def list_commands(self, ctx: Any) -> list[str]:
        order = ["init", "status", "run", "inbox", "approve", "runs"]
        names = super().list_commands(ctx)
        return [n for n in order if n in names] + sorted(n for n in names if n not in order)


def _version(value: bool) -> None:
    if value:
        from agent.app.version import version

        typer.echo(f"twin-agent {version()}")
        raise typer.Exit()


app = typer.Typer(
    cls=TwinGroup,
    help="Twin Agent: an autonomous content agent that runs your AI twin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Print the version and exit."
    ),
) -> None:
    """Twin Agent: an autonomous content agent that runs your AI twin."""


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


__all__ = ["TwinGroup", "app", "main", "report"]
