"""Which trend sources a niche reads: global settings plus an optional per-niche file.

The per-niche file (``TWIN_TRENDS_NICHES_FILE``) is TOML or JSON, one table per niche slug::

    [ai-tools]
    feeds = ["https://news.example/ai.xml"]    # RSS or Atom, added to TWIN_TRENDS_FEEDS
    youtube_categories = ["28"]                # replaces TWIN_TRENDS_YOUTUBE_CATEGORIES
    keywords = ["llm", "agents"]               # added to the niche's keywords in the niches table
    sources = ["my_plugin"]                    # registered trend sources, built without arguments
    include_global = false                     # ignore the global feeds and Google Trends geos
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from tools.trends.base import Clock, SourceError, TrendSource
from tools.trends.local import FileSource, SampleSource, TrendsError
from tools.trends.models import SourceKind, TrendItem
from tools.trends.registry import get_source

__all__ = [
    "MisconfiguredSource",
    "NicheSources",
    "TrendsConfig",
    "load_niche_sources",
    "sources_for",
]


class NicheSources(BaseModel):
    """Extra sources and keywords for one niche."""

    model_config = {"extra": "forbid"}

    feeds: list[str] = Field(default_factory=list)
    youtube_categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    include_global: bool = True


class TrendsConfig(BaseModel):
    """Everything the collector needs to know about sources (built from ``Settings``)."""

    feeds: list[str] = Field(default_factory=list)
    file: Path | None = None
    youtube_api_key: str | None = Field(default=None, repr=False)
    youtube_regions: list[str] = Field(default_factory=lambda: ["US"])
    youtube_categories: list[str] = Field(default_factory=list)
    youtube_base_url: str = "https://www.googleapis.com"
    google_geos: list[str] = Field(default_factory=list)
    google_base_url: str = "https://trends.google.com"
    sources: list[str] = Field(default_factory=list)
    """Registered plugin sources to add, each built without arguments."""
    niches: dict[str, NicheSources] = Field(default_factory=dict)
    timeout: float = Field(default=10.0, gt=0)
    """Seconds per connect or read; a whole download may take twice that."""
    cache_hours: float = Field(default=24.0, ge=0)
    """Longest age of a same-day cached answer; 0 turns the cache off."""
    cache_dir: Path | None = None

    def keywords_for(self, niche: str, table_keywords: list[str]) -> list[str]:
        """The niche's keywords from the niches table, plus those in the per-niche file."""
        extra = self.niches[niche].keywords if niche in self.niches else []
        out: list[str] = []
        for word in [*table_keywords, *extra]:
            word = word.strip()
            if word and word.lower() not in {w.lower() for w in out}:
                out.append(word)
        return out


def load_niche_sources(path: Path) -> dict[str, NicheSources]:
    """Read a per-niche sources file (``.toml`` or ``.json``).

    Raises:
        TrendsError: Missing file, bad syntax, or an entry that does not fit (one line, says where).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        if not isinstance(raw, dict):
            raise TypeError("the top level must map niche slugs to tables")
        return {str(slug): NicheSources.model_validate(entry) for slug, entry in raw.items()}
    except FileNotFoundError:
        raise TrendsError(
            f"niche sources file {path} not found (TWIN_TRENDS_NICHES_FILE)"
        ) from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, ValidationError, TypeError) as exc:
        first = str(exc).splitlines()[0]
        raise TrendsError(f"niche sources file {path} is not valid: {first}") from None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


class MisconfiguredSource:
    """Stands in for a source that could not be built, so it is reported like a failing one."""

    kind: SourceKind = "news"
    cacheable = False

    def __init__(self, *, name: str, error: str) -> None:
        self.name = name
        self.error = error

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """Always fails with the reason it could not be built."""
        raise SourceError(self.error)


def _build(kind: str, name: str, **options: Any) -> TrendSource:
    try:
        return get_source(kind, **options)
    except Exception as exc:  # a plugin's constructor may raise anything; report, do not stop
        # str(KeyError) wraps the message in quotes; its argument is the message itself.
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        first = (text.splitlines() or [type(exc).__name__])[0]
        return MisconfiguredSource(name=name, error=first)


def sources_for(config: TrendsConfig, niche: str) -> list[TrendSource]:
    """The sources to read for ``niche``, in a stable order; the bundled sample when none is set.

    A source that cannot be built (a feed URL that is not http(s), an unregistered plugin name)
    is kept as a :class:`MisconfiguredSource`, so the collector reports it and reads the rest.

    Args:
        config: Trend settings.
        niche: The niche's slug (``AgentPolicy.niche``).
    """
    extra = config.niches.get(niche, NicheSources())
    deadline = config.timeout * 2
    use_global = extra.include_global
    found: list[TrendSource] = []
    if config.file is not None:
        found.append(FileSource(path=config.file))
    feeds = _unique([*(config.feeds if use_global else []), *extra.feeds])
    found += [_build("rss", f"rss:{url[:80]}", url=url, deadline=deadline) for url in feeds]
    if config.youtube_api_key:
        categories: list[str | None] = list(
            _unique(extra.youtube_categories or config.youtube_categories)
        ) or [None]
        for region in _unique(config.youtube_regions) or ["US"]:
            for category in categories:
                found.append(
                    _build(
                        "youtube",
                        f"youtube:{region}",
                        api_key=config.youtube_api_key,
                        region=region,
                        category=category,
                        base_url=config.youtube_base_url,
                        deadline=deadline,
                    )
                )
    for geo in _unique(config.google_geos) if use_global else []:
        found.append(
            _build(
                "google_trends",
                f"google_trends:{geo}",
                geo=geo,
                base_url=config.google_base_url,
                deadline=deadline,
            )
        )
    for name in _unique([*config.sources, *extra.sources]):
        found.append(_build(name, name))
    return found or [SampleSource()]
