"""Scheduled weeks spread over a window by agent id, and the fleet-wide token bucket."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from agent.app.resources import Resources
from agent.fleet import SpreadTrigger, parse_duration, parse_rate, spread_offset
from agent.fleet.bucket import FleetRateLimiter, TokenBucket
from agent.scheduling import describe, planned_week, update_schedule
from agent.settings import SettingsError, load_settings
from db.engine import transaction
from db.models import RateBucket
from db.repo.identity import get_agent
from tests.scheduler.conftest import MovableClock, make_system

MONDAY_NINE = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def test_each_agent_keeps_one_place_in_the_window_and_a_fleet_spreads_over_it() -> None:
    ids = [uuid.UUID(int=n * 7919 + 1) for n in range(200)]
    offsets = [spread_offset(agent_id, 7200) for agent_id in ids]
    assert offsets == [spread_offset(agent_id, 7200) for agent_id in ids]  # same id, same place
    assert all(timedelta(0) <= o < timedelta(hours=2) for o in offsets)
    in_each_quarter = [
        sum(q * 1800 <= o.total_seconds() < (q + 1) * 1800 for o in offsets) for q in range(4)
    ]
    assert min(in_each_quarter) > 30, in_each_quarter  # not all at one minute
    assert spread_offset(ids[0], 0) == timedelta(0)


def test_a_spread_trigger_fires_at_the_slot_plus_the_offset_and_keeps_the_slots_week() -> None:
    from apscheduler.triggers.cron import CronTrigger

    # Sunday 23:30 slot: a 2 h spread moves the start into Monday, the week planned stays the slot's.
    cron = CronTrigger.from_crontab("30 23 * * sun", timezone=UTC)
    trigger = SpreadTrigger(cron, timedelta(minutes=90))
    fired = trigger.get_next_fire_time(None, datetime(2030, 3, 1, tzinfo=UTC))
    assert fired == datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(fired, fired) == datetime(2030, 3, 11, 1, 0, tzinfo=UTC)
    assert planned_week(fired - timedelta(minutes=90), "UTC") == planned_week(
        datetime(2030, 3, 3, 23, 30, tzinfo=UTC), "UTC"
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("0", 0.0), ("90", 90.0), ("90s", 90.0), ("30m", 1800.0), ("2h", 7200.0)]
)
def test_spread_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_spreads_and_rates_are_refused_as_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value, hint in [
        ("TWIN_SCHEDULE_SPREAD", "soon", "is not a duration"),
        ("TWIN_SCHEDULE_SPREAD", "2d", "is not a duration"),
        ("TWIN_SCHEDULE_SPREAD", "25h", "longer than a day"),
        ("TWIN_LLM_FLEET_RATE", "fast", "is not a rate"),
        ("TWIN_TTS_FLEET_RATE", "0/m", "is not a rate"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(SettingsError, match=hint):
            load_settings()
        monkeypatch.delenv(name)
    assert parse_rate("120/m").per_second == 2.0


def test_the_schedule_shows_each_agent_at_its_spread_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWIN_SCHEDULE_SPREAD", "2h")
    system = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    try:
        with transaction(system.sessions) as session:
            agent = get_agent(session=session)
            update_schedule(
                session,
                agent,
                cron="0 9 * * MON",
                timezone="UTC",
                now=MONDAY_NINE - timedelta(days=3),
            )
            agent_id = agent.id
        [row] = describe(system, clock=MovableClock(MONDAY_NINE - timedelta(days=1)))
        assert row.next_run == MONDAY_NINE + spread_offset(agent_id, 7200)
        assert row.next_run != MONDAY_NINE
    finally:
        system.dispose()


class Ticking:
    """A wall clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def test_every_process_draws_from_one_bucket(sessions: sessionmaker[Session]) -> None:
    clock = Ticking()
    # two limiters, as two workers would have, on the same row: 60 per minute, a burst of 60
    workers = [
        TokenBucket(sessions, "llm", parse_rate("60/m"), now=lambda: clock.now, sleep=clock.sleep)
        for _ in range(2)
    ]
    for n in range(60):
        assert workers[n % 2].take(blocking=False)
    assert not workers[0].take(blocking=False) and not workers[1].take(blocking=False)
    assert workers[1].take()  # waits for the next token: one second at one per second
    assert clock.slept == [pytest.approx(1.0)]
    with sessions() as session:
        row = session.get(RateBucket, "llm")
        assert row is not None and row.tokens == pytest.approx(0.0)


def test_a_chat_model_with_the_fleet_limiter_takes_a_token_per_request(tmp_path: Path) -> None:
    system = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    try:
        _three_requests(system)
    finally:
        system.dispose()


def _three_requests(system: Resources) -> None:
    from langchain_core.messages import HumanMessage

    from agent.app.wiring import chat_model_for, fleet_limiter

    limiter = fleet_limiter(system, "llm", "5/h")
    assert isinstance(limiter, FleetRateLimiter)
    model = chat_model_for(system.settings, rate_limiter=limiter)
    for _ in range(3):
        model.invoke([HumanMessage("hello")])
    with system.sessions() as session:
        row = session.get(RateBucket, "llm")
        assert row is not None and row.tokens == pytest.approx(2.0, abs=0.01)
    assert fleet_limiter(system, "llm", "") is None
