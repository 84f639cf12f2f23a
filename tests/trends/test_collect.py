"""The collector: failing sources, the per-day cache, dedupe across sources, scoring order."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.trends.conftest import FeedServer, bag_of_words
from tests.trends.documents import ATOM_10, GOOGLE_TRENDS, NOW, RSS_20, youtube_list
from tools.trends import (
    Clock,
    GoogleTrendsSource,
    RssSource,
    SampleSource,
    TrendItem,
    TrendsConfig,
    TrendSource,
    YouTubeSource,
    collect_trends,
    load_trends,
    sources_for,
)
from tools.trends.models import SourceKind

WALLET_WORDS = ["wallet", "security", "phishing"]


def at(when: datetime) -> Clock:
    return lambda: when


def no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no HTTP expected, got {request.url}")


class FixedSource:
    """A source that returns what it is given (for scoring tests)."""

    kind: SourceKind = "news"
    cacheable = False

    def __init__(self, name: str, items: list[TrendItem]) -> None:
        self.name = name
        self._items = items

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        return list(self._items)


class BrokenPlugin:
    name = "broken_plugin"
    kind: SourceKind = "news"
    cacheable = True

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        raise RuntimeError("plugin exploded\nwith a second line")


def item(title: str, source: str, *, hours_old: float | None = None, **extra: object) -> TrendItem:
    published = NOW - timedelta(hours=hours_old) if hours_old is not None else None
    return TrendItem(title=title, source=source, published_at=published, **extra)  # type: ignore[arg-type]


def test_nothing_configured_means_the_bundled_sample_and_no_http() -> None:
    sources = sources_for(TrendsConfig(), "creator-economy")
    assert [s.name for s in sources] == ["sample"]
    result = collect_trends(
        sources=sources,
        niche="creator-economy",
        keywords=["creators"],
        clock=at(NOW),
        embed=bag_of_words,
        transport=httpx.MockTransport(no_network),
    )
    assert not result.failures and not result.fell_back_to_sample
    assert sorted(s.topic for s in result.signals) == sorted(t["topic"] for t in load_trends())
    assert all(s.kind in {"news", "platform_trending", "hashtag_feed"} for s in result.signals)


def test_failing_sources_come_back_as_failures_and_the_rest_still_count(
    feed_server: FeedServer,
) -> None:
    good = feed_server.serve("/good.xml", RSS_20)
    down = feed_server.serve("/down.xml", "oops", status=500, content_type="text/plain")
    broken = feed_server.serve(
        "/broken.xml", "<rss><channel><item><title>half", content_type="text/xml"
    )
    slow = feed_server.serve("/slow.xml", RSS_20, delay=1.5)
    sources = [RssSource(url=u) for u in (good, down, broken, slow)] + [BrokenPlugin()]

    result = collect_trends(
        sources=sources,
        niche="web3-security",
        keywords=WALLET_WORDS,
        clock=at(NOW),
        embed=bag_of_words,
        timeout=0.5,
    )

    host = feed_server.base.removeprefix("http://")
    errors = {f.source: f.error for f in result.failures}
    assert errors == {
        f"rss:{host}/down.xml": f"rss:{host}/down.xml answered HTTP 500",
        f"rss:{host}/broken.xml": errors.get(f"rss:{host}/broken.xml"),
        f"rss:{host}/slow.xml": f"rss:{host}/slow.xml timed out",
        "broken_plugin": "RuntimeError: plugin exploded",
    }
    assert errors[f"rss:{host}/broken.xml"].startswith(
        f"rss:{host}/broken.xml is not well-formed XML"
    )
    assert [f.source for f in result.failures] == [s.name for s in sources[1:]], "in source order"
    assert all("\n" not in e for e in errors.values())
    assert [s.topic for s in result.signals][:1] == [
        "New drainer kit targets hardware wallet users"
    ]
    assert not result.fell_back_to_sample


def test_when_every_source_fails_the_sample_stands_in(feed_server: FeedServer) -> None:
    down = feed_server.serve("/down.xml", "oops", status=503, content_type="text/plain")
    result = collect_trends(
        sources=[RssSource(url=down)], niche="ai-tools", clock=at(NOW), embed=bag_of_words
    )
    assert result.fell_back_to_sample
    assert len(result.failures) == 1 and "HTTP 503" in result.failures[0].error
    assert {s.source for s in result.signals} == {"sample"}


def test_a_second_collection_the_same_day_does_no_http(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    rss = feed_server.serve("/wallets.xml", RSS_20)
    feed_server.serve("/youtube/v3/videos", youtube_list(), content_type="application/json")
    feed_server.serve("/trending/rss", GOOGLE_TRENDS)
    down = feed_server.serve("/down.xml", "no", status=500, content_type="text/plain")
    sources: list[TrendSource] = [
        RssSource(url=rss),
        YouTubeSource(api_key="k-123456", base_url=feed_server.base),
        GoogleTrendsSource(base_url=feed_server.base),
        RssSource(url=down),
    ]

    def run(when: datetime) -> tuple[list[str], list[str]]:
        result = collect_trends(
            sources=sources,
            niche="ai-tools",
            keywords=["ai", "agents"],
            clock=at(when),
            embed=bag_of_words,
            cache_dir=tmp_path / "cache",
        )
        return [s.topic for s in result.signals], result.cached

    first, cached_first = run(NOW)
    hits = dict(feed_server.hits)
    assert hits == {"/wallets.xml": 1, "/youtube/v3/videos": 1, "/trending/rss": 1, "/down.xml": 1}
    assert cached_first == []

    second, cached_second = run(NOW + timedelta(hours=5))
    assert second == first
    assert set(cached_second) == {s.name for s in sources[:3]}
    assert feed_server.hits["/wallets.xml"] == 1
    assert feed_server.hits["/youtube/v3/videos"] == 1
    assert feed_server.hits["/trending/rss"] == 1
    assert feed_server.hits["/down.xml"] == 2, "a failure is not cached: it is tried again"

    run(NOW + timedelta(days=1))
    assert feed_server.hits["/wallets.xml"] == 2, "a new day fetches again"


def test_cache_hours_zero_turns_the_cache_off(feed_server: FeedServer, tmp_path: Path) -> None:
    rss = feed_server.serve("/wallets.xml", RSS_20)
    for _ in range(2):
        collect_trends(
            sources=[RssSource(url=rss)],
            niche="x",
            clock=at(NOW),
            embed=None,
            cache_dir=tmp_path,
            cache_hours=0,
        )
    assert feed_server.hits["/wallets.xml"] == 2


def test_the_same_story_in_two_feeds_is_one_signal_seen_twice(feed_server: FeedServer) -> None:
    rss = feed_server.serve("/wallets.xml", RSS_20)
    atom = feed_server.serve("/atom.xml", ATOM_10)
    result = collect_trends(
        sources=[RssSource(url=rss), RssSource(url=atom)],
        niche="web3-security",
        keywords=WALLET_WORDS,
        clock=at(NOW),
        embed=bag_of_words,
    )
    drainer = [s for s in result.signals if "drainer" in s.topic.lower()]
    assert len(drainer) == 1, "same link (www, slash and utm aside) is one signal"
    assert drainer[0].also_in == [RssSource(url=atom).name]
    assert drainer[0].repetition == 1.0
    assert (
        drainer[0].link == "https://wallets.example/news/drainer-kit?utm_source=rss&utm_medium=feed"
    )
    assert len(result.signals) == 4  # 3 from RSS + passkeys from Atom


def test_near_same_titles_merge_without_a_shared_link() -> None:
    a = FixedSource("a", [item("Apple unveils the iPhone 18 Pro", "a", link="https://a.example/1")])
    b = FixedSource(
        "b", [item("Apple unveils the iPhone 18 Pro!", "b", link="https://b.example/x")]
    )
    c = FixedSource("c", [item("Apple unveils iPhone 18 Pro Max pricing", "c")])
    result = collect_trends(sources=[a, b, c], niche="x", clock=at(NOW), embed=None)
    assert [(s.topic, s.also_in) for s in result.signals] == [
        ("Apple unveils the iPhone 18 Pro", ["b"]),
        ("Apple unveils iPhone 18 Pro Max pricing", []),
    ]


def test_signals_close_to_the_niche_and_recent_and_repeated_rank_first() -> None:
    news = FixedSource(
        "news",
        [
            item("Banana bread recipe goes viral", "news", hours_old=1),
            item("Wallet phishing wave hits security teams", "news", hours_old=1),
            item("Old wallet security checklist", "news", hours_old=24 * 6),
            item("Fresh wallet security checklist", "news", hours_old=1),
        ],
    )
    other = FixedSource("other", [item("Fresh wallet security checklist", "other", hours_old=2)])
    result = collect_trends(
        sources=[news, other],
        niche="web3-security",
        keywords=WALLET_WORDS,
        clock=at(NOW),
        embed=bag_of_words,
    )
    order = [s.topic for s in result.signals]
    assert order.index("Fresh wallet security checklist") < order.index(
        "Old wallet security checklist"
    )
    assert order[-1] == "Banana bread recipe goes viral"
    fresh = result.signals[order.index("Fresh wallet security checklist")]
    old = result.signals[order.index("Old wallet security checklist")]
    assert fresh.repetition == 1.0 and old.repetition == 0.0
    assert fresh.recency > 0.9 > 0.1 > old.recency
    assert all(0.0 <= s.score <= 1.0 for s in result.signals)
    assert result.signals == sorted(result.signals, key=lambda s: -s.score)


def test_the_default_embedding_is_the_local_model() -> None:
    source = FixedSource(
        "news",
        [
            item("Grandma's banana bread recipe", "news"),
            item("Autonomous AI agents automate customer support", "news"),
        ],
    )
    result = collect_trends(
        sources=[source], niche="ai-tools", keywords=["ai", "automation", "agents"], clock=at(NOW)
    )
    assert result.signals[0].topic == "Autonomous AI agents automate customer support"
    by_topic = {s.topic: s.relevance for s in result.signals}
    assert (
        by_topic["Autonomous AI agents automate customer support"]
        > by_topic["Grandma's banana bread recipe"] + 0.2
    )


def test_a_broken_embedding_is_a_failure_not_a_crash() -> None:
    def broken(texts: list[str]) -> list[list[float]]:
        raise OSError("model files missing")

    result = collect_trends(
        sources=[SampleSource()], niche="ai-tools", keywords=["ai"], clock=at(NOW), embed=broken
    )
    assert [f.source for f in result.failures] == ["embeddings"]
    assert len(result.signals) == 10 and {s.relevance for s in result.signals} == {0.5}


def test_feed_text_is_sanitised_and_capped(feed_server: FeedServer) -> None:
    long_title = "Breaking " + "news " * 200
    doc = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title><![CDATA[<img src=x onerror=alert(1)>{long_title}]]></title>
      <link>https://n.example/a</link>
      <description><![CDATA[<style>p{{}}</style><iframe src="https://evil"></iframe>Body&#8203; text\x01]]></description>
      </item></channel></rss>"""
    url = feed_server.serve("/long.xml", doc)
    result = collect_trends(sources=[RssSource(url=url)], niche="x", clock=at(NOW), embed=None)
    signal = result.signals[0]
    assert len(signal.topic) <= 300 and signal.topic.endswith("…")
    assert "<" not in signal.topic and "onerror" not in signal.topic
    assert signal.summary == "Body text"


@pytest.mark.parametrize("count", [1, 3])
def test_limit_caps_the_signals(count: int) -> None:
    result = collect_trends(
        sources=[SampleSource()], niche="x", clock=at(NOW), embed=None, limit=count
    )
    assert len(result.signals) == count
