"""Audience plugin contract for the sandbox platform (``TWIN_AUDIENCE=module:attr``)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, kw_only=True)
class PostFeatures:
    """What an audience can see of a post."""

    platform: str
    posted_at: datetime
    pillar: str
    topic: str
    tags: tuple[str, ...] = ()
    tone: str = "educational"
    hook: str = ""
    hook_category: str = ""
    length_sec: float = 20.0
    caption_length: int = 0
    hashtag_count: int = 0
    twin_style: str = "space"


@dataclass(kw_only=True)
class EngagementMetrics:
    """Engagement a post earned; keys match seed 003 section 13.2."""

    views: int
    impressions: int
    likes: int
    comments: int
    shares: int
    saves: int
    watch_time_sec: float
    followers_delta: int
    extra: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Audience(Protocol):
    """Decides how a post does. The agent never reads an audience's preferences."""

    def engagement(self, post: PostFeatures, rng: random.Random) -> EngagementMetrics: ...
