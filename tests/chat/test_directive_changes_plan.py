"""A directive given in chat changes the next plan: fast-forward cycles before and after."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import start_run
from db.engine import transaction
from db.models import CalendarItem, ContentCalendar
from db.repo.identity import get_agent, update_agent_policy
from tests.chat.conftest import agreed, saying, wiring


def plan_of(system: Resources, run_id: str) -> list[tuple[int, str]]:
    """(weekday, topic) of every item the run planned."""
    with system.sessions() as session:
        calendar = session.scalars(
            select(ContentCalendar).where(ContentCalendar.run_id == uuid.UUID(run_id))
        ).one()
        items = session.scalars(
            select(CalendarItem).where(CalendarItem.calendar_id == calendar.id)
        ).all()
        return [(i.planned_date.weekday(), i.topic) for i in items]


@pytest.mark.slow
def test_chat_directives_change_the_next_plan(system: Resources) -> None:
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=7)
    before = start_run(
        system, week="2030-W10", fast_forward=True, auto_approve=True, wiring=wiring()
    )
    plan = plan_of(system, before.run_id)
    assert 6 in {day for day, _ in plan}  # a post every day, Sunday included
    topics = [topic.lower() for _, topic in plan]
    # the first week is a balanced design over the trending topics: one post each
    assert "crypto price commentary" in topics and sum("passkey" in t for t in topics) <= 1

    say = saying(system)
    assert agreed(say, "nothing on Sundays").tool_calls == ["add_directive"]
    assert agreed(say, "more passkeys replacing passwords, less crypto price talk").tool_calls == [
        "add_directive"
    ]

    after = start_run(
        system, week="2030-W11", fast_forward=True, auto_approve=True, wiring=wiring()
    )
    new_plan = plan_of(system, after.run_id)
    assert len(new_plan) >= 5 and 6 not in {day for day, _ in new_plan}
    new_topics = [topic.lower() for _, topic in new_plan]
    assert sum("passkey" in t for t in new_topics) >= 2  # "more": at least two slots
    assert not any("crypto price" in t for t in new_topics)
