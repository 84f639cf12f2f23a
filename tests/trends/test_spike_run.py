"""A trend spike starts one extra reel mid-week: planned on the spiking topic, always waiting
for a person's approval, at most one a day, and never a second plan of the week."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import decisions_payload, pending_review, resume_run
from agent.scheduling.job_context import JobRuntime
from agent.scheduling.spikes import trend_watch_job
from agent.schemas import ReelDecision
from agent.strategy.weeks import week_key
from db.engine import transaction
from db.enums import RunStatus, TriggerType
from db.models import AgentRun, CalendarItem, WeeklyReport
from db.repo.identity import get_agent
from db.repo.trends import upsert_signals
from tests.cycle.conftest import make_system, set_policy
from tests.scheduler.conftest import MovableClock, runtime_for
from tests.trends.conftest import FeedServer
from tests.trends.test_storage import signal

NICHE = "web3-security"
WEDNESDAY = datetime(2030, 3, 6, 10, 0, tzinfo=UTC)
"""The worker's clock: a week still ahead of the real clock, so the run has slots to fill."""
TITLES = (
    "New drainer kit targets hardware wallet users",
    "Wallet security checklist for web3 users",
)


def _feed(now: datetime) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>https://wallets.example/news/{n}</link>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n + 1))}</pubDate>"
        f"<description>{title}: what web3 security teams say about wallets.</description></item>"
        for n, title in enumerate(TITLES)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Wallet Watch</title><link>https://wallets.example/</link>{items}</channel></rss>"
    )


@pytest.fixture
def spiking(tmp_path: Path, feed_server: FeedServer) -> tuple[Resources, JobRuntime]:
    now = WEDNESDAY
    url = feed_server.serve("/wallets.xml", _feed(now))
    system = make_system(tmp_path, f"sqlite:///{tmp_path / 'twin.db'}", trends_feeds=[url])
    set_policy(system, posts_per_week=3, niche=NICHE)
    with transaction(system.sessions) as session:
        for back in range(1, 15):  # two quiet weeks before today
            upsert_signals(
                session=session,
                niche=NICHE,
                day=now.date() - timedelta(days=back),
                signals=[signal(f"quiet {back}", 0.10 + 0.01 * (back % 3))],
            )
    return system, runtime_for(system, MovableClock(now))


def _runs(system: Resources) -> list[AgentRun]:
    with system.sessions() as session:
        return list(session.scalars(select(AgentRun).order_by(AgentRun.started_at)))


def test_a_spike_makes_one_extra_reel_that_waits_for_a_person(
    spiking: tuple[Resources, JobRuntime],
) -> None:
    system, runtime = spiking
    set_policy(system, approval_mode="autonomous")  # even so, a spike's reel is reviewed
    with system.sessions() as session:
        agent_id = str(get_agent(session=session).id)
    said = trend_watch_job(agent_id, scheduled_at=runtime.clock.now(), runtime=runtime)
    assert "trend spike '" in said and "waits for review" in said, said
    [run] = _runs(system)
    assert run.trigger_type == TriggerType.trend_spike
    assert run.status == RunStatus.waiting_review
    assert run.week_key == week_key(runtime.clock.now().date())
    with system.sessions() as session:
        [item] = session.scalars(select(CalendarItem))
    assert item.topic in TITLES and f"trend spike {item.topic!r}" in said

    # the same day again: one extra reel a day, and the waiting one is not disturbed
    again = trend_watch_job(agent_id, scheduled_at=runtime.clock.now(), runtime=runtime)
    assert "no extra reel now" in again or "made already" in again, again
    assert len(_runs(system)) == 1

    review = pending_review(system, run.id)
    assert review is not None
    decisions = [ReelDecision(reel_id=r["reel_id"], action="approve") for r in review["reels"]]
    outcome = resume_run(
        system,
        str(run.id),
        decisions=decisions_payload(review, decisions, "creator"),
        wiring=runtime.wiring,
    )
    assert outcome.status == RunStatus.finished, outcome
    with system.sessions() as session:  # the week's own run analyses it; no report here
        assert session.scalars(select(WeeklyReport)).first() is None
    # the extra reel is not a plan of the week: the weekly run may still plan it
    from agent.app.runs import start_run

    weekly = start_run(system, week=run.week_key, wiring=runtime.wiring)
    assert weekly.status in (RunStatus.waiting_review, RunStatus.finished)
    assert uuid.UUID(weekly.run_id) != run.id
