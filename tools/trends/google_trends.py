"""Google Trends' daily trending searches (the "Trending now" RSS feed, ``ht:`` namespace).

Each ``<item>`` is one search term with ``<ht:approx_traffic>`` ("20K+"), a ``<pubDate>``, a
picture, and one or more ``<ht:news_item>`` blocks (title, snippet, url, source) naming the
articles people read about it. feedparser keeps only the last of several same-named namespaced
elements, so this feed is read with the standard library's parser, DTDs refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx

from tools.trends.base import Clock, SourceError, read_bytes
from tools.trends.feeds import FEED_ACCEPT
from tools.trends.models import SourceKind, TrendItem
from tools.trends.sanitize import MAX_TITLE, clean_link, clean_text

__all__ = ["GoogleTrendsSource", "parse_google_trends", "parse_traffic"]

MAX_NEWS = 5
_TRAFFIC = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)\+?\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


def parse_traffic(value: str | None) -> float | None:
    """``"200,000+"`` -> 200000, ``"20K+"`` -> 20000, ``"1.5M+"`` -> 1500000; None if unreadable."""
    if not value:
        return None
    match = _TRAFFIC.match(value)
    if not match:
        return None
    digits, unit = match.groups()
    try:
        number = float(digits.replace(",", ""))
    except ValueError:
        return None
    return number * _SCALE[unit.upper()]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return ""


def _when(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _explore_link(term: str, geo: str) -> str:
    return (
        f"https://trends.google.com/trends/explore?q={quote(term)}&geo={quote(geo)}&date=now%201-d"
    )


def parse_google_trends(body: bytes, *, source: str, geo: str) -> list[TrendItem]:
    """The trending searches of one Google Trends RSS document, in feed order.

    Args:
        body: The RSS document.
        source: Name of the source, recorded on every item.
        geo: The country asked for (recorded as the region).

    Raises:
        SourceError: Not a well-formed RSS document, or it declares a DTD.
    """
    if b"<!doctype" in body.lower():
        raise SourceError(f"{source} sent a document with a DTD; refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"{source} is not well-formed XML: {exc}") from None
    channel = next((c for c in root if _local(c.tag) == "channel"), None)
    if _local(root.tag) != "rss" or channel is None:
        raise SourceError(f"{source} is not an RSS document")
    items: list[TrendItem] = []
    for node in channel:
        if _local(node.tag) != "item":
            continue
        term = clean_text(_child_text(node, "title"), limit=MAX_TITLE)
        if not term:
            continue
        news: list[dict[str, str | None]] = []
        for block in node:
            if _local(block.tag) != "news_item" or len(news) >= MAX_NEWS:
                continue
            news.append(
                {
                    "title": clean_text(_child_text(block, "news_item_title"), limit=MAX_TITLE),
                    "snippet": clean_text(_child_text(block, "news_item_snippet"), limit=300),
                    "url": clean_link(_child_text(block, "news_item_url")),
                    "source": clean_text(_child_text(block, "news_item_source"), limit=200),
                }
            )
        lead = next((n for n in news if n["url"]), news[0] if news else None)
        approx = clean_text(_child_text(node, "approx_traffic"), limit=32)
        summary = ""
        if lead is not None:
            summary = clean_text(" — ".join(p for p in (lead["title"], lead["snippet"]) if p))
        items.append(
            TrendItem(
                title=term,
                summary=summary or clean_text(_child_text(node, "description")),
                link=(lead["url"] if lead and lead["url"] else None) or _explore_link(term, geo),
                source=source,
                kind="google_trends",
                source_title=(lead["source"] if lead and lead["source"] else "Google Trends"),
                published_at=_when(_child_text(node, "pubDate")),
                traffic=parse_traffic(approx),
                region=geo,
                extra={"approx_traffic": approx, "news": news},
            )
        )
    return items


class GoogleTrendsSource:
    """Daily trending searches for one country (``TWIN_TRENDS_GOOGLE_GEO``); no key needed."""

    kind: SourceKind = "google_trends"
    cacheable = True

    def __init__(
        self,
        *,
        geo: str = "US",
        base_url: str = "https://trends.google.com",
        deadline: float | None = None,
    ) -> None:
        """Args:
        geo: ISO 3166-1 alpha-2 country code, e.g. ``US``, ``GB``, ``FR``.
        base_url: Host; ``/trending/rss?geo=..`` is appended.
        deadline: Seconds the whole download may take.
        """
        self.geo = geo.upper()
        self.base_url = base_url.rstrip("/")
        self.deadline = deadline
        self.name = f"google_trends:{self.geo}"

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """Today's trending searches, as Google orders them."""
        body = read_bytes(
            client,
            f"{self.base_url}/trending/rss",
            params={"geo": self.geo},
            headers={"Accept": FEED_ACCEPT},
            deadline=self.deadline,
            label=self.name,
        )
        return parse_google_trends(body, source=self.name, geo=self.geo)
