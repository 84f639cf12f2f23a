"""Who is acting, as the audit log names them: the OS account on the CLI, the email on the web."""

from __future__ import annotations

import getpass
import socket
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from db.enums import AuditOrigin
from db.models import Agent, AgentRun
from db.repo import audit

if TYPE_CHECKING:
    from agent.schemas import ReelDecision

__all__ = ["WORKER_ACTOR", "AuditOrigin", "cli_actor", "record_review"]

WORKER_ACTOR = "worker"
"""The actor of scheduled jobs."""


def cli_actor() -> str:
    """The account that typed the command, as ``login@host`` (``unknown`` when unknowable)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return f"{login}@{socket.gethostname() or 'localhost'}"


def record_review(
    session: Session,
    *,
    actor: str,
    origin: AuditOrigin,
    run_id: uuid.UUID | str,
    decisions: Iterable[ReelDecision],
) -> int:
    """One ``review.<action>`` row per reel decided (approve, edit, reject, regenerate).

    Recorded when the decision is handed to the run, whichever interface gave it.

    Returns:
        How many rows were written.
    """
    rid = uuid.UUID(str(run_id))
    run = session.get(AgentRun, rid)
    agent = session.get(Agent, run.agent_id) if run is not None else None
    count = 0
    for decision in decisions:
        details: dict[str, Any] = {"run_id": str(rid)}
        if decision.reason:
            details["reason"] = decision.reason
        if decision.caption is not None:
            details["caption"] = decision.caption
        if decision.hashtags is not None:
            details["hashtags"] = list(decision.hashtags)
        audit.record(
            session=session,
            actor=actor,
            action=f"review.{decision.action}",
            subject_type="reel",
            subject_id=decision.reel_id,
            origin=origin,
            details=details,
            user_id=agent.user_id if agent is not None else None,
        )
        count += 1
    return count
