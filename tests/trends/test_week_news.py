"""A week with feeds configured plans at least two of its videos on their news and cites them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from agent.app.runs import start_run
from agent.app.wiring import Wiring, no_memory
from agent.strategy import TrendCandidate, decide_week
from agent.strategy.decide import MIN_NEWS_SLOTS
from db.models import CalendarItem, Post
from tests.cycle.conftest import make_system, set_policy
from tests.cycle.fakes import FakeRender
from tests.strategy.test_decide import TOPICS, _inputs
from tests.trends.conftest import FeedServer
from tests.trends.documents import ATOM_10

CLEAN_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Wallet Watch</title><link>https://wallets.example/</link><description>News</description>
  <item>
    <title>New drainer kit targets hardware wallet users</title>
    <link>https://wallets.example/news/drainer-kit</link>
    <pubDate>Sun, 06 Dec 2026 09:30:00 +0000</pubDate>
    <description>A phishing kit drains wallets through a fake firmware update.</description>
  </item>
  <item>
    <title>Seed phrase hygiene: five habits</title>
    <link>https://wallets.example/news/seed-habits</link>
    <pubDate>Sat, 05 Dec 2026 12:00:00 +0000</pubDate>
    <description>Write it down twice and keep it offline.</description>
  </item>
</channel></rss>
"""


def test_news_items_get_at_least_two_slots_even_when_the_sample_scores_higher() -> None:
    news = [
        TrendCandidate(
            topic="Passkeys arrive in two more browsers",
            score=0.1,
            news=True,
            link="https://news.example/passkeys",
            source="rss:news.example",
        ),
        TrendCandidate(
            topic="New drainer kit targets wallets",
            score=0.2,
            news=True,
            link="https://news.example/drainer",
            source="rss:news.example",
        ),
    ]
    sample = [TrendCandidate(topic=t, score=0.9) for t in TOPICS]
    week = decide_week(_inputs(trends=[*sample, *news]))
    on_news = [s for s in week.slots if s.trend is not None and s.trend.news]
    assert len(on_news) >= MIN_NEWS_SLOTS
    # without news items nothing is forced
    plain = decide_week(_inputs(trends=sample))
    assert all(s.trend is None or not s.trend.news for s in plain.slots)


def test_a_creators_reduce_directive_keeps_news_off_that_topic() -> None:
    from agent.strategy import build_directive_set

    news = [
        TrendCandidate(
            topic="Crypto price crash today", score=0.1, news=True, link="https://n.example/c"
        )
    ]
    directives = build_directive_set(
        [("less_topic", {"topic": "crypto price"}, "less crypto price")]
    )
    week = decide_week(
        _inputs(
            trends=[TrendCandidate(topic=t, score=0.9) for t in TOPICS] + news,
            directives=directives,
        )
    )
    assert all(s.topic != "Crypto price crash today" for s in week.slots)


def test_a_week_with_feeds_plans_two_videos_on_their_news_and_links_them(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    rss = feed_server.serve("/wallets.xml", CLEAN_RSS)
    atom = feed_server.serve("/atom.xml", ATOM_10)
    system = make_system(tmp_path, f"sqlite:///{tmp_path / 'twin.db'}", trends_feeds=[rss, atom])
    set_policy(system, posts_per_week=3)
    wiring = Wiring(render=FakeRender(), memory=no_memory)
    outcome = start_run(
        system, auto_approve=True, fast_forward=True, week="2026-W50", wiring=wiring
    )
    assert outcome.status.value == "finished", outcome
    with system.sessions() as session:
        topics = [i.topic for i in session.scalars(select(CalendarItem))]
        captions = [p.caption for p in session.scalars(select(Post))]
    feed_titles = ("New drainer kit", "Passkeys arrive", "Seed phrase hygiene")
    on_news = [t for t in topics if t.startswith(feed_titles)]
    assert len(on_news) >= 2, topics
    links = ("https://wallets.example/news/", "https://digest.example/")
    cited = [c for c in captions if any(f"Source: {link}" in c for link in links)]
    assert len(cited) >= len(on_news), captions
    system.dispose()
