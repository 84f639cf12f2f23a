"""Typed shapes of the trend tools: what a source returns and what the collector hands back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

__all__ = [
    "SOURCE_KINDS",
    "CollectedTrends",
    "ScoredSignal",
    "SourceFailure",
    "SourceKind",
    "TrendItem",
]

SourceKind = Literal["google_trends", "platform_trending", "hashtag_feed", "news", "local_file"]
"""What sort of source an item came from (the ``trend_signals.source`` column)."""

SOURCE_KINDS: tuple[str, ...] = (
    "google_trends",
    "platform_trending",
    "hashtag_feed",
    "news",
    "local_file",
)


class TrendItem(BaseModel):
    """One trending topic or news item as a source reported it (text already sanitised)."""

    title: str = Field(min_length=1, max_length=300)
    """The headline, search term or video title; stored as the signal's topic."""
    summary: str = Field(default="", max_length=1000)
    link: str | None = Field(default=None, max_length=2000)
    """Where the item can be read or watched (http or https), if the source gave one."""
    source: str = Field(min_length=1, max_length=200)
    """The name of the source that produced it, e.g. ``rss:news.example/feed``."""
    kind: SourceKind = "news"
    source_title: str = Field(default="", max_length=200)
    """The outlet as it names itself: feed title, channel, news site."""
    published_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    traffic: float | None = Field(default=None, ge=0)
    """The source's own popularity figure: views, approximate searches, or a sample score."""
    region: str = Field(default="global", max_length=16)
    platform_hint: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    """Source-specific details worth keeping (news items, video id, statistics)."""

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("published_at must be timezone-aware")
        return value


class SourceFailure(BaseModel):
    """A source that did not answer usefully this time; the others still count."""

    source: str
    error: str
    """One line for people: what went wrong, never a secret or a traceback."""


class ScoredSignal(BaseModel):
    """A deduplicated, scored trend signal for one niche."""

    topic: str
    score: float = Field(ge=0, le=1)
    kind: SourceKind
    source: str
    """The source of the item kept after deduplication."""
    source_title: str = ""
    link: str | None = None
    summary: str = ""
    published_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    region: str = "global"
    platform_hint: str | None = None
    traffic: float | None = None
    also_in: list[str] = Field(default_factory=list)
    """Other sources that carried the same item (same link or near-same title)."""
    recency: float = Field(ge=0, le=1)
    repetition: float = Field(ge=0, le=1)
    relevance: float = Field(ge=0, le=1)
    popularity: float = Field(ge=0, le=1)
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def metadata(self) -> dict[str, Any]:
        """What ``trend_signals.metadata_json`` keeps besides the columns."""
        out: dict[str, Any] = {
            "related_tags": list(self.tags),
            "region": self.region,
            "source_title": self.source_title,
            "summary": self.summary,
            "also_in": list(self.also_in),
            "components": {
                "recency": round(self.recency, 4),
                "repetition": round(self.repetition, 4),
                "relevance": round(self.relevance, 4),
                "popularity": round(self.popularity, 4),
            },
        }
        if self.published_at is not None:
            out["published_at"] = self.published_at.isoformat()
        if self.traffic is not None:
            out["traffic"] = self.traffic
        if self.extra:
            out["extra"] = self.extra
        return out

    def as_trend(self) -> dict[str, Any]:
        """The dict shape ``ctx.tools.trends()`` returns today, plus source and link."""
        return {
            "topic": self.topic,
            "score": self.score,
            "source": self.kind,
            "source_name": self.source,
            "link": self.link,
            "platform_hint": self.platform_hint,
            "related_tags": list(self.tags),
            "velocity": self.recency,
            "region": self.region,
        }


class CollectedTrends(BaseModel):
    """What one collection produced: signals best first, and the sources that failed."""

    niche: str
    signals: list[ScoredSignal]
    failures: list[SourceFailure] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    """Every source asked, in order."""
    cached: list[str] = Field(default_factory=list)
    """Sources answered from today's on-disk cache (no HTTP)."""
    fell_back_to_sample: bool = False
    """Every configured source failed, so the bundled sample was used instead."""
