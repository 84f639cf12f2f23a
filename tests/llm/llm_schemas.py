"""Pydantic schemas shaped like the project's own (nested, enums, bounded lists)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Pillar(StrEnum):
    """Content pillars."""

    education = "education"
    entertainment = "entertainment"
    behind_the_scenes = "behind_the_scenes"


class CalendarEntry(BaseModel):
    """One planned post."""

    date: dt.date
    platforms: list[Literal["instagram", "tiktok", "youtube_shorts", "linkedin"]] = Field(
        min_length=1, max_length=3
    )
    pillar: Pillar
    topic: str = Field(min_length=3, max_length=80)
    hook: str | None = None


class WeekPlan(BaseModel):
    """A week of content."""

    title: str = Field(max_length=60)
    theme: str
    entries: list[CalendarEntry] = Field(min_length=3, max_length=7)
    confidence: float = Field(ge=0, le=1)


class Script(BaseModel):
    """A short-video script."""

    hook: str = Field(min_length=10, max_length=120)
    body: str = Field(min_length=40, max_length=900)
    call_to_action: str = Field(max_length=100)
    duration_sec: int = Field(ge=5, le=30)
    tone: Literal["playful", "calm", "energetic", "expert"]


class Captions(BaseModel):
    """Per-platform captions."""

    caption: str = Field(max_length=220)
    hashtags: list[str] = Field(min_length=3, max_length=8)
    alt_text: str | None = Field(default=None, max_length=120)


class Adjustments(BaseModel):
    """Strategy adjustments (seed 003 section 13.1 shape)."""

    topics_to_increase: list[str] = Field(max_length=5)
    topics_to_reduce: list[str] = Field(max_length=5)
    platform_timing_updates: dict[str, str]
    tone_adjustments: list[str]
    twin_rotation: list[str] = Field(default_factory=list)


class StrategyUpdate(BaseModel):
    """What the agent learned this week."""

    summary: str = Field(min_length=20, max_length=400)
    adjustments: Adjustments
    expected_lift_pct: float = Field(gt=0, lt=50)


class Node(BaseModel):
    """A recursive tree, to check depth handling."""

    label: str
    children: list[Node] = Field(default_factory=list, max_length=3)


ALL_SCHEMAS: tuple[type[BaseModel], ...] = (WeekPlan, Script, Captions, StrategyUpdate, Node)
