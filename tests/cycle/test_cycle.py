"""The whole weekly cycle, offline, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.runs import start_run
from agent.app.wiring import chat_model_for
from db.enums import ApprovalStatus, EventType, PublishStatus, RunResult, RunStatus
from db.models import (
    AgentRun,
    AnalyticsSnapshot,
    CalendarItem,
    EventLog,
    Post,
    Script,
    StrategyUpdate,
    VideoReel,
    WeeklyReport,
)
from tests.cycle.conftest import Wire
from tests.cycle.fakes import FakeRender

SEED_13_1_KEYS = {
    "topics_to_increase",
    "topics_to_reduce",
    "platform_timing_updates",
    "tone_adjustments",
    "twin_rotation",
}


def count(system: Resources, model: Any, *where: Any) -> int:
    with system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_fast_forward_week_goes_from_plan_to_strategy(
    system: Resources, wiring: Wire, fake_render: FakeRender
) -> None:
    outcome = start_run(
        system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring()
    )
    assert outcome.status == RunStatus.finished, outcome.error
    assert count(system, CalendarItem) == 3
    assert count(system, Script) == 3
    assert len(fake_render.requests) == 3
    assert all(r.speech.words and r.speech.duration_ms > 1000 for r in fake_render.requests)
    assert count(system, VideoReel, VideoReel.approval_status == ApprovalStatus.auto_approved) == 3
    assert count(system, Post, Post.publish_status == PublishStatus.published) == 3
    assert count(system, AnalyticsSnapshot) == 3
    sandbox_posts = list((system.settings.data_dir / "sandbox").rglob("*.json"))
    assert len(sandbox_posts) == 3
    with system.sessions() as session:
        report = session.scalar(select(WeeklyReport))
        assert report is not None and report.markdown_uri
        text = Path(report.markdown_uri).read_text()
        assert "Weekly report" in text and "views" in text
        assert report.aggregate_metrics_json["totals"]["views"] > 0
        strategy = session.scalar(select(StrategyUpdate))
        assert strategy is not None
        assert set(strategy.adjustments_json) >= SEED_13_1_KEYS  # plus length_adjustments
        run = session.scalar(select(AgentRun))
        assert run is not None and run.result == RunResult.success
        assert run.llm_calls >= 1 + 3 * 2 + 2 and run.input_tokens > 0 and run.output_tokens > 0
        assert {"plan", "script", "captions", "insights", "strategy"} <= set(run.prompt_hashes_json)
        kinds = {
            e for e in session.scalars(select(EventLog.event_type).where(EventLog.run_id == run.id))
        }
    for expected in (
        "plan_created",
        "script_generated",
        "render_started",
        "render_succeeded",
        "publish_scheduled",
        "analytics_collected",
        "strategy_adjusted",
        "node_started",
        "node_finished",
    ):
        assert EventType(expected) in kinds, expected
    assert count(system, EventLog, EventLog.event_type == EventType.publish_succeeded) == 3
    assert outcome.summary["posts"] == {"published": 3}
    assert outcome.summary["report"] == report.markdown_uri


class PromptRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(
        self, serialized: Any, messages: list[list[Any]], **kwargs: Any
    ) -> None:
        self.prompts.append("\n".join(str(m.content) for m in messages[0]))


def _plan_inputs(recorder: PromptRecorder) -> dict[str, Any]:
    plan = next(p for p in recorder.prompts if "Write the words for the week" in p)
    return dict(json.loads(plan.split("<inputs>")[1].split("</inputs>")[0]))


def test_next_weeks_planning_reads_the_strategy_update(
    sqlite_system: Resources, wiring: Wire
) -> None:
    start_run(sqlite_system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring())
    with sqlite_system.sessions() as session:
        strategy = session.scalar(select(StrategyUpdate))
        assert strategy is not None
        adjustments = strategy.adjustments_json
    recorder = PromptRecorder()
    model = chat_model_for(sqlite_system.settings).model_copy(update={"callbacks": [recorder]})
    start_run(
        sqlite_system,
        auto_approve=True,
        fast_forward=True,
        week="2026-W49",
        wiring=wiring(chat_model=model),
    )
    inputs = _plan_inputs(recorder)
    assert inputs["strategy"]["adjustments"] == adjustments
    assert all("weighted posts taught" in s["why"] for s in inputs["slots"]), (
        "the week is drawn from the evidence"
    )


def test_directives_beat_learned_preferences(sqlite_system: Resources, wiring: Wire) -> None:
    from agent.strategy.directives import parse_directive
    from db.engine import transaction
    from db.repo.identity import get_agent
    from db.repo.planning import add_directive

    start_run(sqlite_system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring())
    with sqlite_system.sessions() as session:
        strategy = session.scalar(select(StrategyUpdate))
        assert strategy is not None
        favourite = (strategy.adjustments_json["topics_to_increase"] or ["Creator AI tools"])[0]
    with transaction(sqlite_system.sessions) as session:
        agent = get_agent(session=session)
        for text in (f"less {favourite}", "nothing on Mondays", "nothing on Tuesdays"):
            for kind, value in parse_directive(text, twin_names=["Space Twin"]):
                add_directive(session=session, agent_id=agent.id, kind=kind, value=value, text=text)
    start_run(sqlite_system, auto_approve=True, fast_forward=True, week="2026-W49", wiring=wiring())
    with sqlite_system.sessions() as session:
        items = list(
            session.scalars(
                select(CalendarItem).where(CalendarItem.planned_date >= parse_date("2026-11-30"))
            )
        )
    assert len(items) == 3
    assert all(i.planned_date.weekday() not in (0, 1) for i in items)
    assert all(favourite.lower() not in i.topic.lower() for i in items)


def parse_date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def test_policy_limits_posts_per_day(sqlite_system: Resources, wiring: Wire) -> None:
    from tests.cycle.conftest import set_policy

    set_policy(sqlite_system, posts_per_week=6, max_posts_per_day=1)
    start_run(sqlite_system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring())
    with sqlite_system.sessions() as session:
        days = [i.planned_date for i in session.scalars(select(CalendarItem))]
    assert len(days) == 6 and len(set(days)) == 6


def test_a_failing_render_fails_one_item_not_the_week(
    sqlite_system: Resources, wiring: Wire
) -> None:
    render = FakeRender()
    calls = {"n": 0}

    def flaky(request: Any, progress: Any = None) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            render.fail_titles.add(request.title)
        return render(request, progress)

    outcome = start_run(
        sqlite_system,
        auto_approve=True,
        fast_forward=True,
        week="2026-W48",
        wiring=wiring(render=flaky),
    )
    assert outcome.status == RunStatus.finished
    assert outcome.summary["failures"] and "corrupt image" in outcome.summary["failures"][0]
    assert count(sqlite_system, Post, Post.publish_status == PublishStatus.published) == 2
    from db.models import ErrorLog, RenderJob

    assert count(sqlite_system, ErrorLog) == 1
    assert count(sqlite_system, RenderJob, RenderJob.status == "failed") == 1
    with sqlite_system.sessions() as session:
        run = session.scalar(select(AgentRun))
        assert run is not None and run.result == RunResult.partial_success


def test_a_twin_from_real_likeness_without_consent_is_refused_per_item(
    sqlite_system: Resources, wiring: Wire
) -> None:
    from db.engine import transaction
    from db.models import AITwin

    with transaction(sqlite_system.sessions) as session:
        for twin in session.scalars(select(AITwin)):
            twin.uses_real_likeness = True
    outcome = start_run(
        sqlite_system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring()
    )
    assert outcome.status == RunStatus.finished
    assert len(outcome.summary["failures"]) == 3
    assert all("likeness_modeling" in f for f in outcome.summary["failures"])
    assert count(sqlite_system, EventLog, EventLog.event_type == EventType.consent_refused) == 3
    assert count(sqlite_system, Post) == 0


def test_the_model_writes_inside_a_week_decided_from_trends_hooks_and_policy(
    sqlite_system: Resources, wiring: Wire
) -> None:
    from agent.app.bootstrap import HOOKS
    from tools.trends import load_trends

    recorder = PromptRecorder()
    model = chat_model_for(sqlite_system.settings).model_copy(update={"callbacks": [recorder]})
    start_run(
        sqlite_system,
        auto_approve=True,
        fast_forward=True,
        week="2026-W48",
        wiring=wiring(chat_model=model),
    )
    inputs = _plan_inputs(recorder)
    assert inputs["niche"] == "creator-economy" and inputs["language"] == "en"
    assert [s["slot"] for s in inputs["slots"]] == [0, 1, 2]  # the policy's three posts a week
    trends = {t["topic"]: t for t in load_trends()}
    templates = {t for _, _, t in HOOKS}
    for slot in inputs["slots"]:
        assert (
            slot["topic"] in trends and slot["trend_tags"] == trends[slot["topic"]]["related_tags"]
        )
        assert slot["hook_template"] in templates and slot["why"]
    assert inputs["twins"] == [{"name": "Space Twin", "style": "space"}]
