"""Each built-in source reads its real format from a server on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from tests.trends.conftest import FeedServer
from tests.trends.documents import (
    ATOM_10,
    GOOGLE_TRENDS,
    NOW,
    RSS_20,
    YOUTUBE_QUOTA_ERROR,
    youtube_list,
)
from tools.trends import (
    GoogleTrendsSource,
    RssSource,
    SampleSource,
    SourceError,
    TrendSource,
    YouTubeSource,
    available_sources,
    get_source,
    load_trends,
)
from tools.trends.google_trends import parse_traffic

API_KEY = "AIzaSyTEST-secret-key-0123456789"


def clock() -> datetime:
    return NOW


@pytest.fixture
def client() -> httpx.Client:
    return httpx.Client(timeout=2.0)


def test_rss_20_items_come_back_clean(feed_server: FeedServer, client: httpx.Client) -> None:
    url = feed_server.serve("/wallets.xml", RSS_20)
    items = RssSource(url=url).fetch(client=client, clock=clock)

    assert [i.title for i in items] == [
        "New drainer kit targets hardware wallet users",
        "Seed phrase hygiene: five habits",
        "Bad link item",
    ]
    first = items[0]
    assert first.link == "https://wallets.example/news/drainer-kit?utm_source=rss&utm_medium=feed"
    assert first.summary == "A phishing kit drains wallets."
    assert first.published_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert first.tags == ["security", "wallets"]
    assert first.source_title == "Wallet Watch & Friends"
    assert first.kind == "news" and first.source.startswith("rss:127.0.0.1")
    assert "\u200b" not in items[1].summary
    assert items[2].link is None, "a javascript: link must not survive"


def test_atom_10_entries_use_the_alternate_link_and_dates(
    feed_server: FeedServer, client: httpx.Client
) -> None:
    url = feed_server.serve("/atom.xml", ATOM_10, content_type="application/atom+xml")
    items = RssSource(url=url).fetch(client=client, clock=clock)

    assert [i.link for i in items] == [
        "https://www.wallets.example/news/drainer-kit/",
        "https://digest.example/passkeys-browsers",
    ]
    assert items[0].published_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert items[0].summary == "Reported by our desk."
    assert items[1].summary == "Passkeys keep phishing away."
    assert items[1].tags == ["passkeys"]
    assert items[0].source_title == "Chain Security Digest"


def test_a_page_that_is_not_a_feed_is_refused(
    feed_server: FeedServer, client: httpx.Client
) -> None:
    url = feed_server.serve("/page", "<html><body>hello</body></html>", content_type="text/html")
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        RssSource(url=url).fetch(client=client, clock=clock)


def test_youtube_asks_for_the_most_popular_chart_of_a_region_and_category(
    feed_server: FeedServer, client: httpx.Client
) -> None:
    feed_server.serve("/youtube/v3/videos", youtube_list(), content_type="application/json")
    source = YouTubeSource(api_key=API_KEY, region="gb", category="28", base_url=feed_server.base)
    items = source.fetch(client=client, clock=clock)

    assert feed_server.queries[-1] == {
        "part": "snippet,statistics",
        "chart": "mostPopular",
        "regionCode": "GB",
        "videoCategoryId": "28",
        "maxResults": "25",
        "key": API_KEY,
    }
    assert source.name == "youtube:GB:28"
    first = items[0]
    assert first.title == "I tested 5 AI agents for a week"
    assert first.link == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert first.traffic == 1523401
    assert first.source_title == "Tool Lab"
    assert first.published_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert first.platform_hint == "youtube_shorts" and first.kind == "platform_trending"
    assert first.summary == "Which agent actually saved time? Links below."
    assert items[1].traffic == 20400


def test_youtube_without_a_category_reads_the_overall_chart(
    feed_server: FeedServer, client: httpx.Client
) -> None:
    feed_server.serve("/youtube/v3/videos", youtube_list(), content_type="application/json")
    YouTubeSource(api_key=API_KEY, base_url=feed_server.base).fetch(client=client, clock=clock)
    assert "videoCategoryId" not in feed_server.queries[-1]


def test_a_youtube_error_names_the_reason_and_never_the_key(
    feed_server: FeedServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.serve(
        "/youtube/v3/videos", YOUTUBE_QUOTA_ERROR, status=403, content_type="application/json"
    )
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the CLI's logging set-up quiets httpx
    with pytest.raises(SourceError) as raised:
        YouTubeSource(api_key=API_KEY, base_url=feed_server.base).fetch(client=client, clock=clock)
    assert str(raised.value) == "youtube:US answered HTTP 403: quotaExceeded"
    assert API_KEY not in caplog.text
    assert "key=[REDACTED]" in caplog.text  # httpx logged the request, scrubbed


def test_google_trends_keeps_traffic_and_every_news_item(
    feed_server: FeedServer, client: httpx.Client
) -> None:
    feed_server.serve("/trending/rss", GOOGLE_TRENDS)
    items = GoogleTrendsSource(geo="us", base_url=feed_server.base).fetch(
        client=client, clock=clock
    )

    assert feed_server.queries[-1] == {"geo": "US"}
    top = items[0]
    assert top.title == "ai agents"
    assert top.traffic == 200_000
    assert top.link == "https://techdaily.example/ai-agents-office"
    assert top.source_title == "Tech Daily"
    assert top.summary == "AI agents & the new office — Companies roll out assistants"
    assert top.published_at == datetime(2026, 12, 7, 10, 40, tzinfo=UTC)
    assert [n["url"] for n in top.extra["news"]] == [
        "https://techdaily.example/ai-agents-office",
        "https://other.example/agents",
    ]
    assert top.extra["approx_traffic"] == "200,000+"
    assert top.kind == "google_trends" and top.region == "US"
    lakers = items[1]
    assert lakers.traffic == 20_000
    assert lakers.link is not None and lakers.link.startswith(
        "https://trends.google.com/trends/explore?q=lakers"
    )


def test_google_trends_refuses_a_dtd(feed_server: FeedServer, client: httpx.Client) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        "<rss><channel><item><title>&lol2;</title></item></channel></rss>"
    )
    feed_server.serve("/trending/rss", bomb)
    with pytest.raises(SourceError, match="DTD"):
        GoogleTrendsSource(base_url=feed_server.base).fetch(client=client, clock=clock)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("200,000+", 200_000),
        ("20K+", 20_000),
        ("1.5M+", 1_500_000),
        ("500+", 500),
        ("1천+", None),
        ("", None),
    ],
)
def test_approximate_traffic_reads_as_a_number(text: str, value: float | None) -> None:
    assert parse_traffic(text) == value


def test_the_sample_source_is_the_bundled_file(client: httpx.Client) -> None:
    items = SampleSource().fetch(client=client, clock=clock)
    bundled = load_trends()
    assert [i.title for i in items] == [t["topic"] for t in bundled]
    assert items[0].traffic == bundled[0]["score"]


def test_every_built_in_source_is_registered_by_entry_point() -> None:
    assert {"sample", "file", "rss", "youtube", "google_trends"} <= set(available_sources())
    source = get_source("rss", url="https://news.example/feed.xml")
    assert isinstance(source, TrendSource) and source.name == "rss:news.example/feed.xml"
    with pytest.raises(KeyError, match=r"known: .*google_trends"):
        get_source("myspace")
