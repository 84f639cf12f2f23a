"""Sending engagement actions: the claim a sender takes and what it records afterwards.

Every change is a compare-and-set ``UPDATE ... WHERE status = ...`` whose row count says whether
this caller won; re-exported by :mod:`db.repo.engagement`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from db.enums import EngagementStatus
from db.models import EngagementAction

__all__ = [
    "cas",
    "claim_for_sending",
    "due_action_ids",
    "mark_completed",
    "mark_failed",
    "release_claim",
]


def cas(session: Session, action_id: uuid.UUID, where: Any, **values: Any) -> bool:
    """Apply ``values`` to the action only if ``where`` holds; True when this call changed it."""
    result = session.execute(
        update(EngagementAction)
        .where(EngagementAction.id == action_id, where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return bool(getattr(result, "rowcount", 0))


def _claimable(now: datetime, lease: timedelta) -> Any:
    due = or_(EngagementAction.next_attempt_at.is_(None), EngagementAction.next_attempt_at <= now)
    return or_(
        and_(EngagementAction.status == EngagementStatus.approved, due),
        and_(
            EngagementAction.status == EngagementStatus.sending,
            EngagementAction.claimed_at < now - lease,
        ),
    )


def due_action_ids(
    *,
    session: Session,
    now: datetime,
    lease: timedelta,
    agent_id: uuid.UUID | None = None,
    ids: Iterable[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Approved actions due now, and ``sending`` ones whose sender's lease ran out."""
    stmt = select(EngagementAction.id).where(_claimable(now, lease))
    if agent_id is not None:
        stmt = stmt.where(EngagementAction.agent_id == agent_id)
    if ids is not None:
        stmt = stmt.where(EngagementAction.id.in_(list(ids)))
    return list(session.scalars(stmt.order_by(EngagementAction.created_at)))


def claim_for_sending(
    *, session: Session, action_id: uuid.UUID, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Take the action for sending; exactly one of several concurrent callers gets True.

    Run it as the first statement of its transaction, so SQLite takes its write lock before
    reading anything (PostgreSQL locks the row for the compare-and-set).
    """
    return cas(
        session,
        action_id,
        _claimable(now, lease),
        status=EngagementStatus.sending,
        claimed_by=worker,
        claimed_at=now,
        updated_at=now,
    )


def _held(worker: str) -> Any:
    return and_(
        EngagementAction.status == EngagementStatus.sending, EngagementAction.claimed_by == worker
    )


def mark_completed(
    *,
    session: Session,
    action_id: uuid.UUID,
    worker: str,
    result_id: str,
    result_url: str | None,
    now: datetime,
) -> bool:
    """Record the posted reply; False if this worker no longer held the action."""
    return cas(
        session,
        action_id,
        _held(worker),
        status=EngagementStatus.completed,
        result_id=result_id,
        result_url=result_url,
        completed_at=now,
        error=None,
        next_attempt_at=None,
        updated_at=now,
    )


def mark_failed(
    *,
    session: Session,
    action_id: uuid.UUID,
    worker: str,
    error: str,
    now: datetime,
    retry_at: datetime | None,
) -> bool:
    """Count a failed attempt: back to ``approved`` until ``retry_at``, or ``failed`` for good."""
    return cas(
        session,
        action_id,
        _held(worker),
        status=EngagementStatus.approved if retry_at else EngagementStatus.failed,
        retry_count=EngagementAction.retry_count + 1,
        next_attempt_at=retry_at,
        error=error[:2000],
        updated_at=now,
    )


def release_claim(
    *,
    session: Session,
    action_id: uuid.UUID,
    worker: str,
    until: datetime,
    reason: str,
    now: datetime,
) -> bool:
    """Hand the action back without counting an attempt (a daily limit holds it until ``until``)."""
    return cas(
        session,
        action_id,
        _held(worker),
        status=EngagementStatus.approved,
        next_attempt_at=until,
        decision=reason[:500],
        updated_at=now,
    )
