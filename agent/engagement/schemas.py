"""What the chat model returns when it writes a reply (the code has already chosen to reply)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ReplyDraft"]


class ReplyDraft(BaseModel):
    """The words of one reply to one comment, in the twin's voice."""

    text: str = Field(
        min_length=1,
        max_length=600,
        description="The reply exactly as it will be posted: plain text, no links, no hashtags.",
    )
