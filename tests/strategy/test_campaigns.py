"""A campaign shapes its weeks in code: its topics get slots, its posts carry its CTA, and the
report groups the week's posts by campaign."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from agent.app.runs import start_run
from agent.app.wiring import Wiring, no_memory
from agent.setup.campaigns import add_campaign
from agent.strategy import build_directive_set, decide_week, mentions
from db.engine import transaction
from db.models import CalendarItem, Post, WeeklyReport
from db.repo.identity import get_agent
from tests.cycle.conftest import make_system, set_policy
from tests.cycle.fakes import FakeRender
from tests.strategy.test_decide import _inputs


def test_campaign_topics_get_two_slots_after_the_creators_directives() -> None:
    week = decide_week(_inputs(campaign="Launch", campaign_topics=["passkey migration"]))
    on_campaign = [s for s in week.slots if mentions(s.topic, "passkey migration")]
    assert len(on_campaign) == 2
    assert all(s.reason == "campaign Launch: passkey migration" for s in on_campaign)

    less = build_directive_set([("less_topic", {"topic": "passkey migration"}, "less passkeys")])
    week = decide_week(
        _inputs(campaign="Launch", campaign_topics=["passkey migration"], directives=less)
    )
    assert not [s for s in week.slots if mentions(s.topic, "passkey migration")]


def test_a_campaign_week_is_tied_planned_and_reported_by_campaign(tmp_path: Path) -> None:
    system = make_system(tmp_path, f"sqlite:///{tmp_path / 'twin.db'}")
    set_policy(system, posts_per_week=3)
    with transaction(system.sessions) as session:
        add_campaign(
            session=session,
            agent=get_agent(session=session),
            name="Course launch",
            start="2026-12-07",
            end="2026-12-20",
            goal="200 sign-ups for the security course",
            topics=["wallet security basics"],
            cta="Join the course: link in bio.",
        )
    wiring = Wiring(render=FakeRender(), memory=no_memory)
    outcome = start_run(
        system, auto_approve=True, fast_forward=True, week="2026-W50", wiring=wiring
    )
    assert outcome.status.value == "finished", outcome
    with system.sessions() as session:
        items = list(session.scalars(select(CalendarItem)))
        captions = [p.caption for p in session.scalars(select(Post))]
        report = session.scalars(select(WeeklyReport)).one()
    assert all(i.campaign_id is not None for i in items)
    assert sum(1 for i in items if mentions(i.topic, "wallet security basics")) >= 2
    assert captions and all("Join the course: link in bio." in c for c in captions)
    assert set(report.aggregate_metrics_json["per_campaign"]) == {"Course launch"}
    markdown = Path(report.markdown_uri or "").read_text(encoding="utf-8")
    assert "## By campaign" in markdown and "| Course launch | 3 |" in markdown
    system.dispose()
