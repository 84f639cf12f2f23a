"""Posts and publisher tasks (seed 003 s5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import PublishStatus, TaskStatus
from db.types import JSONType, PlatformName, PlatformType, StringList, UTCDateTime, enum_column


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("reel_id", "account_id"),
        Index("ix_posts_status_scheduled_time", "publish_status", "scheduled_time"),
        Index("ix_posts_scheduled_time", "scheduled_time"),
        Index("ix_posts_user_id_status_published_at", "user_id", "publish_status", "published_at"),
        Index("ix_posts_account_id_status", "account_id", "publish_status"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    reel_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("video_reels.id", ondelete="CASCADE")
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("social_accounts.id", ondelete="CASCADE")
    )
    platform: Mapped[PlatformName] = mapped_column(PlatformType())
    caption: Mapped[str] = mapped_column(Text)
    hashtags: Mapped[list[str]] = mapped_column(StringList(), default=list)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    scheduled_time: Mapped[datetime] = mapped_column(UTCDateTime())
    publish_status: Mapped[PublishStatus] = mapped_column(
        enum_column(PublishStatus, "publish_status"), default=PublishStatus.draft
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_post_id: Mapped[str | None] = mapped_column(String(200), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    error_json: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When a post whose retry must wait (Retry-After, quota reset, policy) may be tried again."""
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class PublisherTask(Base):
    __tablename__ = "publisher_tasks"
    __table_args__ = (UniqueConstraint("post_id", "attempt"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    post_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "task_status"), default=TaskStatus.queued
    )
    worker_node: Mapped[str | None] = mapped_column(String(200))
    response_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The platform's answer with secrets redacted."""
    error_json: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
