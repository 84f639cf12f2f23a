"""The creator's side of engagement, shared by ``twin engage`` and the web inbox: see, decide, send."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.engagement.sending import SendReport, send_approved
from agent.engagement.untrusted import display_text
from db.crypto import Cipher
from db.engine import transaction
from db.enums import EngagementStatus
from db.models import EngagementAction, SocialAccount
from db.repo import engagement as repo
from tools.publish.base import Publisher

__all__ = ["Decision", "action_row", "action_rows", "approve_and_send", "reject"]


def action_row(action: EngagementAction, account: SocialAccount | None) -> dict[str, Any]:
    """One action as JSON-ready data; the comment is shown without control characters."""
    return {
        "id": str(action.id),
        "short": str(action.id)[:8],
        "platform": action.platform.value,
        "account": account.handle if account else "",
        "status": action.status.value,
        "triage": action.triage,
        "flagged": action.flagged,
        "decision": action.decision,
        "comment_id": action.target_id,
        "comment_author": display_text(action.target_author, max_chars=80),
        "comment": display_text(action.target_text),
        "comment_url": action.target_url,
        "reply": action.draft_text,
        "approved_by": action.approved_by,
        "retry_count": action.retry_count,
        "error": action.error,
        "next_attempt_at": action.next_attempt_at.isoformat() if action.next_attempt_at else None,
        "reply_id": action.result_id,
        "reply_url": action.result_url,
        "created_at": action.created_at.isoformat(),
        "completed_at": action.completed_at.isoformat() if action.completed_at else None,
    }


def action_rows(
    session: Session,
    *,
    user_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    statuses: Iterable[EngagementStatus] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Actions as rows, oldest first."""
    rows = repo.list_actions(
        session=session, agent_id=agent_id, user_id=user_id, statuses=statuses, limit=limit
    )
    accounts: dict[uuid.UUID, SocialAccount | None] = {}
    out = []
    for action in rows:
        if action.account_id not in accounts:
            accounts[action.account_id] = session.get(SocialAccount, action.account_id)
        out.append(action_row(action, accounts[action.account_id]))
    return out


@dataclass
class Decision:
    """What a batch of approvals did."""

    approved: list[uuid.UUID] = field(default_factory=list)
    refused: dict[uuid.UUID, str] = field(default_factory=dict)
    """action id -> why it could not be approved (not pending, or no draft)."""
    sent: SendReport = field(default_factory=SendReport)


def approve_and_send(
    *,
    sessions: sessionmaker[Session],
    cipher: Cipher,
    clock: Clock,
    publisher_for: Callable[[str], Publisher],
    action_ids: Iterable[uuid.UUID],
    by: str,
) -> Decision:
    """Approve the actions, then post those approvals (each exactly once)."""
    decision = Decision()
    now = clock.now()
    for action_id in action_ids:
        with transaction(sessions) as session:
            if repo.approve_action(session=session, action_id=action_id, by=by, now=now):
                decision.approved.append(action_id)
                continue
            action = session.get(EngagementAction, action_id)
            state = action.status.value if action else "missing"
            decision.refused[action_id] = (
                f"it is {state}" if action is None or action.draft_text else "it has no reply text"
            )
    if decision.approved:
        decision.sent = send_approved(
            sessions=sessions,
            cipher=cipher,
            clock=clock,
            publisher_for=publisher_for,
            action_ids=decision.approved,
        )
    return decision


def reject(
    *,
    sessions: sessionmaker[Session],
    clock: Clock,
    action_id: uuid.UUID,
    by: str,
    reason: str = "",
) -> bool:
    """Reject one action that has not been sent."""
    with transaction(sessions) as session:
        return repo.reject_action(
            session=session, action_id=action_id, by=by, now=clock.now(), reason=reason
        )
