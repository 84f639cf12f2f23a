"""Trend signals: from a local JSON file offline (the built-in sample by default).

Trend text comes from outside, so it is treated as data: topics and tags are sanitised
(markup stripped, control characters removed, length capped) before anything reads them.
What they *say* is judged later, at review, by :func:`tools.untrusted.review_flags`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from tools.untrusted import sanitize

__all__ = ["MAX_TAG_CHARS", "MAX_TOPIC_CHARS", "TrendInput", "TrendsError", "load_trends"]

MAX_TOPIC_CHARS = 150
"""Longest trend topic kept (a topic becomes a reel's title, which holds 300)."""
MAX_TAG_CHARS = 40


class TrendsError(RuntimeError):
    """The trends file is missing or malformed; the message says where."""


class TrendInput(BaseModel):
    """One trending topic (topic and tags sanitised on the way in)."""

    topic: str = Field(min_length=2, max_length=MAX_TOPIC_CHARS)
    score: float = Field(ge=0, le=1)
    source: str = "local_file"
    platform_hint: str | None = None
    related_tags: list[str] = Field(default_factory=list)
    velocity: float = 0.0
    region: str = "global"

    @field_validator("topic", mode="before")
    @classmethod
    def _clean_topic(cls, value: Any) -> Any:
        return sanitize(value, max_chars=MAX_TOPIC_CHARS) if isinstance(value, str) else value

    @field_validator("related_tags", mode="before")
    @classmethod
    def _clean_tags(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        tags = [sanitize(v, max_chars=MAX_TAG_CHARS) if isinstance(v, str) else v for v in value]
        return [t for t in tags if t != ""]


def _readable(item: Any) -> bool:
    """Items whose topic is nothing but markup are skipped rather than failing the file."""
    topic = item.get("topic") if isinstance(item, dict) else None
    return not isinstance(topic, str) or len(sanitize(topic, max_chars=MAX_TOPIC_CHARS)) >= 2


def load_trends(path: Path | None = None) -> list[dict[str, Any]]:
    """Trends from ``path`` (a JSON list), or the built-in sample; highest score first.

    Args:
        path: A JSON file: a list of objects with topic, score (0-1) and optional
            source, platform_hint, related_tags, velocity, region.
    """
    try:
        if path is None:
            raw = (resources.files(__package__) / "sample_trends.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
        if not isinstance(data, list):
            raise TypeError("expected a JSON list of trends")
        items = [TrendInput.model_validate(x) for x in data if _readable(x)]
    except FileNotFoundError as exc:
        raise TrendsError(f"trends file {path} not found (TWIN_TRENDS_FILE)") from exc
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise TrendsError(f"trends file {path or 'built-in'} is not valid: {first}") from exc
    return [t.model_dump() for t in sorted(items, key=lambda t: -t.score)]
