"""Trend signals: from a local JSON file offline (the built-in sample by default)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

__all__ = ["TrendInput", "TrendsError", "load_trends"]


class TrendsError(RuntimeError):
    """The trends file is missing or malformed; the message says where."""


class TrendInput(BaseModel):
    """One trending topic."""

    topic: str = Field(min_length=2, max_length=300)
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
        items = [TrendInput.model_validate(x) for x in json.loads(raw)]
    except FileNotFoundError as exc:
        raise TrendsError(f"trends file {path} not found (TWIN_TRENDS_FILE)") from exc
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise TrendsError(f"trends file {path or 'built-in'} is not valid: {first}") from exc
    return [t.model_dump() for t in sorted(items, key=lambda t: -t.score)]
