"""Trend signals from a local JSON file: the bundled sample (the offline default) or your own."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from tools.trends.base import Clock, SourceError
from tools.trends.models import SOURCE_KINDS, SourceKind, TrendItem
from tools.trends.sanitize import MAX_TITLE, clean_tags, clean_text
from tools.untrusted import sanitize

__all__ = ["FileSource", "SampleSource", "TrendInput", "TrendsError", "load_trends"]


class TrendsError(RuntimeError):
    """The trends file is missing or malformed; the message says where."""


MAX_TOPIC_CHARS = 150
"""Longest trend topic kept (a topic becomes a reel's title, which holds 300)."""
MAX_TAG_CHARS = 40


class TrendInput(BaseModel):
    """One trending topic (topic and tags sanitised on the way in: feed text is untrusted)."""

    topic: str = Field(min_length=2, max_length=MAX_TOPIC_CHARS)
    score: float = Field(ge=0, le=1)
    source: str = "local_file"
    platform_hint: str | None = None
    related_tags: list[str] = Field(default_factory=list)
    velocity: float = 0.0
    region: str = "global"
    link: str | None = None
    summary: str = ""
    points: list[str] = Field(default_factory=list)
    """Concrete facts or tips about the topic a script can make its points from."""

    @field_validator("topic", mode="before")
    @classmethod
    def _clean_topic(cls, value: Any) -> Any:
        return sanitize(value, max_chars=MAX_TOPIC_CHARS) if isinstance(value, str) else value

    @field_validator("related_tags", "points", mode="before")
    @classmethod
    def _clean_list(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        cleaned = [sanitize(v, max_chars=300) if isinstance(v, str) else v for v in value]
        return [t for t in cleaned if t != ""]


def _readable(item: Any) -> bool:
    """Items whose topic is nothing but markup are skipped rather than failing the file."""
    topic = item.get("topic") if isinstance(item, dict) else None
    return not isinstance(topic, str) or len(sanitize(topic, max_chars=MAX_TOPIC_CHARS)) >= 2


def _read(path: Path | None) -> list[TrendInput]:
    try:
        if path is None:
            raw = (resources.files(__package__) / "sample_trends.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
        if not isinstance(data, list):
            raise TypeError("expected a JSON list of trends")
        return [TrendInput.model_validate(x) for x in data if _readable(x)]
    except FileNotFoundError as exc:
        raise TrendsError(f"trends file {path} not found (TWIN_TRENDS_FILE)") from exc
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise TrendsError(f"trends file {path or 'built-in'} is not valid: {first}") from exc


def load_trends(path: Path | None = None) -> list[dict[str, Any]]:
    """Trends from ``path`` (a JSON list), or the built-in sample; highest score first.

    Args:
        path: A JSON file: a list of objects with topic, score (0-1) and optional
            source, platform_hint, related_tags, velocity, region.
    """
    items = _read(path)
    return [t.model_dump() for t in sorted(items, key=lambda t: -t.score)]


def _items(entries: list[TrendInput], *, source: str) -> list[TrendItem]:
    out = []
    for entry in sorted(entries, key=lambda t: -t.score):
        kind: SourceKind = entry.source if entry.source in SOURCE_KINDS else "local_file"  # type: ignore[assignment]
        out.append(
            TrendItem(
                title=clean_text(entry.topic, limit=MAX_TITLE),
                source=source,
                kind=kind,
                source_title="bundled sample" if source == "sample" else source,
                tags=clean_tags(entry.related_tags),
                traffic=entry.score,
                region=clean_text(entry.region, limit=16) or "global",
                platform_hint=entry.platform_hint,
                summary=clean_text(entry.summary, limit=1000),
                link=entry.link,
                extra={
                    "velocity": entry.velocity,
                    "points": [clean_text(p, limit=300) for p in entry.points],
                },
            )
        )
    return out


class SampleSource:
    """The bundled ``sample_trends.json``: used when no other source is configured."""

    kind: SourceKind = "local_file"
    cacheable = False

    def __init__(self) -> None:
        self.name = "sample"

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """The sample's topics, highest score first."""
        try:
            return _items(_read(None), source=self.name)
        except TrendsError as exc:
            raise SourceError(str(exc)) from None


class FileSource:
    """A JSON file of trends you maintain (``TWIN_TRENDS_FILE``), same shape as the sample."""

    kind: SourceKind = "local_file"
    cacheable = False

    def __init__(self, *, path: Path | str) -> None:
        """Args:
        path: The JSON file: a list of objects with topic, score (0-1) and optional
            source, platform_hint, related_tags, velocity, region.
        """
        self.path = Path(path)
        self.name = f"file:{self.path.name}"

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """The file's topics, highest score first."""
        try:
            return _items(_read(self.path), source=self.name)
        except TrendsError as exc:
            raise SourceError(str(exc)) from None
