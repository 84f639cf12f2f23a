"""YouTube's most popular videos per region and category (Data API v3 ``videos.list``)."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

import httpx

from tools.trends.base import Clock, SourceError, read_bytes
from tools.trends.models import SourceKind, TrendItem
from tools.trends.sanitize import MAX_TITLE, clean_tags, clean_text

__all__ = ["YouTubeSource"]

_KEY_IN_URL = re.compile(r"([?&]key=)[^&\s\"']+")


class _KeyFilter(logging.Filter):
    """httpx logs each request URL; the API key travels in it as ``key=``, so scrub it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        if "key=" in message:
            record.msg = _KEY_IN_URL.sub(r"\1[REDACTED]", message)
            record.args = None
        return True


_FILTER = _KeyFilter()


def _hide_keys_in_logs() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def _count(value: Any) -> float | None:
    try:
        return float(int(value))
    except (TypeError, ValueError):
        return None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _error_reason(body: bytes) -> str:
    try:
        error = json.loads(body)["error"]
        reasons = [e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)]
        return clean_text(", ".join(r for r in reasons if r) or error.get("message", ""), limit=120)
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""


class YouTubeSource:
    """``GET /youtube/v3/videos?part=snippet,statistics&chart=mostPopular`` for one region/category.

    Needs an API key (``TWIN_TRENDS_YOUTUBE_API_KEY``); the key is never shown in errors or logs.
    """

    kind: SourceKind = "platform_trending"
    cacheable = True

    def __init__(
        self,
        *,
        api_key: str,
        region: str = "US",
        category: str | None = None,
        base_url: str = "https://www.googleapis.com",
        max_results: int = 25,
        deadline: float | None = None,
    ) -> None:
        """Args:
        api_key: A YouTube Data API key.
        region: ISO 3166-1 alpha-2 country code (``regionCode``).
        category: A video category id (``videoCategoryId``, e.g. ``28`` Science & Technology);
            None asks for the region's overall chart.
        base_url: API host; ``/youtube/v3/videos`` is appended.
        max_results: Videos per call, 1 to 50.
        deadline: Seconds the whole download may take.
        """
        if not api_key:
            raise ValueError(
                "the youtube trend source needs an API key (TWIN_TRENDS_YOUTUBE_API_KEY)"
            )
        self._api_key = api_key
        self.region = region.upper()
        self.category = category or None
        self.base_url = base_url.rstrip("/")
        self.max_results = max(1, min(50, max_results))
        self.deadline = deadline
        self.name = f"youtube:{self.region}" + (f":{self.category}" if self.category else "")
        _hide_keys_in_logs()

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """The chart's videos, most popular first."""
        params = {
            "part": "snippet,statistics",
            "chart": "mostPopular",
            "regionCode": self.region,
            "maxResults": str(self.max_results),
            "key": self._api_key,
        }
        if self.category:
            params["videoCategoryId"] = self.category
        body = read_bytes(
            client,
            f"{self.base_url}/youtube/v3/videos",
            params=params,
            deadline=self.deadline,
            label=self.name,
            describe_error=_error_reason,
        )
        try:
            payload = json.loads(body)
            videos = payload["items"]
            if not isinstance(videos, list):
                raise TypeError("items is not a list")
        except (ValueError, KeyError, TypeError):
            raise SourceError(f"{self.name} did not answer a videos.list response") from None
        return [item for item in (self._item(v) for v in videos) if item is not None]

    def _item(self, video: Any) -> TrendItem | None:
        if not isinstance(video, dict):
            return None
        snippet = video.get("snippet") or {}
        stats = video.get("statistics") or {}
        title = clean_text(snippet.get("title"), limit=MAX_TITLE)
        video_id = video.get("id")
        if not title or not isinstance(video_id, str) or not re.fullmatch(r"[\w-]{6,20}", video_id):
            return None
        return TrendItem(
            title=title,
            summary=clean_text(snippet.get("description")),
            link=f"https://www.youtube.com/watch?v={video_id}",
            source=self.name,
            kind=self.kind,
            source_title=clean_text(snippet.get("channelTitle"), limit=200),
            published_at=_when(snippet.get("publishedAt")),
            tags=clean_tags(snippet.get("tags") or []),
            traffic=_count(stats.get("viewCount")),
            region=self.region,
            platform_hint="youtube_shorts",
            extra={
                "video_id": video_id,
                "category_id": clean_text(snippet.get("categoryId"), limit=8),
                "likes": _count(stats.get("likeCount")),
                "comments": _count(stats.get("commentCount")),
            },
        )
