"""RSS 2.0 and Atom 1.0 news feeds: fetched with httpx, parsed by feedparser."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser
import httpx

from tools.trends.base import Clock, SourceError, display_url, read_bytes
from tools.trends.models import SourceKind, TrendItem
from tools.trends.sanitize import MAX_TITLE, clean_link, clean_tags, clean_text

__all__ = ["FEED_ACCEPT", "RssSource", "parse_feed"]

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"
MAX_ITEMS = 50


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            # feedparser normalises dates to UTC struct_time.
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def _summary(entry: Any) -> str:
    text = entry.get("summary") or ""
    if not text and entry.get("content"):
        text = entry["content"][0].get("value", "")
    return clean_text(text)


def parse_feed(
    body: bytes, *, source: str, kind: SourceKind = "news", region: str = "global"
) -> list[TrendItem]:
    """The items of an RSS or Atom document, in feed order.

    Args:
        body: The document as bytes (feedparser reads the encoding from it).
        source: Name of the source, recorded on every item.
        kind: Kind recorded on every item.
        region: Region recorded on every item.

    Raises:
        SourceError: The bytes are not an RSS or Atom feed.
    """
    parsed = feedparser.parse(body)
    problem = parsed.get("bozo_exception")
    detail = clean_text(str(problem).splitlines()[0] if problem else "", limit=120)
    if not parsed.get("version") and not parsed.entries:
        raise SourceError(
            f"{source} is not an RSS or Atom feed: {detail or 'no RSS or Atom elements'}"
        )
    outlet = clean_text(parsed.feed.get("title", ""), limit=200)
    items: list[TrendItem] = []
    for entry in parsed.entries[:MAX_ITEMS]:
        title = clean_text(entry.get("title", ""), limit=MAX_TITLE)
        if not title:
            continue
        items.append(
            TrendItem(
                title=title,
                summary=_summary(entry),
                link=clean_link(entry.get("link")),
                source=source,
                kind=kind,
                source_title=outlet,
                published_at=_when(entry),
                tags=clean_tags([t.get("term") for t in entry.get("tags", []) if t.get("term")]),
                region=region,
            )
        )
    # feedparser's loose mode rescues feeds with small slips (a stray "&"); a document that
    # is broken and yields nothing usable is a failure, not an empty answer.
    if not items and isinstance(problem, SAXParseException):
        raise SourceError(f"{source} is not well-formed XML: {detail}")
    return items


class RssSource:
    """One RSS 2.0 or Atom 1.0 feed (``TWIN_TRENDS_FEEDS`` lists them)."""

    kind: SourceKind = "news"
    cacheable = True

    def __init__(self, *, url: str, region: str = "global", deadline: float | None = None) -> None:
        """Args:
        url: The feed's absolute http(s) URL.
        region: Region recorded on its items.
        deadline: Seconds the whole download may take (the client's timeout bounds each read).
        """
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"feed URL must start with http:// or https://, got {url[:80]!r}")
        self.url = url
        self.region = region
        self.deadline = deadline
        self.name = f"rss:{display_url(url)}"

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """The feed's items, in the feed's order."""
        body = read_bytes(
            client,
            self.url,
            headers={"Accept": FEED_ACCEPT},
            deadline=self.deadline,
            label=self.name,
        )
        return parse_feed(body, source=self.name, kind=self.kind, region=self.region)
