"""Start and resume weekly runs: one run = one LangGraph thread = one agent_runs row."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.wiring import Wiring, build_context, checkpointer
from agent.context import Clock, FastForwardClock, SystemClock
from agent.errors import USER_ERRORS, RunError, RunInterrupted
from agent.graph import build_graph
from agent.llm import LLMError
from agent.strategy.weeks import next_week, parse_week, week_key
from db.engine import transaction
from db.enums import (
    AgentState,
    ErrorScope,
    PublishStatus,
    RunResult,
    RunStatus,
    Severity,
    TriggerType,
)
from db.models import AgentRun, MediaAsset, Post, VideoReel, WeeklyReport
from db.repo.identity import get_agent
from db.repo.runs import create_run, get_run, log_error, set_agent_state


@dataclass
class RunOutcome:
    run_id: str
    status: RunStatus
    week: str
    review: dict[str, Any] | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def default_week(system: Resources, agent_id: uuid.UUID, now: datetime) -> str:
    """The week after this agent's latest planned week, and never before next week."""
    upcoming = week_key((now + timedelta(days=7)).date())
    with system.sessions() as session:
        latest = session.scalar(
            select(func.max(AgentRun.week_key)).where(AgentRun.agent_id == agent_id, AgentRun.status != RunStatus.error)
        )
    if latest and parse_week(next_week(latest)) > parse_week(upcoming):
        return next_week(latest)
    return upcoming


def simulated_start(week: str) -> datetime:
    """Where a fast-forwarded week's clock starts: Sunday 09:00 UTC before its Monday, as the
    weekly schedule would start it (the same week gives the same run whatever today is)."""
    return datetime.combine(parse_week(week), datetime.min.time(), tzinfo=UTC) - timedelta(hours=15)


def clock_for(options: dict[str, Any]) -> Clock:
    if options.get("fast_forward"):
        return FastForwardClock(start=datetime.fromisoformat(options["clock_start"]))
    return SystemClock()


def start_run(
    system: Resources,
    *,
    agent: str | None = None,
    week: str | None = None,
    auto_approve: bool = False,
    fast_forward: bool = False,
    trigger: TriggerType = TriggerType.manual,
    dedupe_key: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    wiring: Wiring | None = None,
    render_quality: str | None = None,
    now: datetime | None = None,
) -> RunOutcome:
    """Create the run row and drive the graph until it finishes, errs or waits for review."""
    real_now = now or datetime.now(UTC)
    with transaction(system.sessions) as session:
        agent_row = get_agent(session=session, name_or_id=agent)
        agent_id = agent_row.id
    week = week or default_week(system, agent_id, real_now)
    parse_week(week)
    options = {
        "auto_approve": auto_approve,
        "fast_forward": fast_forward,
        "clock_start": (simulated_start(week) if fast_forward else real_now).isoformat(),
        "render_quality": render_quality or system.settings.render_quality,
    }
    with transaction(system.sessions) as session:
        run = create_run(session=session, agent_id=agent_id, trigger_type=trigger, week_key=week, options=options,
                         dedupe_key=dedupe_key, started_at=real_now)
        run_id = run.id
    payload = {"run_id": str(run_id), "agent_id": str(agent_id), "week": week, "auto_approve": auto_approve}
    return _drive(system, run_id, payload, progress=progress, wiring=wiring or Wiring())


def resume_run(
    system: Resources,
    run_id: str,
    *,
    decisions: dict[str, Any] | None = None,
    progress: Callable[[str, str], None] | None = None,
    wiring: Wiring | None = None,
) -> RunOutcome:
    """Continue a stopped, crashed or waiting run from its last checkpoint."""
    with system.sessions() as session:
        run = get_run(session=session, run_id=run_id)
        rid, status = run.id, run.status
    if status == RunStatus.finished:
        raise RunError(f"run {rid} already finished")
    if status == RunStatus.waiting_review and decisions is None:
        raise RunError(f"run {rid} waits for review: give decisions with 'twin approve {str(rid)[:8]}'")
    if status != RunStatus.waiting_review and decisions is not None:
        raise RunError(f"run {rid} is not waiting for review (status {status.value})")
    command: Any = Command(resume=decisions) if decisions is not None else None
    with transaction(system.sessions) as session:
        row = session.get(AgentRun, rid)
        assert row is not None
        row.status = RunStatus.running
        row.error_message = None
    return _drive(system, rid, command, progress=progress, wiring=wiring or Wiring())


def pending_review(system: Resources, run_id: uuid.UUID) -> dict[str, Any] | None:
    """The review payload a waiting run is stopped at, read from its checkpoint."""
    with checkpointer(system) as saver:
        graph = build_graph().compile(checkpointer=saver)
        snapshot = graph.get_state({"configurable": {"thread_id": str(run_id)}})
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return dict(intr.value)
    return None


def _drive(system: Resources, run_id: uuid.UUID, payload: Any, *, progress: Callable[[str, str], None] | None,
           wiring: Wiring) -> RunOutcome:
    with system.sessions() as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        options, week, agent_id = dict(run.options_json), run.week_key, run.agent_id
    clock = clock_for(options)
    ctx = build_context(system, wiring, clock=clock, agent_id=str(agent_id),
                        render_quality=options.get("render_quality", "full"), progress=progress)
    config: RunnableConfig = {"configurable": {"thread_id": str(run_id)}, "recursion_limit": 50}
    review = None
    error = None
    try:
        with checkpointer(system) as saver:
            graph = build_graph().compile(checkpointer=saver)
            result = graph.invoke(payload, config=config, context=ctx)  # type: ignore[call-overload]
            if "__interrupt__" in result:
                review = dict(result["__interrupt__"][0].value)
            final_state = graph.get_state(config).values
    except LLMError as exc:
        error = f"chat model: {exc}"
        final_state = {}
    except USER_ERRORS as exc:
        error = str(exc)
        final_state = {}
    except RunInterrupted:
        raise
    except Exception as exc:  # an unexpected failure: recorded with its trace, run stays resumable
        error = f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} (details in error_logs)"
        final_state = {}
        with transaction(system.sessions) as session:
            log_error(session=session, scope=ErrorScope.planner, message=str(exc) or type(exc).__name__,
                      run_id=run_id, exc=exc, severity=Severity.high, context={"node": _current_node(system, run_id)})
    finally:
        _record_usage(system, run_id, ctx)
    return _finish(system, run_id, week, agent_id, review, error, final_state)


def _current_node(system: Resources, run_id: uuid.UUID) -> str | None:
    with system.sessions() as session:
        run = session.get(AgentRun, run_id)
        return run.current_node if run else None


def _record_usage(system: Resources, run_id: uuid.UUID, ctx: Any) -> None:
    totals = ctx.usage.totals()
    with transaction(system.sessions) as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        run.llm_calls += totals.calls
        run.input_tokens += totals.input_tokens
        run.output_tokens += totals.output_tokens
        run.prompt_hashes_json = {**run.prompt_hashes_json, **ctx.prompt_hashes}


def _finish(system: Resources, run_id: uuid.UUID, week: str, agent_id: uuid.UUID, review: dict[str, Any] | None,
            error: str | None, state: dict[str, Any]) -> RunOutcome:
    with transaction(system.sessions) as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        if error:
            run.status = RunStatus.error
            run.error_message = error
            run.result = RunResult.error
            set_agent_state(session=session, agent_id=agent_id, state=AgentState.error)
            status = RunStatus.error
        elif review is not None:
            run.status = RunStatus.waiting_review
            set_agent_state(session=session, agent_id=agent_id, state=AgentState.reviewing)
            status = RunStatus.waiting_review
        else:
            failures = state.get("failures", [])
            run.status = RunStatus.finished
            run.finished_at = datetime.now(UTC)
            run.result = RunResult.partial_success if failures else RunResult.success
            set_agent_state(session=session, agent_id=agent_id, state=AgentState.idle)
            status = RunStatus.finished
        summary = summarize(session, run, state)
        run.summary = summary["text"]
    return RunOutcome(run_id=str(run_id), status=status, week=week, review=review, summary=summary, error=error)


def summarize(session: Any, run: AgentRun, state: dict[str, Any]) -> dict[str, Any]:
    reels = []
    for raw in state.get("reel_ids", []):
        reel = session.get(VideoReel, uuid.UUID(raw))
        if reel is not None:
            thumb = session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
            reels.append({"id": str(reel.id), "title": reel.title, "path": reel.storage_uri, "thumbnail": thumb.uri if thumb else None,
                          "seconds": reel.length_sec, "quality": reel.quality_score, "approval": reel.approval_status.value})
    posts = list(session.scalars(select(Post).where(Post.id.in_([uuid.UUID(p) for p in state.get("post_ids", [])]))))
    counts: dict[str, int] = {}
    for post in posts:
        counts[post.publish_status.value] = counts.get(post.publish_status.value, 0) + 1
    report = session.get(WeeklyReport, uuid.UUID(state["report_id"])) if state.get("report_id") else None
    text = (f"{len(reels)} reels, {counts.get(PublishStatus.published.value, 0)} posts published, "
            f"{counts.get(PublishStatus.scheduled.value, 0)} scheduled, {counts.get(PublishStatus.failed.value, 0)} failed; "
            f"{run.llm_calls} model calls, {run.input_tokens + run.output_tokens} tokens")
    return {
        "text": text,
        "reels": reels,
        "posts": counts,
        "report": report.markdown_uri if report else None,
        "tokens": {"calls": run.llm_calls, "input": run.input_tokens, "output": run.output_tokens},
        "failures": state.get("failures", []),
    }
