"""Each node on its own, called the way LangGraph calls it, with fakes; and each is safe to re-run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from langgraph.runtime import Runtime
from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.wiring import Wiring, build_context, no_memory
from agent.context import Context, FastForwardClock
from agent.nodes import (
    adapting_node,
    analyzing_node,
    creating_node,
    planning_node,
    publishing_node,
    review_node,
)
from agent.state import CycleState
from db.engine import transaction
from db.enums import ApprovalStatus, PublishStatus, TriggerType
from db.models import (
    AnalyticsSnapshot,
    CalendarItem,
    ContentCalendar,
    Post,
    Script,
    StrategyUpdate,
    VideoReel,
    WeeklyReport,
)
from db.repo.identity import get_agent
from db.repo.runs import create_run
from tests.cycle.fakes import FakeRender

WEEK = "2026-W48"


def count(ctx: Context, model: Any) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def world(sqlite_system: Resources) -> tuple[CycleState, Runtime[Context]]:
    with transaction(sqlite_system.sessions) as session:
        agent = get_agent(session=session)
        run = create_run(
            session=session, agent_id=agent.id, trigger_type=TriggerType.manual, week_key=WEEK
        )
        state: CycleState = {
            "run_id": str(run.id),
            "agent_id": str(agent.id),
            "week": WEEK,
            "auto_approve": True,
        }
    clock = FastForwardClock(start=datetime(2026, 11, 22, 9, tzinfo=UTC))
    ctx = build_context(
        sqlite_system,
        Wiring(render=FakeRender(), memory=no_memory),
        clock=clock,
        agent_id=state["agent_id"],
    )
    return state, Runtime(context=ctx)


def step(node: Any, state: CycleState, runtime: Runtime[Context]) -> CycleState:
    update = node(state, runtime=runtime)
    merged: dict[str, Any] = {**state, **update}
    merged["failures"] = [*state.get("failures", []), *update.get("failures", [])]
    return merged  # type: ignore[return-value]


def test_planning_writes_the_calendar_once(world: tuple[CycleState, Runtime[Context]]) -> None:
    state, runtime = world
    first = step(planning_node, state, runtime)
    assert len(first["item_ids"]) == 3 and count(runtime.context, CalendarItem) == 3
    again = step(planning_node, state, runtime)
    assert (
        again["calendar_id"] == first["calendar_id"]
        and count(runtime.context, ContentCalendar) == 1
    )


def test_creating_makes_one_reel_per_item_and_reuses_them(
    world: tuple[CycleState, Runtime[Context]],
) -> None:
    state, runtime = world
    state = step(planning_node, state, runtime)
    made = step(creating_node, state, runtime)
    assert len(made["reel_ids"]) == 3 and not made["failures"]
    with runtime.context.sessions() as session:
        reels = list(session.scalars(select(VideoReel)))
        assert all(
            r.quality_score is not None and r.platform_captions_json["sandbox"]["caption"]
            for r in reels
        )
        assert all(len(r.platform_captions_json["sandbox"]["hashtags"]) <= 30 for r in reels)
    again = step(creating_node, state, runtime)
    assert again["reel_ids"] == made["reel_ids"]
    assert count(runtime.context, Script) == 3 and count(runtime.context, VideoReel) == 3


def test_review_auto_approves_without_asking_when_told(
    world: tuple[CycleState, Runtime[Context]],
) -> None:
    state, runtime = world
    state = step(creating_node, step(planning_node, state, runtime), runtime)
    reviewed = step(review_node, state, runtime)
    assert reviewed["undecided"] == 0 and not reviewed.get("revise")
    with runtime.context.sessions() as session:
        assert {r.approval_status for r in session.scalars(select(VideoReel))} == {
            ApprovalStatus.auto_approved
        }


def test_publishing_analyzing_adapting_are_safe_to_rerun(
    world: tuple[CycleState, Runtime[Context]],
) -> None:
    state, runtime = world
    for node in (planning_node, creating_node, review_node):
        state = step(node, state, runtime)
    published = step(publishing_node, state, runtime)
    step(publishing_node, state, runtime)
    ctx = runtime.context
    with ctx.sessions() as session:
        posts = list(session.scalars(select(Post)))
    assert len(posts) == 3 and {p.publish_status for p in posts} == {PublishStatus.published}
    analysed = step(analyzing_node, published, runtime)
    again = step(analyzing_node, published, runtime)
    assert again["outcomes"] == analysed["outcomes"] and count(ctx, AnalyticsSnapshot) == 3
    assert len(analysed["outcomes"]["outcomes"]) == 3
    adapted = step(adapting_node, analysed, runtime)
    twice = step(adapting_node, analysed, runtime)
    assert twice["report_id"] == adapted["report_id"] and count(ctx, WeeklyReport) == 1
    assert count(ctx, StrategyUpdate) == 1
    with ctx.sessions() as session:
        strategy = session.get(StrategyUpdate, uuid.UUID(adapted["strategy_id"]))
        assert strategy is not None and strategy.source_report_id is not None
