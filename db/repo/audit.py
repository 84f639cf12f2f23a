"""The audit log: one row per security-relevant action, written here and nowhere else."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditOrigin
from db.models import AuditLog
from db.types import utcnow
from tools.untrusted import without_secrets

__all__ = ["REDACTED", "list_audit", "record"]

REDACTED = "[REDACTED]"
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "private_key")
_SECRET_NAMES = {"key", "value", "authorization", "cookie", "credentials", "code_verifier"}
_MAX_TEXT = 500


def _secret_name(name: str) -> bool:
    lowered = name.lower().replace("-", "_")
    return lowered in _SECRET_NAMES or any(word in lowered for word in _SECRET_WORDS)


def _clean(value: Any) -> Any:
    """Details as stored: secret-named fields dropped to a marker, secret shapes masked."""
    if isinstance(value, Mapping):
        return {str(k): REDACTED if _secret_name(str(k)) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return without_secrets(value)[:_MAX_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    return without_secrets(str(value))[:_MAX_TEXT]


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | uuid.UUID | None,
    origin: AuditOrigin | str,
    details: Mapping[str, Any] | None = None,
    before: Mapping[str, Any] | None = None,
    user_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Add one audit row to the session's transaction (it commits with the action it records).

    Args:
        session: The session of the action being recorded.
        actor: Who acted: an email (web, chat), the OS account (CLI) or ``worker``.
        action: Dotted name, e.g. ``secret.rotate``, ``account.connect``, ``review.approve``.
        subject_type: What was acted on (``secret``, ``account``, ``reel``, ``user``, ...).
        subject_id: Its id or name; never a secret value.
        origin: cli, web, worker or api.
        details: What changed (new values). Secret-named fields become ``[REDACTED]`` and
            secret-shaped text is masked, so no secret is ever stored.
        before: The old values, for changes (redacted the same way).
        user_id: The user whose data or account the action concerns.
        at: When; defaults to now.
    """
    row = AuditLog(
        user_id=user_id,
        actor=actor[:200] or "unknown",
        action=action[:100],
        subject_type=subject_type[:64],
        subject_id=str(subject_id)[:64] if subject_id is not None else None,
        origin=AuditOrigin(origin),
        new_values_json=_clean(dict(details or {})),
        old_values_json=_clean(dict(before or {})),
        created_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def list_audit(
    *,
    session: Session,
    limit: int = 50,
    action: str | None = None,
    since: datetime | None = None,
) -> list[AuditLog]:
    """Newest first; ``action`` matches exactly or as a prefix ending at a dot (``secret``)."""
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(
            (AuditLog.action == action) | AuditLog.action.startswith(action.rstrip(".") + ".")
        )
    if since is not None:
        stmt = stmt.where(AuditLog.created_at >= since)
    return list(session.scalars(stmt))
