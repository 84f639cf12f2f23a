"""Per-account rate-limit state (``platform_rate_limits``) and the agent policy's posting limits.

Both are read inside the transaction that claims a post, so every process sees the same state.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.enums import PublishStatus
from db.models import Agent, PlatformRateLimit, Post
from db.repo.identity import agent_policy

__all__ = [
    "PUBLISH_BUCKET",
    "Block",
    "count_published",
    "limit_block",
    "policy_block",
    "rate_limit_row",
    "record_published",
    "record_rate_limited",
]

PUBLISH_BUCKET = "publish"


class Block:
    """Why a post may not go out now, and when it may."""

    def __init__(self, reason: str, until: datetime) -> None:
        self.reason = reason
        self.until = until


def rate_limit_row(session: Session, account_id: uuid.UUID) -> PlatformRateLimit:
    """The account's publish bucket, created on first use (safe when two processes race)."""
    stmt = select(PlatformRateLimit).where(
        PlatformRateLimit.account_id == account_id, PlatformRateLimit.bucket == PUBLISH_BUCKET
    )
    row = session.scalar(stmt)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = PlatformRateLimit(
                account_id=account_id, bucket=PUBLISH_BUCKET, daily_quota_used=0
            )
            session.add(row)
    except IntegrityError:
        row = session.scalar(stmt)
        assert row is not None
    return row


def limit_block(session: Session, account_id: uuid.UUID, now: datetime) -> Block | None:
    """A persisted rate limit or exhausted quota that has not reset yet."""
    row = session.scalar(
        select(PlatformRateLimit).where(
            PlatformRateLimit.account_id == account_id, PlatformRateLimit.bucket == PUBLISH_BUCKET
        )
    )
    if row is None or row.reset_at is None or row.reset_at <= now:
        return None
    if row.remaining is not None and row.remaining > 0:
        return None
    return Block(
        f"platform rate limit or quota reached; resets at {row.reset_at:%Y-%m-%d %H:%M} UTC",
        row.reset_at,
    )


def record_rate_limited(
    session: Session, account_id: uuid.UUID, now: datetime, wait_seconds: float
) -> datetime:
    """Remember that the platform asked this account to wait; returns when it may try again."""
    row = rate_limit_row(session, account_id)
    reset = now + timedelta(seconds=max(1.0, wait_seconds))
    row.remaining = 0
    row.reset_at = reset
    row.last_hit_at = now
    return reset


def record_published(session: Session, account_id: uuid.UUID, now: datetime) -> None:
    """Count a post against the account's day and clear a rate limit that has passed."""
    row = rate_limit_row(session, account_id)
    day = now.date().isoformat()
    if row.quota_day != day:
        row.quota_day = day
        row.daily_quota_used = 0
    row.daily_quota_used += 1
    if row.reset_at is not None and row.reset_at <= now:
        row.reset_at = None
        row.remaining = None


def count_published(session: Session, account_id: uuid.UUID, since: datetime) -> int:
    """Posts published on an account since ``since``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.account_id == account_id,
                Post.publish_status == PublishStatus.published,
                Post.published_at >= since,
            )
        )
        or 0
    )


def policy_block(session: Session, post: Post, now: datetime) -> Block | None:
    """The agent policy's maximum posts per day and cooldown, per account."""
    agent = session.scalar(
        select(Agent).where(Agent.user_id == post.user_id).order_by(Agent.created_at).limit(1)
    )
    if agent is None:
        return None
    policy = agent_policy(agent)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if count_published(session, post.account_id, day_start) >= policy.max_posts_per_day:
        return Block(
            f"daily maximum of {policy.max_posts_per_day} posts reached on this account; "
            "it goes out tomorrow",
            day_start + timedelta(days=1),
        )
    recent = session.scalar(
        select(func.max(Post.published_at)).where(
            Post.account_id == post.account_id,
            Post.publish_status == PublishStatus.published,
            Post.id != post.id,
        )
    )
    cooldown = timedelta(minutes=policy.cooldown_minutes)
    if recent is not None and now - recent < cooldown:
        return Block(
            f"cooldown: the last post on this account was under {policy.cooldown_minutes} "
            "minutes ago",
            recent + cooldown,
        )
    return None
