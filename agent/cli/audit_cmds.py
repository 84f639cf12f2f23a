"""``twin audit``: the security-relevant actions, newest first (who, what, when, from where)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from agent.cli.common import DataDirOpt, JsonOpt, console, system_for
from db.models import AuditLog
from db.repo.audit import list_audit

__all__ = ["audit", "register"]


def _row(entry: AuditLog) -> dict[str, Any]:
    return {
        "at": entry.created_at.isoformat(),
        "origin": entry.origin.value,
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "user_id": str(entry.user_id) if entry.user_id else None,
        "details": entry.new_values_json,
        "before": entry.old_values_json,
    }


def _short(details: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in details.items())
    return text if len(text) <= 80 else text[:79] + "…"


def audit(
    data_dir: DataDirOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="How many entries (newest first).")
    ] = 50,
    action: Annotated[
        str | None,
        typer.Option(
            "--action", help="Only this action, or a family of them: 'secret', 'review.approve'."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the audit log: secret changes, accounts, approvals, policy, directives, data, sign-ins."""
    system = system_for(data_dir)
    with system.sessions() as session:
        rows = [_row(e) for e in list_audit(session=session, limit=limit, action=action)]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print("No audit entries" + (f" for action {action!r}." if action else "."))
        return
    table = Table(
        Column("when (UTC)", no_wrap=True),
        "origin",
        "actor",
        Column("action", no_wrap=True),
        "subject",
        Column("details", overflow="fold"),
    )
    for row in rows:
        subject = f"{row['subject_type']} {str(row['subject_id'] or '')[:12]}".strip()
        table.add_row(
            row["at"][:19].replace("T", " "),
            row["origin"],
            row["actor"],
            row["action"],
            subject,
            _short(row["details"]),
        )
    console.print(table)


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
