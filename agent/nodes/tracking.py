"""What every node does around its work: events, agent state, current node on the run."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from langgraph.runtime import Runtime

from agent.context import Context
from agent.state import CycleState
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.models import AgentRun
from db.repo.runs import log_event, set_agent_state

NodeFn = Callable[[CycleState, Runtime[Context]], dict[str, Any]]


class CycleNode(Protocol):
    """A node as LangGraph calls it: the runtime comes as a keyword."""

    __name__: str

    def __call__(self, state: CycleState, *, runtime: Runtime[Context]) -> dict[str, Any]: ...

AGENT_STATE = {
    "planning": "planning",
    "creating": "creating",
    "review": "reviewing",
    "publishing": "publishing",
    "analyzing": "analyzing",
    "adapting": "adapting",
}


def tracked(name: str) -> Callable[[NodeFn], CycleNode]:
    """Log node_started/node_finished events and keep agent and run state current."""

    def wrap(fn: NodeFn) -> CycleNode:
        @functools.wraps(fn)
        def node(state: CycleState, *, runtime: Runtime[Context]) -> dict[str, Any]:
            ctx = runtime.context
            run_id = uuid.UUID(state["run_id"])
            agent_id = uuid.UUID(state["agent_id"])
            with transaction(ctx.sessions) as session:
                run = session.get(AgentRun, run_id)
                if run is not None:
                    run.current_node = name
                set_agent_state(session=session, agent_id=agent_id, state=AGENT_STATE[name])
                log_event(
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
            update = fn(state, runtime)
            with transaction(ctx.sessions) as session:
                while ctx.llm_events:  # how the model's server was adapted to, as it happened
                    event = ctx.llm_events.pop(0)
                    log_event(
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
                log_event(
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
