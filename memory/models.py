"""Pydantic types of the memory API: records, hits, retention policy, reports."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, Field, field_validator

__all__ = [
    "KIND_DIRECTIVE",
    "KIND_FEEDBACK",
    "KIND_INSIGHT",
    "KIND_POST_OUTCOME",
    "KIND_SUMMARY",
    "CompactionReport",
    "MemoryHit",
    "MemoryRecord",
    "RetentionPolicy",
]

KIND_POST_OUTCOME: Final = "post_outcome"
"""How a published post performed (topic, twin, platform, engagement)."""
KIND_INSIGHT: Final = "insight"
"""Something the adapting step learned."""
KIND_FEEDBACK: Final = "feedback"
"""What the creator said about a reel (approve/reject/edit reasons)."""
KIND_DIRECTIVE: Final = "directive"
"""A standing instruction from the creator's chat."""
KIND_SUMMARY: Final = "summary"
"""Written by compaction: the gist of older memories of one group."""

_KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class MemoryRecord(BaseModel):
    """One memory to store."""

    kind: str
    """What the memory is, e.g. ``post_outcome``, ``insight``, ``feedback``, ``directive``."""
    text: str = Field(min_length=1)
    """The text that is embedded and searched."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Extra fields; lists and dicts are JSON-encoded for Chroma and decoded on read."""
    memory_id: str | None = None
    """Stable id; when omitted it is derived from kind, text and metadata."""

    @field_validator("kind")
    @classmethod
    def _check_kind(cls, value: str) -> str:
        if not _KIND_PATTERN.match(value):
            raise ValueError(
                f"kind {value!r} must be lowercase letters, digits and underscores, "
                "starting with a letter (e.g. 'post_outcome')."
            )
        return value


class MemoryHit(BaseModel):
    """A memory returned by a search."""

    id: str
    kind: str
    text: str
    metadata: dict[str, Any]
    score: float
    """Cosine similarity to the query (1 = same direction, 0 = unrelated)."""


class RetentionPolicy(BaseModel):
    """How compaction trims memory: keep the most relevant entries of each group.

    Relevance of an entry = ``engagement_weight * engagement_rank +
    recency_weight * 0.5 ** (age_days / recency_half_life_days)``, where
    ``engagement_rank`` is the entry's engagement percentile within its group
    (0..1; entries without the metadata field rank lowest).
    """

    top_k: int = Field(default=50, ge=1)
    """Entries kept per group; the rest are folded into the group's summary."""
    group_by: tuple[str, ...] = ("topic", "twin_id")
    """Metadata fields that define a group (together with the kind)."""
    kinds: tuple[str, ...] = (KIND_POST_OUTCOME, KIND_INSIGHT, KIND_FEEDBACK)
    """Kinds that are compacted; directives and summaries are never touched."""
    engagement_key: str = "engagement_score"
    """Numeric metadata field that measures how well the memory's post did."""
    engagement_weight: float = Field(default=0.7, ge=0)
    recency_weight: float = Field(default=0.3, ge=0)
    recency_half_life_days: float = Field(default=30.0, gt=0)
    min_age_days: float = Field(default=0.0, ge=0)
    """Entries younger than this are never compacted, whatever their rank."""

    @field_validator("kinds")
    @classmethod
    def _no_summary(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if KIND_SUMMARY in value:
            raise ValueError("Summaries cannot be compacted; remove 'summary' from kinds.")
        return value


class CompactionReport(BaseModel):
    """What one compaction did."""

    compacted_at: datetime
    groups: int
    """Groups that had entries of the compacted kinds."""
    kept: int
    compacted: int
    """Entries deleted after being folded into summaries."""
    summaries_written: int
