"""Engagement actions: replies (and likes, comments) the twin may make, approved like reels.

Seed 000's ``engagement_actions``: who acts (the agent), on which platform and account, the target
(a comment: its id, author and text), the action type, the text to post, status, error and retry
count, timestamps. Added here: the post the comment is under, the code's triage of the comment,
an idempotency key (one action per account, type and target), and the claim a sender takes so a
reply is posted exactly once even with several workers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import EngagementActionType, EngagementStatus
from db.types import JSONType, PlatformName, PlatformType, UTCDateTime, enum_column


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="CASCADE")


class EngagementAction(Base):
    __tablename__ = "engagement_actions"
    __table_args__ = (
        UniqueConstraint("account_id", "action_type", "target_id"),
        Index("ix_engagement_actions_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_engagement_actions_account_id_created_at", "account_id", "created_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    agent_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("agents.id"), index=True)
    """Who acts: the twin's agent (seed 000 character_id)."""
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("social_accounts.id"))
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("posts.id"), index=True)
    """The published post the target comment is under."""
    platform: Mapped[PlatformName] = mapped_column(PlatformType())
    action_type: Mapped[EngagementActionType] = mapped_column(
        enum_column(EngagementActionType, "engagement_action_type")
    )
    target_type: Mapped[str] = mapped_column(String(32), default="comment")
    target_id: Mapped[str] = mapped_column(String(300))
    """The platform's id of the comment acted on."""
    target_url: Mapped[str | None] = mapped_column(Text)
    target_author: Mapped[str] = mapped_column(String(200), default="")
    target_text: Mapped[str] = mapped_column(Text, default="")
    """The comment as written (untrusted; shown quoted, sent to a model only sanitised)."""
    target_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """What a reply needs besides the id: parent, reply target, when it was written."""
    triage: Mapped[str] = mapped_column(String(32), default="")
    """The code's reading of the comment: question, substantive, praise, spam, abuse, ..."""
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    """Spam, abuse or an attempt to instruct the agent: never answered, shown to the creator."""
    decision: Mapped[str] = mapped_column(Text, default="")
    """Why the code drafted, skipped or held the action, in one line."""
    draft_text: Mapped[str | None] = mapped_column(Text)
    """The words to post (seed 000 comment_text), written by the model inside the code's choice."""
    status: Mapped[EngagementStatus] = mapped_column(
        enum_column(EngagementStatus, "engagement_status"), default=EngagementStatus.pending
    )
    approved_by: Mapped[str | None] = mapped_column(String(200))
    """``auto`` when the account's auto-replies approved it, else who decided."""
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    """The sender that holds the action while it is ``sending``."""
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    """The last failure, secrets removed (seed 000 error_message)."""
    result_id: Mapped[str | None] = mapped_column(String(300))
    """The platform's id of the posted reply."""
    result_url: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
