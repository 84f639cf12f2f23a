"""Typed shapes exchanged with the chat model and with the human at review."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Pillar = Literal["education", "inspiration", "announcement", "promotion", "trend_reaction"]
ToneName = Literal["educational", "trending", "thought_leadership", "inspirational"]
HookCategory = Literal["question", "statistic", "story", "how_to", "contrarian", "listicle"]

MAX_SCRIPT_WORDS = 150


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


class PlanItemDraft(BaseModel):
    """One content idea for one slot of the week."""

    slot: int = Field(ge=0, description="Index of the slot this item fills.")
    pillar: Pillar = Field(description="Content pillar.")
    topic: str = Field(min_length=3, max_length=120, description="Specific topic of the video.")
    hook_category: HookCategory = Field(description="Category of the opening hook.")
    hook: str = Field(min_length=5, max_length=200, description="The opening line.")
    tone: ToneName = Field(description="Tone of the script.")
    twin: str = Field(min_length=1, max_length=80, description="Name of the AI twin to use.")
    target_length_sec: int = Field(ge=10, le=30, description="Target video length in seconds.")
    rationale: str = Field(default="", max_length=300, description="Why this idea, in one line.")


class PlanDraft(BaseModel):
    """The week's plan: one item per slot."""

    strategy_summary: str = Field(min_length=5, max_length=600)
    items: list[PlanItemDraft] = Field(min_length=1, max_length=50)


class ScriptDraft(BaseModel):
    """A short-video script."""

    title: str = Field(min_length=3, max_length=100)
    hook: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=10, description=f"Spoken body, at most {MAX_SCRIPT_WORDS} words.")
    tags: list[str] = Field(min_length=1, max_length=8)

    @field_validator("body")
    @classmethod
    def _short_enough(cls, body: str) -> str:
        if word_count(body) > MAX_SCRIPT_WORDS:
            raise ValueError(
                f"body has {word_count(body)} words; at most {MAX_SCRIPT_WORDS} are allowed"
            )
        return body


class CaptionDraft(BaseModel):
    """Caption and hashtags for a post."""

    caption: str = Field(min_length=5, max_length=2000)
    hashtags: list[str] = Field(min_length=1, max_length=30)


class InsightsDraft(BaseModel):
    """What the week's numbers say."""

    headline: str = Field(min_length=5, max_length=200)
    insights: list[str] = Field(min_length=1, max_length=8)
    next_experiment: str = Field(min_length=5, max_length=300)


class StrategyNarrative(BaseModel):
    """Plain-words explanation of a strategy update."""

    summary: str = Field(min_length=5, max_length=800)


class ReplyDraft(BaseModel):
    """The words of one reply to one comment, in the twin's voice (code chose to reply)."""

    text: str = Field(
        min_length=1,
        max_length=600,
        description="The reply exactly as it will be posted: plain text, no links, no hashtags.",
    )


# ---- review (human in the loop) -------------------------------------------------------

ReviewAction = Literal["approve", "reject", "edit", "regenerate"]
ALL_ACTIONS: tuple[ReviewAction, ...] = ("approve", "reject", "edit", "regenerate")


class ReelForReview(BaseModel):
    """What a reviewer sees of one reel."""

    reel_id: str
    calendar_item_id: str
    title: str
    script: str
    captions: dict[str, str]
    hashtags: list[str]
    thumbnail_path: str | None
    video_path: str
    quality_score: float
    quality_issues: list[str]
    planned_at: str
    platforms: list[str]
    allowed_actions: list[ReviewAction] = Field(default_factory=lambda: list(ALL_ACTIONS))
    flags: list[str] = Field(default_factory=list)
    """Untrusted-text flags: why this reel may not be approved automatically."""
    held_because: str = ""
    """Why the policy did not approve it alone."""


class ReelDecision(BaseModel):
    """A reviewer's decision on one reel."""

    reel_id: str
    action: ReviewAction
    reason: str = ""
    caption: str | None = None
    hashtags: list[str] | None = None
