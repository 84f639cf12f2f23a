"""Engagement actions: created once per comment, decided by the creator, sent exactly once.

Every state change that matters is a compare-and-set ``UPDATE ... WHERE status = ...`` whose row
count says whether this caller won: two workers may try to send the same reply, only the one
whose claim updated the row calls the platform. A claim left ``sending`` by a worker that died is
taken over once its lease has passed; the adapter then looks for the reply before posting it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.enums import EngagementActionType, EngagementStatus, PublishStatus
from db.models import EngagementAction, Post, SocialAccount
from db.repo.engagement_sending import (
    cas,
    claim_for_sending,
    due_action_ids,
    mark_completed,
    mark_failed,
    release_claim,
)
from db.repo.identity import NotFoundError

__all__ = [
    "DRAFTED",
    "action_key",
    "approve_action",
    "claim_for_sending",
    "create_action",
    "day_start",
    "drafted_today",
    "due_action_ids",
    "find_action",
    "known_targets",
    "list_actions",
    "mark_completed",
    "mark_failed",
    "posts_to_watch",
    "reject_action",
    "release_claim",
    "sent_today",
    "set_auto_replies",
]

DRAFTED = (
    EngagementStatus.pending,
    EngagementStatus.approved,
    EngagementStatus.sending,
    EngagementStatus.completed,
    EngagementStatus.failed,
    EngagementStatus.rejected,
)
"""Statuses of actions that carry a draft: they count against the day's drafting limit."""


def action_key(*, account_id: uuid.UUID, action_type: EngagementActionType, target_id: str) -> str:
    """The idempotency key of one action type on one target from one account."""
    digest = hashlib.sha256(f"{account_id}|{target_id}".encode()).hexdigest()[:40]
    return f"{action_type.value}:{digest}"


def day_start(now: datetime) -> datetime:
    """Midnight UTC of ``now``'s day: daily automation limits count from here."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def create_action(
    *,
    session: Session,
    agent_id: uuid.UUID,
    account_id: uuid.UUID,
    post_id: uuid.UUID,
    platform: str,
    target_id: str,
    target_text: str,
    target_author: str = "",
    target_url: str | None = None,
    target_json: dict[str, Any] | None = None,
    triage: str = "",
    flagged: bool = False,
    decision: str = "",
    draft_text: str | None = None,
    status: EngagementStatus = EngagementStatus.pending,
    approved_by: str | None = None,
    now: datetime,
    action_type: EngagementActionType = EngagementActionType.reply,
) -> tuple[EngagementAction, bool]:
    """Store an action unless one exists for this account, type and target.

    Returns:
        The stored row and whether this call created it (False: it existed, left unchanged).
    """
    key = action_key(account_id=account_id, action_type=action_type, target_id=target_id)
    values = {
        "id": uuid.uuid4(),
        "agent_id": agent_id,
        "account_id": account_id,
        "post_id": post_id,
        "platform": platform,
        "action_type": action_type,
        "target_type": "comment",
        "target_id": target_id,
        "target_url": target_url,
        "target_author": target_author[:200],
        "target_text": target_text,
        "target_json": target_json or {},
        "triage": triage,
        "flagged": flagged,
        "decision": decision,
        "draft_text": draft_text,
        "status": status,
        "approved_by": approved_by,
        "decided_at": now if approved_by else None,
        "idempotency_key": key,
        "retry_count": 0,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = EngagementAction.__table__
    assert isinstance(table, Table)
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    inserted = session.execute(stmt).first()
    row = session.scalar(select(EngagementAction).where(EngagementAction.idempotency_key == key))
    assert row is not None
    return row, inserted is not None


def known_targets(
    *,
    session: Session,
    account_id: uuid.UUID,
    target_ids: Iterable[str],
    action_type: EngagementActionType = EngagementActionType.reply,
) -> set[str]:
    """Which of these comments already have an action on the account (so none is drafted twice)."""
    wanted = list(dict.fromkeys(target_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found |= set(
            session.scalars(
                select(EngagementAction.target_id).where(
                    EngagementAction.account_id == account_id,
                    EngagementAction.action_type == action_type,
                    EngagementAction.target_id.in_(chunk),
                )
            )
        )
    return found


def posts_to_watch(*, session: Session, user_id: uuid.UUID, since: datetime) -> list[Post]:
    """Published posts of the user's connected accounts since ``since``, newest first."""
    return list(
        session.scalars(
            select(Post)
            .join(SocialAccount, SocialAccount.id == Post.account_id)
            .where(
                Post.user_id == user_id,
                Post.publish_status == PublishStatus.published,
                Post.platform_post_id.is_not(None),
                Post.published_at >= since,
                SocialAccount.is_connected.is_(True),
            )
            .order_by(Post.published_at.desc())
        )
    )


def list_actions(
    *,
    session: Session,
    agent_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    statuses: Iterable[EngagementStatus] | None = None,
    limit: int = 200,
) -> list[EngagementAction]:
    """Actions, oldest first, optionally of one agent or user's accounts and some statuses."""
    stmt = select(EngagementAction)
    if agent_id is not None:
        stmt = stmt.where(EngagementAction.agent_id == agent_id)
    if user_id is not None:
        stmt = stmt.join(SocialAccount, SocialAccount.id == EngagementAction.account_id).where(
            SocialAccount.user_id == user_id
        )
    if statuses is not None:
        stmt = stmt.where(EngagementAction.status.in_(list(statuses)))
    stmt = stmt.order_by(EngagementAction.created_at, EngagementAction.target_id).limit(limit)
    return list(session.scalars(stmt))


def find_action(
    *, session: Session, ref: str, user_id: uuid.UUID | None = None
) -> EngagementAction:
    """An action by id or unique id prefix (of the user's accounts when ``user_id`` is given).

    Raises:
        NotFoundError: No action, or several, match.
    """
    text = ref.strip().lower()
    stmt = select(EngagementAction)
    if user_id is not None:
        stmt = stmt.join(SocialAccount, SocialAccount.id == EngagementAction.account_id).where(
            SocialAccount.user_id == user_id
        )
    try:
        exact = uuid.UUID(text)
    except ValueError:
        exact = None
    if exact is not None:
        row = session.scalar(stmt.where(EngagementAction.id == exact))
        if row is None:
            raise NotFoundError(f"no engagement action {ref!r}; see 'twin engage list --all'")
        return row
    if len(text) < 4:
        raise NotFoundError(f"{ref!r} is too short to name an action; give at least 4 characters")
    matches = [r for r in session.scalars(stmt) if str(r.id).startswith(text)]
    if len(matches) != 1:
        what = "no engagement action" if not matches else "more than one engagement action"
        raise NotFoundError(f"{what} matches {ref!r}; see 'twin engage list --all'")
    return matches[0]


def approve_action(*, session: Session, action_id: uuid.UUID, by: str, now: datetime) -> bool:
    """Approve a pending action with a draft (or send a failed one again); False if it was not."""
    return cas(
        session,
        action_id,
        and_(
            EngagementAction.status.in_([EngagementStatus.pending, EngagementStatus.failed]),
            EngagementAction.draft_text.is_not(None),
        ),
        status=EngagementStatus.approved,
        approved_by=by,
        decided_at=now,
        next_attempt_at=None,
        updated_at=now,
    )


def reject_action(
    *, session: Session, action_id: uuid.UUID, by: str, now: datetime, reason: str = ""
) -> bool:
    """Reject an action that has not been sent; False if it was sent, sending or decided."""
    values: dict[str, Any] = {
        "status": EngagementStatus.rejected,
        "approved_by": by,
        "decided_at": now,
        "updated_at": now,
    }
    if reason:
        values["decision"] = f"rejected by {by}: {reason[:300]}"
    return cas(
        session,
        action_id,
        EngagementAction.status.in_(
            [EngagementStatus.pending, EngagementStatus.approved, EngagementStatus.failed]
        ),
        **values,
    )


def _count(session: Session, account_id: uuid.UUID, *where: Any) -> int:
    stmt = (
        select(func.count())
        .select_from(EngagementAction)
        .where(
            EngagementAction.account_id == account_id,
            EngagementAction.action_type == EngagementActionType.reply,
            *where,
        )
    )
    return int(session.scalar(stmt) or 0)


def drafted_today(
    *, session: Session, account_id: uuid.UUID, now: datetime, triage: str | None = None
) -> int:
    """Replies drafted on the account since midnight UTC (the drafting half of the daily limit).

    ``triage`` counts only drafts for comments of that kind (e.g. the day's thanks for praise).
    """
    start = day_start(now)
    where = [
        EngagementAction.created_at >= start,
        EngagementAction.created_at < start + timedelta(days=1),
        EngagementAction.status.in_(DRAFTED),
    ]
    if triage is not None:
        where.append(EngagementAction.triage == triage)
    return _count(session, account_id, *where)


def sent_today(*, session: Session, account_id: uuid.UUID, now: datetime) -> int:
    """Replies posted on the account since midnight UTC, or being posted right now."""
    start = day_start(now)
    return _count(
        session,
        account_id,
        or_(
            and_(
                EngagementAction.status == EngagementStatus.completed,
                EngagementAction.completed_at >= start,
                EngagementAction.completed_at < start + timedelta(days=1),
            ),
            EngagementAction.status == EngagementStatus.sending,
        ),
    )


def set_auto_replies(
    *,
    session: Session,
    account_id: uuid.UUID,
    enabled: bool | None = None,
    daily_limit: int | None = None,
) -> SocialAccount:
    """Turn an account's auto-replies on or off and set its daily reply limit."""
    account = session.get(SocialAccount, account_id)
    if account is None:
        raise NotFoundError(f"no account {account_id}")
    if enabled is not None:
        account.auto_reply_enabled = enabled
    if daily_limit is not None:
        if not 0 <= daily_limit <= 500:
            raise ValueError("the daily reply limit must be between 0 and 500")
        account.daily_reply_limit = daily_limit
    session.flush()
    return account
