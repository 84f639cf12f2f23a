"""Posts: one per (reel, account), scheduled at the reel's planned time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import PublishStatus
from db.models import Post, SocialAccount, VideoReel


def schedule_post(
    *,
    session: Session,
    reel: VideoReel,
    account: SocialAccount,
    caption: str,
    hashtags: Sequence[str],
    scheduled_time: datetime,
) -> tuple[Post, bool]:
    """The post of ``reel`` on ``account``, created when missing; True when it was created."""
    post = session.scalar(
        select(Post).where(Post.reel_id == reel.id, Post.account_id == account.id)
    )
    if post is not None:
        return post, False
    post = Post(
        user_id=reel.user_id,
        reel_id=reel.id,
        account_id=account.id,
        platform=account.platform,
        caption=caption,
        hashtags=list(hashtags),
        idempotency_key=f"{reel.id}:{account.id}",
        scheduled_time=scheduled_time,
        publish_status=PublishStatus.scheduled,
    )
    session.add(post)
    session.flush()
    return post, True


def posts_by_time(*, session: Session, post_ids: Sequence[uuid.UUID]) -> list[Post]:
    """These posts, earliest scheduled first."""
    if not post_ids:
        return []
    return list(
        session.scalars(
            select(Post).where(Post.id.in_(list(post_ids))).order_by(Post.scheduled_time)
        )
    )


__all__ = ["posts_by_time", "schedule_post"]
