"""``twin serve`` (the web app) and ``twin web password`` (the sign-in password)."""

from __future__ import annotations

import ipaddress
import logging
from typing import Annotated

import typer
from sqlalchemy import select

from agent.app.logs import configure_logging
from agent.app.resources import Resources
from agent.cli.common import (
    DataDirOpt,
    announce_memory_fallback,
    console,
    err_console,
    system_for,
)
from agent.errors import UserError
from db.engine import transaction
from db.models import User

web_app = typer.Typer(help="The web app's sign-in.", no_args_is_help=True)

EmailOpt = Annotated[
    str | None,
    typer.Option("--email", help="Whose password (default: the only user)."),
]


def _pick_user(system: Resources, email: str | None) -> str:
    with system.sessions() as session:
        users = list(session.scalars(select(User).order_by(User.created_at)))
    if email:
        wanted = email.strip().lower()
        if not any(u.email == wanted for u in users):
            raise UserError(f"no user with email {email!r}: check 'twin status'")
        return wanted
    if len(users) == 1:
        return users[0].email
    if not users:
        raise UserError("no user yet: run 'twin init' first")
    raise UserError("several users exist: choose one with --email")


def set_password(system: Resources, email: str, password: str) -> None:
    """Store a scrypt hash of ``password`` for ``email`` and end that user's web sessions."""
    from agent.records.audit import AuditOrigin, cli_actor
    from agent.web.security import PasswordPolicyError, hash_password
    from db.enums import SessionStatus
    from db.models import AppSession
    from db.repo import audit
    from db.types import utcnow

    try:
        digest = hash_password(password)
    except PasswordPolicyError as exc:
        raise UserError(str(exc)) from None
    with transaction(system.sessions) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise UserError(f"no user with email {email!r}")
        user.password_hash = digest
        ended = 0
        for row in session.scalars(
            select(AppSession).where(
                AppSession.user_id == user.id, AppSession.status == SessionStatus.active
            )
        ):
            row.status = SessionStatus.closed
            row.ended_at = utcnow()
            ended += 1
        audit.record(
            session=session,
            actor=cli_actor(),
            action="auth.password_set",
            subject_type="user",
            subject_id=user.id,
            origin=AuditOrigin.cli,
            details={"sessions_ended": ended},
            user_id=user.id,
        )


def _prompt_and_set(system: Resources, email: str) -> None:
    password = typer.prompt(
        f"New web password for {email}", hide_input=True, confirmation_prompt=True
    )
    set_password(system, email, password)
    console.print(f"Password set for {email}; other web sessions of this user were signed out.")


@web_app.command("password")
def password(data_dir: DataDirOpt = None, email: EmailOpt = None) -> None:
    """Set the password for signing in to the web app (asked twice, hidden)."""
    system = system_for(data_dir)
    try:
        _prompt_and_set(system, _pick_user(system, email))
    finally:
        system.dispose()


def serve(
    data_dir: DataDirOpt = None,
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to listen on (default TWIN_WEB_HOST, 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1, max=65535, help="Port to listen on (default TWIN_WEB_PORT, 8765)."
        ),
    ] = None,
    set_password_: Annotated[
        bool,
        typer.Option(
            "--set-password", help="Set the sign-in password first (asked twice, hidden)."
        ),
    ] = False,
    email: EmailOpt = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
) -> None:
    """Run the web app: dashboard, approval inbox, calendar, reports, chat and accounts."""
    import uvicorn

    from agent.web import create_app

    system = system_for(data_dir)
    settings = system.settings
    host = host or settings.web_host
    port = port or settings.web_port
    configure_logging(settings)
    if access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    announce_memory_fallback(settings)
    who = _pick_user(system, email)
    if set_password_:
        _prompt_and_set(system, who)
    with system.sessions() as session:
        has_password = bool(session.scalar(select(User.password_hash).where(User.email == who)))
    if not has_password:
        err_console.print(
            f"[yellow]No web password for {who} yet:[/yellow] set one with 'twin web password'."
        )
    if not _is_loopback(host):
        err_console.print(
            f"[yellow]Listening on {host}:[/yellow] other machines can reach this app. "
            "Put it behind an https reverse proxy so sign-in cookies stay private."
        )
    app = create_app(system)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Twin Agent web app: [bold]http://{shown}:{port}/[/bold]  (Ctrl+C to stop)")
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            log_level=settings.log_level.lower(),
            access_log=access_log,
            proxy_headers=True,
            server_header=False,
        )
    finally:
        system.dispose()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["register", "serve", "set_password"]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(web_app, name="web")
