"""``twin consent``: grant, revoke and list consent for voice cloning, likeness and more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from agent.cli.common import DataDirOpt, JsonOpt, console, err_console, system_for
from agent.records.audit import AuditOrigin, cli_actor
from agent.setup.consent import change_consent
from agent.setup.voices import voices_client_for
from db.engine import transaction
from db.enums import ConsentType
from db.models import ConsentRecord
from db.repo.identity import get_user_by_email

app = typer.Typer(
    help="Grant, revoke and list consent (voice cloning, likeness, publishing).",
    no_args_is_help=True,
)

TypeOpt = Annotated[ConsentType, typer.Option("--type", help="What the consent covers.")]
UserOpt = Annotated[str, typer.Option("--user", help="The user's email.")]


def _record(
    data_dir: Path | None, user: str, consent_type: ConsentType, granted: bool, details: str
) -> None:
    system = system_for(data_dir)
    with transaction(system.sessions) as session:
        owner = get_user_by_email(session=session, email=user)
        change = change_consent(
            session=session,
            user_id=owner.id,
            actor=cli_actor(),
            consent_type=consent_type,
            granted=granted,
            details=details,
            voices=voices_client_for(system, session, owner.id),
            origin=AuditOrigin.cli,
        )
    verb = "granted" if granted else "revoked"
    console.print(f"Consent {consent_type.value} {verb} for {user}.")
    for name in change.disabled_voices:
        console.print(
            f"  voice {name!r} disabled; its twins speak with the offline voice until you choose another"
        )
    for voice_id in change.deleted_remote:
        console.print(f"  deleted ElevenLabs voice {voice_id}")
    for name in change.likeness_off:
        console.print(
            f"  twin {name!r} no longer uses your likeness; your photos and clips stay until 'twin data delete'"
        )
    for warning in change.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


@app.command("grant")
def grant(
    consent_type: TypeOpt,
    data_dir: DataDirOpt = None,
    user: UserOpt = "creator@localhost",
    details: Annotated[
        str, typer.Option(help="What was agreed to.")
    ] = "granted from the command line",
) -> None:
    """Grant consent; renders that need it are allowed from now on."""
    _record(data_dir, user, consent_type, True, details)


@app.command("revoke")
def revoke(
    consent_type: TypeOpt,
    data_dir: DataDirOpt = None,
    user: UserOpt = "creator@localhost",
    details: Annotated[str, typer.Option(help="Why.")] = "revoked from the command line",
) -> None:
    """Revoke consent; future renders that need it are refused."""
    _record(data_dir, user, consent_type, False, details)


@app.command("list")
def list_(
    data_dir: DataDirOpt = None, user: UserOpt = "creator@localhost", as_json: JsonOpt = False
) -> None:
    """Every consent record of the user, newest first."""
    system = system_for(data_dir)
    with system.sessions() as session:
        owner = get_user_by_email(session=session, email=user)
        rows = list(
            session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == owner.id)
                .order_by(ConsentRecord.granted_at.desc())
            )
        )
        data = [
            {
                "type": r.consent_type.value,
                "granted": r.granted,
                "at": r.granted_at.isoformat(),
                "details": r.details,
            }
            for r in rows
        ]
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table("type", "granted", "at", "details")
    for row in data:
        table.add_row(
            str(row["type"]), "yes" if row["granted"] else "no", str(row["at"]), str(row["details"])
        )
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="consent")
