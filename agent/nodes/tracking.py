"""What every node does around its work, whoever drives the run (CLI, worker, LangGraph server):
node events, the agent's and the run's state, the model's usage, and the run's failure.

A node that raises marks its run ``error`` with one line (the trace goes to ``error_logs``), so
a run started any way is recorded the same way; an interrupt (review) or a worker stopping is
not a failure. The model's calls and tokens are added to the run after every node, failed ones
included, so a run that stops still counts what it spent.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime

from agent.context import Context
from agent.errors import USER_ERRORS, RunInterrupted
from agent.llm import LLMError
from agent.state import CycleState
from db.engine import transaction
from db.enums import AgentState, ErrorScope, EventType, Severity, SubjectType
from db.repo import runs

NodeFn = Callable[[CycleState, Runtime[Context]], dict[str, Any]]


class CycleNode(Protocol):
    """A node as LangGraph calls it: the runtime comes as a keyword."""

    __name__: str

    def __call__(self, state: CycleState, *, runtime: Runtime[Context]) -> dict[str, Any]: ...


AGENT_STATE = {
    "planning": AgentState.planning,
    "creating": AgentState.creating,
    "review": AgentState.reviewing,
    "publishing": AgentState.publishing,
    "analyzing": AgentState.analyzing,
    "adapting": AgentState.adapting,
}


def failure_line(exc: BaseException) -> str:
    """How a failure reads on the run (one line; the trace is in error_logs)."""
    if isinstance(exc, LLMError):
        return f"chat model: {exc}"
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"unexpected {type(exc).__name__}: {first} (details in error_logs)"


def record_usage(ctx: Context, run_id: uuid.UUID) -> None:
    """Add what the model spent since the last record to the run."""
    totals = ctx.usage.totals()
    done = ctx.usage_recorded
    with transaction(ctx.sessions) as session:
        runs.add_usage(
            session=session,
            run_id=run_id,
            calls=totals.calls - done.calls,
            input_tokens=totals.input_tokens - done.input_tokens,
            output_tokens=totals.output_tokens - done.output_tokens,
            prompt_hashes=dict(ctx.prompt_hashes),
        )
    ctx.usage_recorded = totals


def _flush_llm_events(session: Any, ctx: Context, run_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    while ctx.llm_events:  # how the model's server was adapted to, as it happened
        event = ctx.llm_events.pop(0)
        runs.log_event(
            session=session,
            event_type=EventType.llm_adapted,
            subject_type=SubjectType.run,
            subject_id=run_id,
            agent_id=agent_id,
            run_id=run_id,
            message=event.message,
            meta={"kind": event.kind, **event.detail},
            at=ctx.clock.now(),
        )


def tracked(name: str) -> Callable[[NodeFn], CycleNode]:
    """Log node events, keep agent and run state current, count usage, record failures."""

    def wrap(fn: NodeFn) -> CycleNode:
        @functools.wraps(fn)
        def node(state: CycleState, *, runtime: Runtime[Context]) -> dict[str, Any]:
            ctx = runtime.context
            run_id, agent_id = uuid.UUID(state["run_id"]), uuid.UUID(state["agent_id"])
            with transaction(ctx.sessions) as session:
                runs.mark_running(session=session, run_id=run_id, node=name)
                runs.set_agent_state(session=session, agent_id=agent_id, state=AGENT_STATE[name])
                runs.log_event(
                    session=session,
                    event_type=EventType.node_started,
                    subject_type=SubjectType.run,
                    subject_id=run_id,
                    agent_id=agent_id,
                    run_id=run_id,
                    message=f"{name} started",
                    at=ctx.clock.now(),
                )
            ctx.report(name, "started")
            try:
                update = fn(state, runtime)
            except (GraphBubbleUp, RunInterrupted):
                record_usage(ctx, run_id)  # waiting for review, or a worker stopping: not a failure
                raise
            except Exception as exc:
                record_usage(ctx, run_id)
                with transaction(ctx.sessions) as session:
                    expected = isinstance(exc, (LLMError, *USER_ERRORS))
                    runs.log_error(
                        session=session,
                        scope=ErrorScope.planner,
                        message=str(exc) or type(exc).__name__,
                        run_id=run_id,
                        exc=None if expected else exc,
                        severity=Severity.medium if expected else Severity.high,
                        context={"node": name},
                    )
                    runs.fail_run(session=session, run_id=run_id, message=failure_line(exc))
                raise
            record_usage(ctx, run_id)
            with transaction(ctx.sessions) as session:
                _flush_llm_events(session, ctx, run_id, agent_id)
                runs.log_event(
                    session=session,
                    event_type=EventType.node_finished,
                    subject_type=SubjectType.run,
                    subject_id=run_id,
                    agent_id=agent_id,
                    run_id=run_id,
                    message=f"{name} finished",
                    at=ctx.clock.now(),
                )
            ctx.report(name, "finished")
            return update

        return node

    return wrap


__all__ = ["AGENT_STATE", "CycleNode", "failure_line", "record_usage", "tracked"]
