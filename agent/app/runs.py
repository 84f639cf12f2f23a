"""Start and resume weekly runs: one run = one LangGraph thread = one agent_runs row.

A process drives a run only while it holds the run's lease (``db.repo.leases``), renewed by a
heartbeat; a second driver is refused with one line naming the owner. An agent has at most one
active run (a database index); a plain ``twin run`` resumes a stale one instead of skipping
ahead, and a week that was planned is not planned again unless asked (``replan``). The run's
record (status, result, tokens, summary) is kept by the graph itself (``begin``, ``finish``
and the node wrapper), so this module only claims, drives and reports.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from agent.app.resources import Resources
from agent.app.wiring import Wiring, build_context, checkpointer
from agent.context import Clock, FastForwardClock, SystemClock
from agent.errors import RunError, RunInterrupted
from agent.graph import build_graph
from agent.nodes.tracking import failure_line
from agent.review.hitl import reels_of, resume_value
from agent.schemas import ReelDecision
from agent.strategy.weeks import next_week, parse_week, week_key
from db.engine import transaction
from db.enums import ACTIVE_RUN, ErrorScope, PublishStatus, RunStatus, Severity, TriggerType
from db.models import AgentRun, CalendarItem, ContentCalendar, MediaAsset, Post, VideoReel
from db.repo import leases
from db.repo.identity import get_agent
from db.repo.runs import create_run, fail_run, get_run, log_error, summarize


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
            select(func.max(AgentRun.week_key)).where(
                AgentRun.agent_id == agent_id,
                AgentRun.status.notin_([RunStatus.error, RunStatus.cancelled]),
            )
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
    replan: bool = False,
    spike_topic: str | None = None,
) -> RunOutcome:
    """Plan and drive a week, until it finishes, fails or waits for review.

    With ``spike_topic`` the run is a ``trend_spike`` run: one extra reel on that topic in the
    week, always waiting for a person's approval, and no analysis or strategy of its own.

    Raises:
        RunError: Another run owns the agent's week (it is named), or ``week`` was planned
            already and ``replan`` is not set.
    """
    real_now = now or datetime.now(UTC)
    with system.sessions() as session:
        agent_id = get_agent(session=session, name_or_id=agent).id
        active = leases.active_run(session=session, agent_id=agent_id)
        stale = active is not None and leases.is_stale(active, datetime.now(UTC))
    if active is not None and stale and (week is None or week == active.week_key) and not replan:
        _say(
            progress, f"resuming run {str(active.id)[:8]} of {active.week_key}: its driver stopped"
        )
        return resume_run(system, str(active.id), progress=progress, wiring=wiring)
    if active is not None and not (
        replan and week == active.week_key and active.status == RunStatus.waiting_review
    ):
        raise RunError(leases.busy_reason(active, datetime.now(UTC)))
    week = week or default_week(system, agent_id, real_now)
    parse_week(week)
    options = {
        "auto_approve": auto_approve,
        "fast_forward": fast_forward,
        "clock_start": (simulated_start(week) if fast_forward else real_now).isoformat(),
        "render_quality": render_quality or system.settings.render_quality,
        "replan": replan,
    }
    if spike_topic:
        trigger, auto_approve = TriggerType.trend_spike, False
        options.update(spike_topic=spike_topic, auto_approve=False)
    try:
        with transaction(system.sessions) as session:
            planned = leases.week_runs(session=session, agent_id=agent_id, week=week)
            if planned and not replan and not spike_topic:
                live = next((r for r in planned if r.status in ACTIVE_RUN), None)
                if live is not None:  # it became active since the check above: say who has it
                    raise RunError(leases.busy_reason(live, datetime.now(UTC)))
                first = planned[0]
                raise RunError(
                    f"week {week} was planned already by run {str(first.id)[:8]} "
                    f"({first.status.value}); plan it again with --replan"
                )
            if replan:
                _supersede(session, agent_id, week, planned)
            run = create_run(
                session=session,
                agent_id=agent_id,
                trigger_type=trigger,
                week_key=week,
                options=options,
                dedupe_key=dedupe_key,
                started_at=real_now,
            )
            run_id = run.id
            # Owned from its first moment, so no recovery takes it for a stale run.
            leases.claim(
                session=session,
                run_id=run_id,
                owner=leases.this_process(),
                now=datetime.now(UTC),
                ttl=timedelta(seconds=system.settings.run_lease_seconds),
            )
    except IntegrityError:
        with system.sessions() as session:
            other = leases.active_run(session=session, agent_id=agent_id)
        if other is None:
            raise  # a scheduled run of this agent-week exists already (dedupe key)
        raise RunError(leases.busy_reason(other, datetime.now(UTC))) from None
    payload: dict[str, Any] = {
        "run_id": str(run_id),
        "agent_id": str(agent_id),
        "week": week,
        "auto_approve": auto_approve,
    }
    if spike_topic:
        payload["spike_topic"] = spike_topic
    return _drive(system, run_id, payload, progress=progress, wiring=wiring or Wiring())


def resume_run(
    system: Resources,
    run_id: str,
    *,
    decisions: dict[str, Any] | None = None,
    progress: Callable[[str, str], None] | None = None,
    wiring: Wiring | None = None,
) -> RunOutcome:
    """Continue a stopped, crashed or waiting run from its last checkpoint (or from its start
    when it was stopped before its first one). A waiting run whose driver was killed before it
    let go (see ``leases.is_stale``) is continued without decisions: its question is asked again.

    Raises:
        RunError: The run is finished, cancelled, waits for decisions that were not given,
            or is being driven by another live process.
    """
    with system.sessions() as session:
        run = get_run(session=session, run_id=run_id)
        rid, status = run.id, run.status
        stale = leases.is_stale(run, datetime.now(UTC))
    if status in (RunStatus.finished, RunStatus.cancelled):
        raise RunError(f"run {rid} already {status.value}")
    if status == RunStatus.waiting_review and decisions is None and not stale:
        raise RunError(
            f"run {rid} waits for review: give decisions with 'twin approve {str(rid)[:8]}'"
        )
    if status != RunStatus.waiting_review and decisions is not None:
        raise RunError(f"run {rid} is not waiting for review (status {status.value})")
    command: Any = Command(resume=decisions) if decisions is not None else None
    return _drive(system, rid, command, progress=progress, wiring=wiring or Wiring())


def pending_review(system: Resources, run_id: uuid.UUID) -> dict[str, Any] | None:
    """What a waiting run asks, from its checkpoint: ``request`` (the LangChain HITL request, as
    any UI gets it) and ``reels`` (its reels with their local files, for the CLI and web inbox)."""
    with checkpointer(system) as saver:
        graph = build_graph().compile(checkpointer=saver)
        snapshot = graph.get_state({"configurable": {"thread_id": str(run_id)}})
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return review_view(system, dict(intr.value))
    return None


def review_view(system: Resources, request: dict[str, Any]) -> dict[str, Any]:
    """A HITL request with its reels' local files added (they are not in the request itself)."""
    reels = []
    with system.sessions() as session:
        for args in reels_of(request):
            reel = session.get(VideoReel, uuid.UUID(str(args.get("reel_id"))))
            thumb = (
                session.get(MediaAsset, reel.thumbnail_asset_id)
                if reel and reel.thumbnail_asset_id
                else None
            )
            reels.append(
                {
                    **args,
                    "video_path": reel.storage_uri if reel else "",
                    "thumbnail_path": thumb.uri if thumb else None,
                }
            )
    return {"request": request, "reels": reels}


def decisions_payload(
    review: dict[str, Any], decisions: list[ReelDecision], reviewer: str
) -> dict[str, Any]:
    """The resume value (HITL ``{"decisions": [...]}``) for reel-keyed decisions; reels left
    out are asked again."""
    return resume_value(review.get("request"), decisions, reviewer)


def _say(progress: Callable[[str, str], None] | None, message: str) -> None:
    if progress is not None:
        progress("run", message)


def _supersede(session: Any, agent_id: uuid.UUID, week: str, planned: list[AgentRun]) -> None:
    """A replan: the week's waiting run is cancelled, and its unpublished posts withdrawn
    (what went out stays out; nothing is published twice)."""
    for run in planned:
        if run.status == RunStatus.waiting_review:
            run.status = RunStatus.cancelled
            run.error_message = "superseded by a replan of its week"
    if not planned:
        return
    posts = session.scalars(
        select(Post)
        .join(VideoReel, VideoReel.id == Post.reel_id)
        .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
        .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
        .where(
            ContentCalendar.run_id.in_([r.id for r in planned]),
            Post.publish_status.in_([PublishStatus.draft, PublishStatus.scheduled]),
        )
    )
    for post in posts:
        post.publish_status = PublishStatus.cancelled
        post.error_json = {"message": f"withdrawn by a replan of {week}"}
    session.flush()


@contextmanager
def _lease(system: Resources, run_id: uuid.UUID) -> Iterator[None]:
    """Hold the run's lease while the block runs: claimed, renewed by a heartbeat, released."""
    owner = leases.this_process()
    ttl = timedelta(seconds=system.settings.run_lease_seconds)
    with transaction(system.sessions) as session:
        holder = leases.claim(
            session=session, run_id=run_id, owner=owner, now=datetime.now(UTC), ttl=ttl
        )
    if holder is not None:
        raise RunError(
            f"run {str(run_id)[:8]} is being driven by {holder.describe(datetime.now(UTC))}"
        )
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(ttl.total_seconds() / 3):
            with transaction(system.sessions) as session:
                leases.renew(
                    session=session, run_id=run_id, owner=owner, now=datetime.now(UTC), ttl=ttl
                )

    heart = threading.Thread(target=beat, name=f"lease-{str(run_id)[:8]}", daemon=True)
    heart.start()
    try:
        yield
    finally:
        stop.set()
        heart.join(timeout=5)
        with transaction(system.sessions) as session:
            leases.release(session=session, run_id=run_id, owner=owner)


def _drive(
    system: Resources,
    run_id: uuid.UUID,
    payload: Any,
    *,
    progress: Callable[[str, str], None] | None,
    wiring: Wiring,
) -> RunOutcome:
    with system.sessions() as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        options, week, agent_id = dict(run.options_json), run.week_key, run.agent_id
        recorded = {
            "run_id": str(run.id),
            "agent_id": str(agent_id),
            "week": week,
            "auto_approve": bool(options.get("auto_approve")),
        }
        if options.get("spike_topic"):
            recorded["spike_topic"] = str(options["spike_topic"])
    config: RunnableConfig = {"configurable": {"thread_id": str(run_id)}, "recursion_limit": 50}
    final: dict[str, Any] = {}
    review = None
    with _lease(system, run_id):
        ctx = build_context(
            system,
            wiring,
            clock=clock_for(options),
            agent_id=str(agent_id),
            render_quality=options.get("render_quality", "full"),
            progress=progress,
        )
        try:
            with checkpointer(system) as saver:
                graph = build_graph().compile(checkpointer=saver)
                if payload is None and not graph.get_state(config).values:
                    payload = recorded  # stopped before its first checkpoint: start it again
                result = graph.invoke(payload, config=config, context=ctx)  # type: ignore[call-overload]
                if "__interrupt__" in result:
                    review = review_view(system, dict(result["__interrupt__"][0].value))
                final = dict(graph.get_state(config).values)
        except RunInterrupted:
            raise
        except Exception as exc:  # the node wrapper recorded a node's failure; this, the rest
            with transaction(system.sessions) as session:
                row = session.get(AgentRun, run_id)
                if row is not None and row.status == RunStatus.running:
                    log_error(
                        session=session,
                        scope=ErrorScope.planner,
                        message=str(exc) or type(exc).__name__,
                        run_id=run_id,
                        exc=exc,
                        severity=Severity.high,
                    )
                    fail_run(session=session, run_id=run_id, message=failure_line(exc))
    with system.sessions() as session:
        row = session.get(AgentRun, run_id)
        assert row is not None
        summary = summarize(
            session=session,
            run=row,
            reel_ids=list(final.get("reel_ids", [])),
            post_ids=list(final.get("post_ids", [])),
            report_id=final.get("report_id"),
            failures=list(final.get("failures", [])),
        )
        status, error = row.status, row.error_message if row.status == RunStatus.error else None
    return RunOutcome(
        run_id=str(run_id), status=status, week=week, review=review, summary=summary, error=error
    )


__all__ = [
    "RunOutcome",
    "clock_for",
    "decisions_payload",
    "default_week",
    "pending_review",
    "resume_run",
    "review_view",
    "simulated_start",
    "start_run",
]
