"""Find a trend source by name (entry-point group ``twin_agent.trends``)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from tools.trends.base import TrendSource

__all__ = ["BUILTIN_SOURCES", "ENTRY_POINT_GROUP", "available_sources", "get_source"]

ENTRY_POINT_GROUP = "twin_agent.trends"

BUILTIN_SOURCES = {
    "sample": "tools.trends.local:SampleSource",
    "file": "tools.trends.local:FileSource",
    "rss": "tools.trends.feeds:RssSource",
    "youtube": "tools.trends.youtube:YouTubeSource",
    "google_trends": "tools.trends.google_trends:GoogleTrendsSource",
}


def available_sources() -> list[str]:
    """Every source type registered by entry point or built in."""
    names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names | set(BUILTIN_SOURCES))


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def get_source(kind: str, **settings: Any) -> TrendSource:
    """Build the trend source registered as ``kind``.

    Args:
        kind: Registered name, e.g. ``"rss"``, ``"youtube"`` or a plugin's name.
        **settings: Keyword settings for the source's constructor (``url=`` for ``rss`` ...).

    Returns:
        A :class:`TrendSource`.

    Raises:
        KeyError: Nothing is registered under that name (the message lists the known ones).
        TypeError: What is registered does not implement the protocol.
    """
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == kind]
    if found:
        factory = found[0].load()
    elif kind in BUILTIN_SOURCES:
        factory = _load(BUILTIN_SOURCES[kind])
    else:
        known = ", ".join(available_sources())
        raise KeyError(
            f"no trend source registered as {kind!r}; known: {known}. "
            f"Install a plugin that registers it under entry-point group {ENTRY_POINT_GROUP!r}"
        )
    source = factory(**settings)
    if not isinstance(source, TrendSource):
        raise TypeError(f"trend source {kind!r} does not implement the TrendSource protocol")
    return source
