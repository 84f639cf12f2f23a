"""trend_signals with source, link and niche, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from agent.settings import load_settings
from agent.trends.feed import collect_niche_trends, report_trend_lines
from db import migrate
from db.engine import build_engine
from db.models import Niche, TrendSignal
from db.repo import planning
from db.repo.trends import day_start, recent_signals, score_history, upsert_signals
from tests.trends.conftest import FeedServer, bag_of_words
from tests.trends.documents import ATOM_10, NOW, RSS_20
from tools.trends import ScoredSignal

DAY = NOW.date()


def signal(topic: str, score: float, **extra: object) -> ScoredSignal:
    values: dict[str, object] = {
        "kind": "news",
        "source": "rss:news.example/feed",
        "source_title": "News Example",
        "link": f"https://news.example/{topic.lower().replace(' ', '-')}",
        "recency": 0.5,
        "repetition": 0.0,
        "relevance": 0.5,
        "popularity": 0.5,
    }
    values.update(extra)
    return ScoredSignal(topic=topic, score=score, **values)  # type: ignore[arg-type]


def test_migration_0005_adds_source_link_and_niche_and_goes_back(db_url: str) -> None:
    engine = build_engine(db_url)
    migrate.upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("trend_signals")}
    assert {"source_name", "link", "niche"} <= columns
    with sessionmaker(engine).begin() as session:
        upsert_signals(session=session, niche="ai-tools", day=DAY, signals=[signal("Agents", 0.7)])
        upsert_signals(
            session=session, niche="web3-security", day=DAY, signals=[signal("Agents", 0.4)]
        )
        planning.upsert_trends(
            session=session,
            trends=[{"topic": "Legacy topic", "score": 0.5, "source": "news"}],
            collected_at=day_start(DAY),
        )

    migrate.downgrade(engine, "0002")
    columns = {c["name"] for c in inspect(engine).get_columns("trend_signals")}
    assert not {"source_name", "link", "niche"} & columns
    with engine.connect() as conn:
        topics = conn.execute(text("SELECT topic FROM trend_signals")).scalars().all()
    assert topics == ["Legacy topic"], "signals without a niche survive the downgrade"

    migrate.upgrade(engine)
    assert migrate.schema_drift(engine) == []
    with sessionmaker(engine)() as session:
        legacy = session.scalar(select(TrendSignal))
        assert legacy is not None and legacy.niche == "" and legacy.link is None
    engine.dispose()


def test_a_days_signals_upsert_idempotently_per_niche(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = upsert_signals(
            session=session,
            niche="ai-tools",
            day=DAY,
            signals=[signal("Agents at work", 0.6), signal("Prompt tips", 0.5)],
        )
        assert [r.link for r in first] == [
            "https://news.example/agents-at-work",
            "https://news.example/prompt-tips",
        ]
    with sessions.begin() as session:
        again = upsert_signals(
            session=session,
            niche="ai-tools",
            day=DAY,
            signals=[signal("Agents at work", 0.8, link="https://news.example/updated")],
        )
        upsert_signals(
            session=session, niche="productivity", day=DAY, signals=[signal("Agents at work", 0.3)]
        )
    with sessions() as session:
        rows = session.scalars(
            select(TrendSignal).where(TrendSignal.niche == "ai-tools").order_by(TrendSignal.topic)
        ).all()
        assert [(r.topic, r.score) for r in rows] == [("Agents at work", 0.8), ("Prompt tips", 0.5)]
        assert rows[0].id == again[0].id
        assert rows[0].link == "https://news.example/updated"
        assert rows[0].source_name == "rss:news.example/feed"
        assert rows[0].metadata_json["source_title"] == "News Example"
        assert rows[0].collected_at == datetime(2026, 12, 7, tzinfo=UTC)
        assert session.scalar(select(func.count()).select_from(TrendSignal)) == 3


def test_score_history_is_the_trailing_window_without_today(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        for back, score in [(0, 0.9), (1, 0.4), (5, 0.3), (40, 0.2)]:
            upsert_signals(
                session=session,
                niche="ai-tools",
                day=DAY - timedelta(days=back),
                signals=[signal(f"topic {back}", score)],
            )
        upsert_signals(
            session=session, niche="other", day=DAY - timedelta(days=1), signals=[signal("x", 0.99)]
        )
    with sessions() as session:
        assert sorted(score_history(session=session, niche="ai-tools", before=DAY)) == [0.3, 0.4]
        assert score_history(session=session, niche="ai-tools", before=DAY, days=2) == [0.4]
        best = recent_signals(
            session=session, niche="ai-tools", since=day_start(DAY - timedelta(days=7))
        )
        assert [r.topic for r in best] == ["topic 0", "topic 1", "topic 5"]


def _seed_niche(session: Session) -> None:
    session.add(
        Niche(slug="web3-security", name="Web3 security", keywords=["web3", "security", "wallets"])
    )


def test_collecting_a_niche_stores_signals_with_source_and_link_and_flags_spikes(
    sessions: sessionmaker[Session],
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    rss = feed_server.serve("/wallets.xml", RSS_20)
    atom = feed_server.serve("/atom.xml", ATOM_10)
    down = feed_server.serve("/down.xml", "no", status=500, content_type="text/plain")
    monkeypatch.setenv("TWIN_TRENDS_FEEDS", f"{rss},{atom},{down}")
    settings = load_settings(data_dir=tmp_path / "data")
    with sessions.begin() as session:
        _seed_niche(session)
        for back in range(1, 15):  # two quiet weeks
            upsert_signals(
                session=session,
                niche="web3-security",
                day=DAY - timedelta(days=back),
                signals=[signal(f"quiet {back}", 0.20 + 0.01 * (back % 3))],
            )

    with sessions.begin() as session:
        result = collect_niche_trends(
            settings=settings,
            session=session,
            niche="web3-security",
            clock=lambda: NOW,
            embed=bag_of_words,
        )
    collected = result.collected
    assert [f.source for f in collected.failures] == [f"rss:{feed_server.base[7:]}/down.xml"]
    drainer = collected.signals[0]
    assert drainer.topic == "New drainer kit targets hardware wallet users"
    assert drainer.also_in == [f"rss:{feed_server.base[7:]}/atom.xml"]
    assert [s.signal.topic for s in result.spikes][:1] == [drainer.topic]

    with sessions() as session:
        stored = session.scalars(
            select(TrendSignal).where(
                TrendSignal.niche == "web3-security", TrendSignal.collected_at == day_start(DAY)
            )
        ).all()
        by_topic = {r.topic: r for r in stored}
        assert len(stored) == len(collected.signals) == 4
        row = by_topic[drainer.topic]
        assert row.source.value == "news"
        assert row.source_name == f"rss:{feed_server.base[7:]}/wallets.xml"
        assert row.link == "https://wallets.example/news/drainer-kit?utm_source=rss&utm_medium=feed"
        assert row.metadata_json["spike"]["z"] >= 3.5
        lines = report_trend_lines(
            session=session,
            niche="web3-security",
            since=day_start(DAY),
            until=day_start(DAY + timedelta(days=1)),
        )
    assert lines[0].topic == drainer.topic
    assert lines[0].source == "Wallet Watch & Friends"
    assert lines[0].link == row.link and lines[0].spike

    with sessions.begin() as session:  # the same day again: cached, and no duplicate rows
        again = collect_niche_trends(
            settings=settings,
            session=session,
            niche="web3-security",
            clock=lambda: NOW + timedelta(hours=2),
            embed=bag_of_words,
        )
    assert set(again.collected.cached) == {
        f"rss:{feed_server.base[7:]}/wallets.xml",
        f"rss:{feed_server.base[7:]}/atom.xml",
    }
    assert feed_server.hits["/wallets.xml"] == 1
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(TrendSignal)
            .where(TrendSignal.collected_at == day_start(DAY))
        )
    assert count == 4


def test_bad_trend_settings_fall_back_to_the_sample_with_a_failure(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TWIN_TRENDS_NICHES_FILE", str(tmp_path / "missing.toml"))
    settings = load_settings(data_dir=tmp_path / "data")
    with sessions.begin() as session:
        result = collect_niche_trends(
            settings=settings, session=session, niche="ai-tools", clock=lambda: NOW, embed=None
        )
    assert result.collected.failures[0].source == "settings"
    assert "TWIN_TRENDS_NICHES_FILE" in result.collected.failures[0].error
    assert len(result.rows) == 10


def test_day_start_is_midnight_utc() -> None:
    assert day_start(date(2026, 12, 7)) == datetime(2026, 12, 7, tzinfo=UTC)
