"""Find a publisher adapter by platform name (entry-point group ``twin_agent.publishers``)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from tools.publish.base import Publisher

__all__ = ["BUILTIN_PUBLISHERS", "ENTRY_POINT_GROUP", "available_platforms", "get_publisher"]

ENTRY_POINT_GROUP = "twin_agent.publishers"

BUILTIN_PUBLISHERS = {
    "instagram": "tools.publish.instagram:InstagramPublisher",
    "facebook": "tools.publish.facebook:FacebookPublisher",
    "threads": "tools.publish.threads:ThreadsPublisher",
    "linkedin": "tools.publish.linkedin:LinkedInPublisher",
    "tiktok": "tools.publish.tiktok:TikTokPublisher",
    "youtube_shorts": "tools.publish.youtube:YouTubeShortsPublisher",
}


def available_platforms() -> list[str]:
    """Every platform name registered by entry point or built in."""
    names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names | set(BUILTIN_PUBLISHERS))


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def get_publisher(platform: str, **settings: Any) -> Publisher:
    """Build the adapter registered for ``platform``.

    Args:
        platform: Registered name, e.g. ``"instagram"`` or ``"sandbox"``.
        **settings: Keyword settings passed to the adapter's constructor.

    Returns:
        A :class:`Publisher`.

    Raises:
        KeyError: No adapter is registered under that name (the message lists the known ones).
    """
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == platform]
    if found:
        factory = found[0].load()
    elif platform in BUILTIN_PUBLISHERS:
        factory = _load(BUILTIN_PUBLISHERS[platform])
    else:
        known = ", ".join(available_platforms())
        raise KeyError(
            f"no publisher registered for platform {platform!r}; known: {known}. "
            f"Install a plugin that registers it under entry-point group {ENTRY_POINT_GROUP!r}"
        )
    publisher = factory(**settings)
    if not isinstance(publisher, Publisher):
        raise TypeError(f"{platform!r} adapter does not implement the Publisher protocol")
    return publisher
