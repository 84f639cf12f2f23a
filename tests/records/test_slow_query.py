"""The slow-query hook: events above the threshold, written outside the caller's transaction."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text

from db.engine import build_engine
from db.migrate import upgrade
from db.models import EventLog
from db.timing import flush_slow_queries

TINY_MS = 0.0001


def _slow_events(engine: Engine) -> list[EventLog]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return list(session.scalars(select(EventLog).where(EventLog.event_type == "slow_query")))


@pytest.fixture
def timed(db_url: str) -> Iterator[Engine]:
    plain = build_engine(db_url)
    upgrade(plain)
    plain.dispose()
    engine = build_engine(db_url, slow_query_ms=TINY_MS)
    yield engine
    flush_slow_queries(engine)
    engine.dispose()


def test_statements_over_the_threshold_become_events_without_their_parameters(
    timed: Engine,
) -> None:
    with timed.connect() as conn:
        conn.execute(text("SELECT :secret AS s"), {"secret": "hunter2-parameter"})
    assert flush_slow_queries(timed)
    events = _slow_events(timed)
    assert events, "a statement over a tiny threshold is recorded"
    mine = [e for e in events if "AS s" in e.meta_json["statement"]]
    assert len(mine) == 1
    assert mine[0].meta_json["threshold_ms"] == TINY_MS and mine[0].meta_json["ms"] > 0
    assert mine[0].subject_type.value == "system"
    assert all("hunter2" not in e.message + str(e.meta_json) for e in events)


def test_recording_does_not_record_itself(timed: Engine) -> None:
    with timed.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert flush_slow_queries(timed)
    with timed.connect().execution_options(twin_untimed=True) as conn:
        before = conn.scalar(select(func.count()).select_from(EventLog))
    time.sleep(0.2)
    assert flush_slow_queries(timed)
    with timed.connect().execution_options(twin_untimed=True) as conn:
        assert conn.scalar(select(func.count()).select_from(EventLog)) == before


def test_slow_statements_inside_a_write_transaction_never_wait_for_their_record(
    timed: Engine,
) -> None:
    """On SQLite the writer needs the lock this transaction holds: it must not be awaited."""
    started = time.monotonic()
    with timed.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO event_logs (id, event_type, subject_type, message, created_at, "
                "meta_json) VALUES (:id, 'error', 'system', 'held', :at, '{}')"
            ),
            {"id": uuid.uuid4().hex, "at": "2030-01-01 00:00:00"},
        )
        for _ in range(20):
            conn.execute(text("SELECT count(*) FROM event_logs"))
    assert time.monotonic() - started < 5, "the transaction was held up by its own timing"
    assert flush_slow_queries(timed, timeout=60)
    statements = [e.meta_json["statement"] for e in _slow_events(timed)]
    assert sum("SELECT count(*) FROM event_logs" in s for s in statements) == 20


def test_a_high_threshold_records_nothing(db_url: str) -> None:
    plain = build_engine(db_url)
    upgrade(plain)
    plain.dispose()
    engine = build_engine(db_url, slow_query_ms=60_000)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert flush_slow_queries(engine)
        assert _slow_events(engine) == []
    finally:
        engine.dispose()
