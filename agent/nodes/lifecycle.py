"""begin and finish: the run's record, kept inside the graph whoever starts it.

``begin`` finds the run's ``agent_runs`` row (thread id = run id), or creates it when the
input names none: ``{}`` means the only agent and the current week. ``finish`` records the
result, the summary and the agent idle again. Failures are recorded by the node wrapper
(:mod:`agent.nodes.tracking`); tokens are added after every node.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime

from agent.context import Context, FastForwardClock
from agent.errors import RunError
from agent.nodes.tracking import record_usage
from agent.state import CycleState
from agent.strategy.weeks import parse_week, week_key
from db.engine import transaction
from db.enums import EventType, RunResult, SubjectType, TriggerType
from db.models import AgentRun
from db.repo import identity, leases, runs


def begin_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    configured = (get_config().get("configurable") or {}).get("thread_id")
    raw_id = state.get("run_id") or configured
    try:
        run_id = uuid.UUID(str(raw_id)) if raw_id else uuid.uuid4()
    except ValueError:
        run_id = uuid.uuid5(uuid.NAMESPACE_URL, str(raw_id))  # a thread id that is not a UUID
    with transaction(ctx.sessions) as session:
        run = session.get(AgentRun, run_id)
        if run is None:
            run = _create(session, ctx, state, run_id)
        runs.mark_running(session=session, run_id=run.id, node="begin")
        update: dict[str, Any] = {
            "run_id": str(run.id),
            "agent_id": str(run.agent_id),
            "week": run.week_key,
            "auto_approve": bool(
                state.get("auto_approve", run.options_json.get("auto_approve", False))
            ),
        }
    ctx.report("begin", f"run {update['run_id'][:8]} for {update['week']}")
    return update


def _create(session: Any, ctx: Context, state: CycleState, run_id: uuid.UUID) -> AgentRun:
    """The record of a run started through the API (Studio, a UI): owned by this process.

    Raises:
        RunError: The agent has an active run already (it is named).
    """
    agent = identity.get_agent(session=session, name_or_id=state.get("agent_id") or None)
    active = leases.active_run(session=session, agent_id=agent.id)
    if active is not None:
        raise RunError(leases.busy_reason(active, datetime.now(UTC)))
    week = state.get("week") or week_key(ctx.clock.now().date())
    parse_week(week)
    run = runs.create_run(
        session=session,
        agent_id=agent.id,
        trigger_type=TriggerType.manual,
        week_key=week,
        options={
            "auto_approve": bool(state.get("auto_approve")),
            "fast_forward": isinstance(ctx.clock, FastForwardClock),
            "clock_start": ctx.clock.now().isoformat(),
            "render_quality": ctx.render_quality,
        },
        started_at=ctx.clock.now(),
        run_id=run_id,
    )
    leases.claim(
        session=session,
        run_id=run.id,
        owner=leases.this_process(),
        now=datetime.now(UTC),
        ttl=timedelta(seconds=ctx.settings.run_lease_seconds),
    )
    return run


def finish_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    run_id = uuid.UUID(state["run_id"])
    record_usage(ctx, run_id)
    failures = list(state.get("failures", []))
    with transaction(ctx.sessions) as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        summary = runs.summarize(
            session=session,
            run=run,
            reel_ids=list(state.get("reel_ids", [])),
            post_ids=list(state.get("post_ids", [])),
            report_id=state.get("report_id"),
            failures=failures,
        )
        runs.finish_run(
            session=session,
            run_id=run_id,
            result=RunResult.partial_success if failures else RunResult.success,
            summary=summary["text"],
            at=ctx.clock.now(),
        )
        runs.log_event(
            session=session,
            event_type=EventType.run_finished,
            subject_type=SubjectType.run,
            subject_id=run_id,
            agent_id=run.agent_id,
            run_id=run_id,
            message=summary["text"],
            meta={"failures": failures},
            at=ctx.clock.now(),
        )
    ctx.report("finish", summary["text"])
    return {}


__all__ = ["begin_node", "finish_node"]
