"""Typed shapes of the JSON columns that code relies on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from db.enums import ApprovalMode


class AgentPolicy(BaseModel):
    """An agent's autonomy and automation limits (seed 000), stored in ``agents.policy_json``."""

    approval_mode: ApprovalMode = ApprovalMode.manual
    auto_approve_threshold: float = Field(default=0.8, ge=0, le=1)
    max_posts_per_day: int = Field(default=2, ge=1, le=50)
    cooldown_minutes: int = Field(default=180, ge=0)
    posts_per_week: int = Field(default=7, ge=1, le=50)
    platforms: list[str] = Field(default_factory=list)
    """Platforms to post on; empty means every connected account."""
    language: str = "en"
    niche: str = "creator-economy"
    timezone: str = "UTC"


class Personality(BaseModel):
    """How the twin speaks (seed 000 personality traits)."""

    traits: list[str] = Field(default_factory=lambda: ["curious", "direct", "warm"])
    humor: Literal["none", "light", "playful"] = "light"
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    catchphrases: list[str] = Field(default_factory=list)


class Appearance(BaseModel):
    """How the twin looks (seed 000 appearance attributes)."""

    hair: str = ""
    eyes: str = ""
    skin_tone: str = ""
    attire: str = ""
    background: str = ""
    lighting: str = ""


class TwinConfig(BaseModel):
    """``ai_twins.config_json``."""

    personality: Personality = Field(default_factory=Personality)
    appearance: Appearance = Field(default_factory=Appearance)
    palette: list[str] = Field(default_factory=list)
    """Optional brand colours (#rrggbb) that override the style preset's palette."""
