"""``twin chat``: talk to the agent in the terminal (history kept per creator, streamed replies)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agent.app.bootstrap import DEFAULT_EMAIL
from agent.app.resources import Resources
from agent.chat.limits import check_message
from agent.cli.common import DataDirOpt, JsonOpt, console, err_console, system_for
from agent.errors import UserError

if TYPE_CHECKING:
    from agent.chat import ChatReply


def _say(system: Resources, email: str, message: str, confirm: bool, as_json: bool) -> ChatReply:
    from agent.chat import stream_reply
    from agent.chat.limits import message_too_long

    refusal = message_too_long(message)
    if refusal:
        raise UserError(refusal)
    reply: ChatReply | None = None
    streamed = False
    from agent.records.audit import cli_actor

    for event in stream_reply(
        system, user_email=email, message=message, confirm=confirm, actor=cli_actor()
    ):
        if event.kind == "token" and not as_json:
            console.print(event.text, end="", highlight=False, markup=False)
            streamed = True
        elif event.kind == "tool" and not as_json:
            err_console.print(f"[dim]· {event.text}[/dim]")
        elif event.reply is not None:
            reply = event.reply
    assert reply is not None
    if as_json:
        console.print_json(reply.model_dump_json())
    elif not streamed:
        console.print(reply.text, highlight=False, markup=False)
    else:
        console.print()
    if reply.needs_confirmation and not as_json:
        console.print(
            f"[yellow]Waiting for your confirmation:[/yellow] {reply.pending_action} (answer 'yes')"
        )
    return reply


def chat(
    data_dir: DataDirOpt = None,
    message: Annotated[
        str | None,
        typer.Option("--message", "-m", help="Send one message, print the reply and exit."),
    ] = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Confirm the action the previous reply held.")
    ] = False,
    user: Annotated[
        str, typer.Option("--user", help="The creator's email (whose conversation this is).")
    ] = DEFAULT_EMAIL,
    as_json: JsonOpt = False,
) -> None:
    """Chat with the agent: ask for status, give directives, approve reels, run a cycle."""
    if message is not None and not confirm:
        check_message(message)
    system = system_for(data_dir)
    try:
        if message is not None or confirm:
            _say(system, user, message or "", confirm, as_json)
            return
        console.print(
            "Talk to your agent (Ctrl-D or 'exit' to leave). Try: status, show me the calendar, "
            "more Web3 security, nothing on Sundays, approve all."
        )
        while True:
            try:
                text = console.input("[bold cyan]you>[/bold cyan] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
            if text.strip().lower() in ("exit", "quit", "bye"):
                break
            if not text.strip():
                continue
            console.print("[bold magenta]twin>[/bold magenta] ", end="")
            try:
                _say(system, user, text, False, as_json)  # a yes answers a held action
            except UserError as exc:
                console.print(f"[red]{exc}[/red]", highlight=False)
                continue
    finally:
        system.dispose()


__all__ = ["chat", "register"]


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
